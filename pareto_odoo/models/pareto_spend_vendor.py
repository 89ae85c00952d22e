import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import companies_local_sql, planner_settings
from ..tools.spend import SOURCE_BY_NAME, Buckets, flush_spend, spend_lines, year_parts


class ParetoSpendVendor(models.Model):
    """Spend per company, purchasing family (or none: unclassified), partner,
    day and source, in company currency, every vendor included: the
    aggregate that the dashboard, the exports and the vendors' spend read
    instead of the lines. The partner is the order's partner (a contact
    stands for its company) or the bill's vendor company; the vendors' size
    and exclusion are joined when reading, so reclassifying a vendor does not
    touch it. Kept exact by the triggers through ``pareto.spend.delta``.
    """

    _name = "pareto.spend.vendor"
    _inherit = ["pareto.spend.vendor.mixin"]
    _description = "Daily Spend per Vendor and Purchasing Family"
    _log_access = False
    _order = "day desc, id"

    _key_uniq = models.UniqueIndex(
        "(company_id, COALESCE(family_id, 0), partner_id, day, source)",
        "One aggregate row per company, family, partner, day and source.",
    )
    # What the dashboard reads of a period, in an index-only scan.
    _period_idx = models.Index("(company_id, source, day) INCLUDE (family_id, partner_id, amount)")
    _partner_day_idx = models.Index("(partner_id, day)")
    # The unclassified spend of the dashboard's trend (a small part).
    _unclassified_idx = models.Index(
        "(company_id, source, day) INCLUDE (partner_id, amount) WHERE family_id IS NULL"
    )

    @api.model
    def _buckets_sql(self, companies, buckets, condition=None):
        """SELECT bucket, company_id, family_id, partner_id, amount: the
        spend of ``companies`` (each company its basis' source) per bucket of
        ``buckets``, from the aggregate, the change log and the lines of the
        days the aggregate does not cover. ``condition`` (SQL on columns
        ``company_id``, ``family_id``, ``partner_id``) filters all three."""
        condition = condition or SQL("TRUE")
        parts = []
        by_source = {}
        for company in companies:
            by_source.setdefault(company._pareto_spend_source(), []).append(company.id)
        for name, company_ids in sorted(by_source.items()):
            source = SOURCE_BY_NAME[name]
            scope = SQL(
                "source = %s AND company_id = ANY(%s::int4[]) AND %s", name, company_ids, condition
            )
            parts += self._aggregate_parts(source, buckets, scope)
            day_condition, bucket = buckets.aggregate(source, SQL("day"))
            parts.append(
                SQL(
                    """SELECT %s AS bucket, company_id, family_id, partner_id, amount
                         FROM pareto_spend_delta WHERE %s AND %s""",
                    bucket,
                    scope,
                    day_condition,
                )
            )
            live = buckets.live(source, source.timestamp)
            if live:
                lines = spend_lines(
                    source,
                    condition=SQL("line.company_id = ANY(%s::int4[]) AND %s", company_ids, live[0]),
                )
                parts.append(
                    SQL(
                        """SELECT %(bucket)s AS bucket, company_id, family_id, partner_id, amount
                             FROM (%(lines)s) spend WHERE %(condition)s""",
                        bucket=buckets.live(source, SQL("spend.moment"))[1],
                        lines=lines,
                        condition=condition,
                    )
                )
        if not parts:
            return SQL(
                "SELECT NULL::int AS bucket, NULL::int AS company_id, NULL::int AS family_id, "
                "NULL::int AS partner_id, NULL::numeric AS amount WHERE FALSE"
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _aggregate_parts(self, source, buckets, scope):
        """The SELECTs (bucket, company_id, family_id, partner_id, amount) of
        the merged spend of the days each bucket covers whole, under the
        condition ``scope``: the yearly totals for the years mostly inside,
        minus their days outside, and the daily rows of the other days."""
        parts = []
        for index, first, end in buckets.covered(source):
            for kind, low, high, sign in year_parts(first, end):
                parts.append(
                    SQL(
                        """SELECT %(bucket)s AS bucket, company_id, family_id, partner_id,
                                  %(amount)s AS amount
                             FROM %(table)s WHERE %(scope)s AND %(days)s""",
                        bucket=index,
                        amount=SQL("amount") if sign > 0 else SQL("-amount"),
                        table=SQL.identifier(
                            "pareto_spend_vendor_year" if kind == "year" else "pareto_spend_vendor"
                        ),
                        scope=scope,
                        days=SQL("day = %s", low)
                        if kind == "year"
                        else SQL("day >= %s AND day < %s", low, high),
                    )
                )
        return parts

    # The vendor attributes of :meth:`_vendor_attributes`.
    VENDOR_COLUMNS = (
        "name", "pareto_size", "pareto_headcount", "pareto_turnover", "pareto_is_ess",
        "pareto_is_siae",
    )  # fmt: skip

    @api.model
    def _vendor_attributes(self, vendor_ids):
        """{vendor id: (*VENDOR_COLUMNS)} of the vendors (an index read each;
        the caller has checked access to the spend they come with)."""
        self.env["res.partner"].flush_model(self.VENDOR_COLUMNS)
        self.env.cr.execute(
            SQL(
                "SELECT vendor.id, %s FROM res_partner vendor WHERE vendor.id = ANY(%s::int4[])",
                SQL(", ").join(SQL.identifier("vendor", column) for column in self.VENDOR_COLUMNS),
                list(vendor_ids),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _vendor_rows(self, companies, buckets, condition=None, with_excluded=False):
        """[(bucket, company_id, family_id or None, vendor_id, is_local,
        amount)] of :meth:`_buckets_sql`, by vendor company (commercial
        partner) with its locality for the row's company, vendors flagged
        ``pareto_excluded`` left out unless ``with_excluded``; amounts in
        each company's currency. The rows are summed by partner before the
        partners are joined: the aggregate has many rows per vendor and
        period."""
        flush_spend(self.env)
        columns = ("pareto_department", "partner_latitude", "partner_longitude")
        self.env["res.partner"].flush_model(columns)
        # A year of a large company is some 100,000 rows to group: in memory,
        # in one process (partial aggregates in parallel workers, gathered and
        # merged, cost more than they save here).
        with planner_settings(self.env.cr, work_mem="64MB", max_parallel_workers_per_gather=0):
            # Each partner and each vendor is looked up once (a few thousand
            # index reads), not the partner table hashed whole for the tens of
            # thousands of grouped rows.
            self.env.cr.execute(
                SQL(
                    """
                    WITH rows AS (
                        SELECT bucket, company_id, family_id, partner_id, SUM(amount) AS amount
                          FROM (%(rows)s) rows
                         WHERE bucket > 0
                         GROUP BY bucket, company_id, family_id, partner_id
                        HAVING SUM(amount) != 0
                    ), contact AS (
                        SELECT contact.id,
                               COALESCE(contact.commercial_partner_id, contact.id) AS vendor_id
                          FROM (SELECT DISTINCT partner_id FROM rows) partner
                          JOIN res_partner contact ON contact.id = partner.partner_id
                    ), vendor AS (
                        SELECT vendor.id, %(attributes)s
                          FROM (SELECT DISTINCT vendor_id FROM contact) company
                          JOIN res_partner vendor ON vendor.id = company.vendor_id
                         WHERE %(with_excluded)s OR vendor.pareto_excluded IS NOT TRUE
                    ), spend AS (
                        SELECT rows.bucket, rows.company_id, rows.family_id, contact.vendor_id,
                               SUM(rows.amount)::float8 AS amount
                          FROM rows JOIN contact ON contact.id = rows.partner_id
                         GROUP BY rows.bucket, rows.company_id, rows.family_id, contact.vendor_id
                    )
                    SELECT spend.bucket, spend.company_id, spend.family_id, spend.vendor_id,
                           %(local)s, spend.amount
                      FROM spend JOIN vendor ON vendor.id = spend.vendor_id
                    """,
                    rows=self._buckets_sql(companies, buckets, condition),
                    attributes=SQL(", ").join(
                        SQL.identifier("vendor", column) for column in columns
                    ),
                    local=companies_local_sql(companies, SQL("spend.company_id"), "vendor"),
                    with_excluded=bool(with_excluded),
                )
            )
            return self.env.cr.fetchall()

    @api.model
    def _vendor_spend(self, companies, date_from, date_to, vendor_ids=None):
        """{vendor company id: our spend with it} between the two local dates
        (inclusive), ``companies`` each on its spend basis, converted to the
        current company's currency at today's rates; every vendor counts,
        excluded ones too (it is our spend with them, not a share)."""
        condition = None
        if vendor_ids is not None:
            contacts = (
                self.env["res.partner"]
                .sudo()
                .with_context(active_test=False)
                .search([("commercial_partner_id", "in", list(vendor_ids))])
            )
            condition = SQL("partner_id = ANY(%s::int4[])", contacts.ids or [0])
        buckets = Buckets(self.env.tz, [date_from, date_to + datetime.timedelta(days=1)])
        rates = self._company_rates(companies)
        spend = {}
        for _bucket, company_id, _family, vendor_id, _local, amount, *_vendor in self._vendor_rows(
            companies, buckets, condition, with_excluded=True
        ):
            spend[vendor_id] = spend.get(vendor_id, 0.0) + amount * rates[company_id]
        return spend

    @api.model
    def _company_rates(self, companies):
        """{company id: rate from its currency to the current company's},
        Odoo's rates of today, as ``purchase.report`` converts."""
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        return {
            company.id: company.currency_id._get_conversion_rate(
                company.currency_id, target, self.env.company, today
            )
            for company in companies
        }
