from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.pareto_spend_mixin import SOURCE_SELECTION
from ..tools import boolean_search, companies_local_sql
from ..tools.spend import BILL, ORDER, spend_lines
from .report_fields import amount_field, family_field, share_field, size_field


class ParetoSpendReport(models.Model):
    """Spend analysis: one row per line of spend of each company's basis —
    a confirmed purchase order line (``source`` ``order``) or a posted vendor
    bill or refund line (``bill``, refunds negative), sections, notes and
    down payments left out — converted to the current company's currency at
    Odoo's rates of today (as ``purchase.report``), with the vendor company's
    size class and locality (for the row's company).

    Lines with vendors flagged ``pareto_excluded`` are left out of the view,
    so that every share computed on it (pivot, graph, dashboard, exports)
    leaves them out, as the domain rules require.

    ``_table_query`` is evaluated for every query: the spend date is taken in
    the current user's timezone and locality uses each company's current
    settings."""

    _name = "pareto.spend.report"
    _description = "SME Spend Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "order_id"

    source = fields.Selection(SOURCE_SELECTION, readonly=True)
    date = fields.Date(string="Spend Date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    # Groups without a family or a size read as the dashboard says them.
    family_id = family_field("Purchasing Family")
    top_family_id = family_field(
        "Top-level Family",
        help="The root of the line's family: groups sub-families under their parent.",
    )
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    pareto_size = size_field()
    is_sme = fields.Boolean(string="SME", readonly=True)
    is_local = fields.Boolean(
        string="Local",
        readonly=True,
        help="The vendor is local to the line's company (département list or radius).",
    )
    amount = amount_field("Spend")
    sme_amount = amount_field("SME Spend")
    local_sme_amount = amount_field("Local SME Spend")
    known_size_amount = amount_field("Spend with Known Size")
    sme_share = share_field(
        "SME Share (%)", help="SME spend / spend x 100 (weighted by spend when grouped)."
    )
    local_sme_share = share_field("Local SME Share (%)")
    coverage = share_field("Size Known (%)", help="Share of the spend whose vendor size is known.")
    jobs_supported = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="SME spend / the SME's turnover per employee, when its headcount and "
        "turnover are known.",
    )
    jobs_unknown_amount = amount_field(
        "SME Spend without Jobs Figures",
        help="SME spend whose vendor's headcount or turnover is unknown.",
    )
    is_ess = fields.Boolean(string="Social Economy (ESS)", readonly=True)
    is_siae = fields.Boolean(string="Work Integration (SIAE)", readonly=True)
    ess_amount = amount_field("ESS Spend")
    siae_amount = amount_field("SIAE Spend")
    ess_share = share_field("ESS Share (%)")
    siae_share = share_field("SIAE Share (%)")
    order_id = fields.Many2one("purchase.order", string="Purchase Order", readonly=True)
    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    category_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    in_current_period = fields.Boolean(
        string="Current Period",
        compute="_compute_in_current_period",
        search="_search_in_current_period",
        help="The spend date is in the current compliance period of the line's company.",
    )

    # Ratio measures: grouped rows show the spend-weighted ratio of the group.
    _RATIO_MEASURES = {
        "sme_share": "sme_amount",
        "local_sme_share": "local_sme_amount",
        "coverage": "known_size_amount",
        "ess_share": "ess_amount",
        "siae_share": "siae_amount",
    }

    # What the view reads: the ORM flushes these fields before querying it.
    _depends = {
        "purchase.order.line": [*ORDER.line_columns, "product_id"],
        "purchase.order": list(ORDER.head_columns),
        "account.move.line": [*BILL.line_columns, "product_id", "purchase_line_id"],
        "account.move": list(BILL.head_columns),
        "res.partner": [
            "commercial_partner_id", "pareto_size", "pareto_is_sme", "pareto_excluded",
            "pareto_department", "partner_latitude", "partner_longitude",
            "pareto_headcount", "pareto_turnover", "pareto_is_ess", "pareto_is_siae",
        ],
        "res.company": ["currency_id", "pareto_spend_basis"],
        "pareto.family": ["parent_path"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }  # fmt: skip

    @property
    def _table_query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    def _companies(self):
        """Every company (a few rows): the view inlines each one's basis,
        locality settings and currency rate; record rules then keep the
        rows of the user's companies."""
        Company = self.env["res.company"].sudo().with_context(active_test=False)
        return Company.search([])  # pylint: disable=no-search-all

    def _spend(self):
        """The spend rows of every company on its basis: its confirmed order
        lines, or its posted bill lines (the one SQL definition of spend)."""
        by_source = {}
        for company in self._companies():
            by_source.setdefault(company._pareto_spend_source(), []).append(company.id)
        tz = str(self.env.tz)
        parts = []
        for source, key, date, order, move in (
            (ORDER, 0, SQL("(timezone(%s, timezone('UTC', head.date_approve)))::date", tz),
             SQL("head.id"), SQL("NULL::int4")),
            (BILL, 1, SQL("head.invoice_date"), SQL("purchase.order_id"), SQL("head.id")),
        ):  # fmt: skip
            joins = (
                SQL("LEFT JOIN purchase_order_line purchase ON purchase.id = line.purchase_line_id")
                if source is BILL
                else None
            )
            parts.append(
                spend_lines(
                    source,
                    condition=SQL(
                        "line.company_id = ANY(%s::int4[])", by_source.get(source.name) or [0]
                    ),
                    columns=SQL(
                        """line.id * 2 + %(key)s AS id, %(source)s AS source, %(date)s AS date,
                           %(order)s AS order_id, %(move)s AS move_id, line.product_id""",
                        key=key,
                        source=source.name,
                        date=date,
                        order=order,
                        move=move,
                    ),
                    joins=joins,
                )
            )
        return SQL(" UNION ALL ").join(parts)

    def _select(self):
        amount = SQL("(spend.amount * rate.rate)")
        sme = SQL("spend.is_sme")

        def when(condition, value=amount):
            return SQL("CASE WHEN %s THEN %s ELSE 0.0 END", condition, value)

        def columns(values):
            """``value AS name, ...`` of ``{name: value}``."""
            return SQL(", ").join(
                SQL("%s AS %s", value, SQL.identifier(name)) for name, value in values.items()
            )

        has_figures = SQL(
            "(COALESCE(vendor.pareto_headcount, 0) > 0 AND COALESCE(vendor.pareto_turnover, 0) > 0)"
        )
        local = companies_local_sql(self._companies(), SQL("spend.company_id"), "vendor")
        ess = SQL("COALESCE(vendor.pareto_is_ess, FALSE)")
        siae = SQL("COALESCE(vendor.pareto_is_siae, FALSE)")
        # Each ratio measure and its amount: the spend of the vendors meeting one condition.
        conditions = {
            "sme_share": sme,
            "local_sme_share": SQL("%s AND %s", sme, local),
            "coverage": SQL("vendor.pareto_size IS NOT NULL"),
            "ess_share": ess,
            "siae_share": siae,
        }
        ratios = {}
        for share, condition in conditions.items():
            ratios[self._RATIO_MEASURES[share]] = when(condition)
            ratios[share] = when(condition, SQL("100.0"))
        return SQL(
            """
            SELECT spend.id, spend.source, spend.date, spend.company_id,
                   %(currency)s AS currency_id,
                   spend.family_id, split_part(family.parent_path, '/', 1)::int AS top_family_id,
                   vendor.id AS partner_id, vendor.pareto_size, %(flags)s,
                   %(amount)s AS amount, %(ratios)s,
                   %(jobs)s AS jobs_supported,
                   %(jobs_unknown)s AS jobs_unknown_amount,
                   spend.order_id, spend.move_id, spend.product_id,
                   template.categ_id AS category_id
            """,
            currency=self.env.company.currency_id.id,
            flags=columns({"is_sme": sme, "is_local": local, "is_ess": ess, "is_siae": siae}),
            amount=amount,
            ratios=columns(ratios),
            jobs=when(
                SQL("%s AND %s", sme, has_figures),
                SQL("%s * vendor.pareto_headcount / vendor.pareto_turnover", amount),
            ),
            jobs_unknown=when(SQL("%s AND NOT %s", sme, has_figures)),
        )

    def _from(self):
        rates = self.env["pareto.spend.vendor"]._company_rates(self._companies())
        return SQL(
            """
            FROM (%(spend)s) spend
            JOIN (VALUES %(rates)s) AS rate(company_id, rate) ON rate.company_id = spend.company_id
            JOIN res_partner vendor ON vendor.id = spend.vendor_id
            LEFT JOIN pareto_family family ON family.id = spend.family_id
            LEFT JOIN product_product product ON product.id = spend.product_id
            LEFT JOIN product_template template ON template.id = product.product_tmpl_id
            """,
            spend=self._spend(),
            rates=SQL(", ").join(
                SQL("(%s, %s::numeric)", company_id, rate) for company_id, rate in rates.items()
            ),
        )

    def _where(self):
        return SQL("WHERE NOT spend.excluded")

    def _read_group_select(self, aggregate_spec, query):
        fname, _property, func = models.parse_read_group_spec(aggregate_spec)
        numerator = self._RATIO_MEASURES.get(fname)
        if numerator and func == "avg":
            return SQL(
                "SUM(%s) * 100.0 / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, "amount", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _read_group_orderby(self, order, groupby_terms, query):
        # Selection groups (the size classes: micro ... large, then unknown)
        # in the order of their selection, not of their raw values.
        selections = {
            spec: field
            for spec in groupby_terms
            if (field := self._fields.get(spec)) is not None and field.type == "selection"
        }
        ranked = dict(groupby_terms)
        for spec, field in selections.items():
            ranked[spec] = SQL(
                "array_position(%s::text[], %s::text)",
                field.get_values(self.env),
                groupby_terms[spec],
            )
        result = super()._read_group_orderby(order, ranked, query)
        # The standard method adds the order columns of many2one terms to them.
        groupby_terms.update((spec, ranked[spec]) for spec in ranked if spec not in selections)
        return result

    # Aggregates that can be computed from the finest grouping's: the pivot
    # asks for several grouping sets at once (none, rows, columns, both).
    _MERGEABLE = {"sum": sum, "min": min, "max": max}

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        """Grouping sets of additive aggregates in one parallel query.

        PostgreSQL runs ``GROUP BY GROUPING SETS`` without parallel workers:
        on millions of lines the pivot's request (four grouping sets) takes
        several times one ``GROUP BY``. When every aggregate can be merged
        (sums, counts, min/max, the ratio measures), the finest grouping is
        read once with ``_read_group`` and the other sets are summed up from
        it in Python (a few hundred groups). Other requests, and explicit
        orders, go to the standard implementation."""
        specs = list(dict.fromkeys(spec for grouping in grouping_sets for spec in grouping))
        plan = self._grouping_sets_plan(aggregates)
        directions = self._grouping_sets_order(order, specs)
        if len(grouping_sets) < 2 or not specs or plan is None or directions is None:
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order=order)
        queried = list(dict.fromkeys(spec for parts in plan for spec, _func in parts))
        rows = self._read_group(domain, specs, queried)
        if not rows:
            return [[] for _grouping in grouping_sets]
        width = len(specs)
        ranks = {
            spec: self._group_value_ranks(spec, {row[index] for row in rows}, bool(order))
            for index, spec in enumerate(specs)
        }

        def sort_key(group, grouping):
            key = []
            for spec, descending in directions:
                if spec in grouping:
                    rank = ranks[spec][group[grouping.index(spec)]]
                    # PostgreSQL: empty values last when ascending, first when descending.
                    key.append(
                        (rank is not None, -(rank or 0))
                        if descending
                        else (rank is None, rank or 0)
                    )
            return key

        result = []
        for grouping in grouping_sets:
            positions = [specs.index(spec) for spec in grouping]
            groups = {}
            for row in rows:
                key = tuple(row[position] for position in positions)
                groups.setdefault(key, []).append(row[width:])
            merged = []
            for key, values in groups.items():
                columns = dict(zip(queried, zip(*values, strict=True), strict=True))
                merged.append(key + tuple(self._merge_aggregate(parts, columns) for parts in plan))
            merged.sort(key=lambda group, grouping=tuple(grouping): sort_key(group, grouping))
            result.append(merged)
        return result

    @api.model
    def _grouping_sets_plan(self, aggregates):
        """For each aggregate, the [(queried aggregate, merge function)] it is
        computed from; None when one cannot be merged."""
        plan = []
        for spec in aggregates:
            if spec == "__count":
                plan.append([("__count", sum)])
                continue
            fname, property_name, func = models.parse_read_group_spec(spec)
            field = self._fields.get(fname)
            if property_name or not field:
                return None
            if func == "avg" and fname in self._RATIO_MEASURES:
                numerator = f"{self._RATIO_MEASURES[fname]}:sum"
                plan.append([(numerator, sum), ("amount:sum", sum)])
            elif func in self._MERGEABLE and field.type in ("integer", "float", "monetary"):
                plan.append([(spec, self._MERGEABLE[func])])
            else:
                return None
        return plan

    @api.model
    def _merge_aggregate(self, parts, columns):
        merged = []
        for spec, function in parts:
            values = [value for value in columns[spec] if value is not None]
            merged.append(function(values) if values else None)
        if len(merged) == 2:  # a ratio measure: numerator and amount sums
            numerator, amount = merged
            return numerator * 100.0 / amount if amount else None
        return merged[0]

    @api.model
    def _grouping_sets_order(self, order, specs):
        """[(spec, descending)] of an order made of group-by specs only (what
        the web client sends), or of the default order; None otherwise."""
        if not order:
            return [(spec, False) for spec in specs]
        directions = []
        for part in order.split(","):
            words = part.split()
            if not words or words[0] not in specs or len(words) > 2:
                return None
            if len(words) == 2 and words[1].upper() not in ("ASC", "DESC"):
                return None
            directions.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
        return directions + [(spec, False) for spec in specs if spec not in dict(directions)]

    @api.model
    def _group_value_ranks(self, spec, values, traverse_many2one):
        """{group value: rank} in the order PostgreSQL sorts the group-by
        term (None for empty values): raw values, or the comodel's order for
        many2one values when the order is explicit, as ``_read_group_orderby``."""
        field = self._fields[models.parse_read_group_spec(spec)[0]]
        if field.type == "boolean":
            return {value: int(bool(value)) for value in values}
        present = [value for value in values if value not in (None, False) and value != ()]
        if field.type == "many2one":
            present = [value for value in present if value]
            records = self.env[field.comodel_name].union(*present)
            if traverse_many2one:  # the comodel's _order, in SQL as the standard query
                records = (
                    records.sudo()
                    .with_context(active_test=False)
                    .search(Domain("id", "in", records.ids))
                )
            else:
                records = records.sorted("id")
            order = {record.id: rank for rank, record in enumerate(records)}
            return {value: order[value.id] if value else None for value in values}
        if field.type == "selection":  # in selection order, as _read_group_orderby
            order = {value: rank for rank, value in enumerate(field.get_values(self.env))}
        else:
            order = {value: rank for rank, value in enumerate(sorted(present))}
        return {value: order.get(value) for value in values}

    @api.depends("date", "company_id")
    def _compute_in_current_period(self):
        bounds = {}
        for row in self:
            company = row.company_id
            if company not in bounds:
                bounds[company] = company._pareto_period_bounds()
            start, end = bounds[company]
            row.in_current_period = bool(row.date) and start <= row.date <= end

    def _search_in_current_period(self, operator, value):
        current = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("date", ">=", start)
            & Domain("date", "<=", end)
            for company in self.env.companies
            for start, end in [company._pareto_period_bounds()]
        )
        return boolean_search(operator, value, current)
