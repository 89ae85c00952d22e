import datetime

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.spend import ORDER, SOURCE_BY_NAME, Buckets, flush_spend, spend_lines


class ParetoSpendDaily(models.Model):
    """Spend per company, purchasing family, day and source: the maintained
    aggregate that makes the compliance of an order cost the same with ten
    thousand or ten million lines.

    One row per (company, family, day, source) with the total and the SME
    part, in company currency, vendors flagged ``pareto_excluded`` left out;
    the day is the UTC day of confirmation for orders, the invoice date for
    bills. Kept exact by PostgreSQL triggers through the change log
    ``pareto.spend.delta``; nothing writes it through the ORM.
    """

    _name = "pareto.spend.daily"
    _inherit = ["pareto.spend.mixin"]
    _description = "Daily Spend per Purchasing Family"
    _log_access = False
    _order = "day desc, id"

    family_id = fields.Many2one(required=True)
    total = fields.Float(string="Spend", digits=(16, 6), readonly=True)
    sme_total = fields.Float(string="SME Spend", digits=(16, 6), readonly=True)

    _company_family_day_uniq = models.UniqueIndex(
        "(company_id, family_id, day, source)",
        "One aggregate row per company, family, day and source.",
    )

    @api.model
    def _family_buckets(self, companies, buckets, family_ids=None, exclude_order_id=None):
        """{(bucket, company_id, family_id): (total, sme_total)}: the spend of
        ``companies`` (each its basis' source) in the families (all by
        default) per bucket of ``buckets``
        (:class:`~pareto_odoo.tools.spend.Buckets`), without the order
        ``exclude_order_id`` (its lines, or the bills' lines made from
        them), in each company's currency. One statement."""
        if family_ids is not None and not family_ids:
            return {}
        flush_spend(self.env)
        by_source = {}
        for company in companies:
            by_source.setdefault(company._pareto_spend_source(), []).append(company.id)
        parts = []
        for name, company_ids in sorted(by_source.items()):
            parts += self._family_parts(
                SOURCE_BY_NAME[name], company_ids, buckets, family_ids, exclude_order_id or 0
            )
        if not parts:
            return {}
        self.env.cr.execute(
            SQL(
                """SELECT bucket, company_id, family_id, SUM(total)::float8, SUM(sme_total)::float8
                     FROM (%s) rows WHERE bucket > 0 GROUP BY bucket, company_id, family_id""",
                SQL(" UNION ALL ").join(parts),
            )
        )
        return {
            (bucket, company_id, family_id): (total, sme_total)
            for bucket, company_id, family_id, total, sme_total in self.env.cr.fetchall()
        }

    @api.model
    def _family_parts(self, source, company_ids, buckets, family_ids, own):
        """The SELECTs (bucket, company_id, family_id, total, sme_total) of
        one source: the aggregate and the change log for the days they
        cover, the lines for the others, minus the order ``own``'s lines."""
        families = (
            SQL("TRUE")
            if family_ids is None
            else SQL("family_id = ANY(%s::int4[])", list(family_ids))
        )
        scope = SQL(
            "company_id = ANY(%s::int4[]) AND source = %s AND %s",
            company_ids,
            source.name,
            families,
        )
        condition, bucket = buckets.aggregate(source, SQL("day"))
        parts = [
            SQL(
                """SELECT %s AS bucket, company_id, family_id, total, sme_total
                     FROM %s WHERE %s AND %s""",
                bucket,
                SQL.identifier(table),
                scope,
                condition,
            )
            for table in ("pareto_spend_daily", "pareto_spend_delta")
        ]
        line_scope = SQL(
            "line.company_id = ANY(%s::int4[]) AND line.pareto_family_id IS NOT NULL AND %s",
            company_ids,
            SQL("TRUE")
            if family_ids is None
            else SQL("line.pareto_family_id = ANY(%s::int4[])", list(family_ids)),
        )
        live = buckets.live(source, source.timestamp)
        if live:
            parts.append(
                self._lines_part(
                    source,
                    SQL("%s AND %s AND head.id != %s", line_scope, live[0], own),
                    buckets.live(source, SQL("spend.moment"))[1],
                )
            )
        if own:
            parts.append(
                self._lines_part(
                    source,
                    SQL(
                        "%s AND %s AND %s",
                        line_scope,
                        buckets.aggregate(source, source.day)[0],
                        _own_lines(source, own),
                    ),
                    buckets.aggregate(source, SQL("spend.day"))[1],
                    sign=-1,
                )
            )
        return parts

    @api.model
    def _lines_part(self, source, condition, bucket, sign=1):
        """SELECT bucket, company_id, family_id, total, sme_total of the
        lines of ``source`` matching ``condition``, with the aggregate's
        rules; ``bucket`` is SQL on the ``spend`` row (``spend.day``,
        ``spend.moment``)."""
        return SQL(
            """SELECT %(bucket)s AS bucket, company_id, family_id,
                      CASE WHEN excluded THEN 0 ELSE amount END AS total,
                      CASE WHEN excluded OR NOT is_sme THEN 0 ELSE amount END AS sme_total
                 FROM (%(lines)s) spend""",
            bucket=bucket,
            lines=spend_lines(source, condition=condition, sign=sign),
        )

    @api.model
    def _family_spend(self, company, family_ids, start, end, exclude_order_id=None):
        """{family_id: (total, sme_total)} of ``company`` between the two
        local dates (inclusive), without the order ``exclude_order_id``."""
        buckets = Buckets(self.env.tz, [start, end + datetime.timedelta(days=1)])
        rows = self._family_buckets(company, buckets, family_ids, exclude_order_id)
        return {family_id: figures for (_bucket, _company, family_id), figures in rows.items()}


def _own_lines(source, order_id):
    """SQL condition: the line is the order's own (an order line of it, or
    a bill line made from one of its lines)."""
    if source is ORDER:
        return SQL("head.id = %s", order_id)
    # ``= ANY(ARRAY(...))``, not ``IN (SELECT ...)``: the order's line ids are
    # computed first and looked up in the index on purchase_line_id. As a
    # semi-join PostgreSQL merge-joined them with the whole index (every bill
    # line from any order: 14 ms at 10,000 bill lines, growing with them).
    return SQL(
        "line.purchase_line_id = ANY(ARRAY("
        "SELECT id FROM purchase_order_line WHERE order_id = %s))",
        order_id,
    )
