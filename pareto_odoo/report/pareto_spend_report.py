from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.res_partner import SIZE_SELECTION
from ..tools import distance_km_sql


class ParetoSpendReport(models.Model):
    """Spend analysis: one row per confirmed purchase line (sections, notes
    and down payments left out), in the company's currency, with the vendor
    company's size class and locality.

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

    date = fields.Date(string="Spend Date", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    family_id = fields.Many2one("pareto.family", string="Purchasing Family", readonly=True)
    top_family_id = fields.Many2one(
        "pareto.family",
        string="Top-level Family",
        readonly=True,
        help="The root of the line's family: groups sub-families under their parent.",
    )
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    pareto_size = fields.Selection(SIZE_SELECTION, string="Company Size", readonly=True)
    is_sme = fields.Boolean(string="SME", readonly=True)
    is_local = fields.Boolean(
        string="Local",
        readonly=True,
        help="The vendor is local to the line's company (département list or radius).",
    )
    amount = fields.Monetary(string="Spend", readonly=True)
    sme_amount = fields.Monetary(string="SME Spend", readonly=True)
    local_sme_amount = fields.Monetary(string="Local SME Spend", readonly=True)
    known_size_amount = fields.Monetary(string="Spend with Known Size", readonly=True)
    sme_share = fields.Float(
        string="SME Share (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="SME spend / spend x 100 (weighted by spend when grouped).",
    )
    local_sme_share = fields.Float(
        string="Local SME Share (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    coverage = fields.Float(
        string="Size Known (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the spend whose vendor size is known.",
    )
    jobs_supported = fields.Float(
        readonly=True,
        digits=(16, 2),
        help="SME spend / the SME's turnover per employee, when its headcount and "
        "turnover are known.",
    )
    jobs_unknown_amount = fields.Monetary(
        string="SME Spend without Jobs Figures",
        readonly=True,
        help="SME spend whose vendor's headcount or turnover is unknown.",
    )
    order_id = fields.Many2one("purchase.order", string="Purchase Order", readonly=True)
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
    }

    # Columns the view reads: flushed before every query on it, so that it
    # sees the changes pending in the ORM cache of the same transaction.
    _DEPENDS = {
        "purchase.order.line": [
            "order_id", "company_id", "partner_id", "pareto_family_id", "price_subtotal",
            "display_type", "is_downpayment", "product_id",
        ],
        "purchase.order": ["state", "date_approve", "date_order", "currency_rate"],
        "res.partner": [
            "commercial_partner_id", "pareto_size", "pareto_is_sme", "pareto_excluded",
            "pareto_department", "partner_latitude", "partner_longitude",
            "pareto_headcount", "pareto_turnover",
        ],
        "res.company": ["currency_id"],
        "pareto.family": ["parent_path"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }  # fmt: skip

    @property
    def _table_query(self):
        to_flush = [
            self.env[model]._fields[fname]
            for model, fnames in self._DEPENDS.items()
            for fname in fnames
        ]
        return SQL("%s %s %s", self._select(), self._from(), self._where(), to_flush=to_flush)

    def _spend_date_sql(self):
        # date_approve is a UTC timestamp: the spend date is its date in the
        # user's timezone. Confirmed orders always have one; date_order is a
        # fallback for imported data.
        return SQL(
            "(timezone(%s, timezone('UTC', COALESCE(po.date_approve, po.date_order))))::date",
            str(self.env.tz),
        )

    def _select(self):
        # No numeric division for the (many) lines in the company's currency.
        amount = SQL(
            """(CASE WHEN COALESCE(po.currency_rate, 1.0) IN (0, 1) THEN line.price_subtotal
                     ELSE line.price_subtotal / po.currency_rate END)"""
        )
        sme = SQL("COALESCE(vendor.pareto_is_sme, FALSE)")
        has_figures = SQL(
            "(COALESCE(vendor.pareto_headcount, 0) > 0 AND COALESCE(vendor.pareto_turnover, 0) > 0)"
        )
        return SQL(
            """
            SELECT line.id AS id,
                   %(date)s AS date,
                   line.company_id AS company_id,
                   company.currency_id AS currency_id,
                   line.pareto_family_id AS family_id,
                   split_part(family.parent_path, '/', 1)::int AS top_family_id,
                   vendor.id AS partner_id,
                   vendor.pareto_size AS pareto_size,
                   %(sme)s AS is_sme,
                   %(local)s AS is_local,
                   %(amount)s AS amount,
                   CASE WHEN %(sme)s THEN %(amount)s ELSE 0.0 END AS sme_amount,
                   CASE WHEN %(sme)s AND %(local)s THEN %(amount)s ELSE 0.0 END
                       AS local_sme_amount,
                   CASE WHEN vendor.pareto_size IS NOT NULL THEN %(amount)s ELSE 0.0 END
                       AS known_size_amount,
                   CASE WHEN %(sme)s THEN 100.0 ELSE 0.0 END AS sme_share,
                   CASE WHEN %(sme)s AND %(local)s THEN 100.0 ELSE 0.0 END AS local_sme_share,
                   CASE WHEN vendor.pareto_size IS NOT NULL THEN 100.0 ELSE 0.0 END AS coverage,
                   CASE WHEN %(sme)s AND %(has_figures)s
                        THEN %(amount)s * vendor.pareto_headcount / vendor.pareto_turnover
                        ELSE 0.0 END AS jobs_supported,
                   CASE WHEN %(sme)s AND NOT %(has_figures)s THEN %(amount)s ELSE 0.0 END
                       AS jobs_unknown_amount,
                   line.order_id AS order_id,
                   line.product_id AS product_id,
                   template.categ_id AS category_id
            """,
            date=self._spend_date_sql(),
            sme=sme,
            local=self._is_local_sql(),
            amount=amount,
            has_figures=has_figures,
        )

    def _is_local_sql(self):
        """Locality of the vendor for the row's company: its département is in
        the company's list (parsed by the engine, as everywhere else), or it
        lies within the company's radius. Each company's settings are inlined
        as constants, so that no join is needed."""
        companies = (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch([], ["pareto_local_departments", "pareto_local_radius_km", "partner_id"])
        )
        cases = []
        for company in companies:
            local = SQL(
                "COALESCE(vendor.pareto_department = ANY(%s::varchar[]), FALSE)",
                company._pareto_local_department_codes(),
            )
            origin = company.partner_id
            if company.pareto_local_radius_km and (
                origin.partner_latitude or origin.partner_longitude
            ):
                distance = distance_km_sql(
                    SQL("vendor.partner_latitude"),
                    SQL("vendor.partner_longitude"),
                    origin.partner_latitude,
                    origin.partner_longitude,
                )
                local = SQL(
                    "(%s OR COALESCE(%s <= %s, FALSE))",
                    local,
                    distance,
                    company.pareto_local_radius_km,
                )
            cases.append(SQL("WHEN %s THEN %s", company.id, local))
        return SQL("(CASE line.company_id %s ELSE FALSE END)", SQL(" ").join(cases))

    def _from(self):
        return SQL(
            """
            FROM purchase_order_line line
            JOIN purchase_order po ON po.id = line.order_id
            LEFT JOIN res_company company ON company.id = line.company_id
            JOIN res_partner contact ON contact.id = line.partner_id
            JOIN res_partner vendor ON vendor.id = contact.commercial_partner_id
            LEFT JOIN pareto_family family ON family.id = line.pareto_family_id
            LEFT JOIN product_product product ON product.id = line.product_id
            LEFT JOIN product_template template ON template.id = product.product_tmpl_id
            """
        )

    def _where(self):
        return SQL(
            """
            WHERE po.state = 'purchase'
              AND line.display_type IS NULL
              AND NOT COALESCE(line.is_downpayment, FALSE)
              AND NOT COALESCE(vendor.pareto_excluded, FALSE)
            """
        )

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
        if operator != "in":
            return NotImplemented
        current = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("date", ">=", start)
            & Domain("date", "<=", end)
            for company in self.env.companies
            for start, end in [company._pareto_period_bounds()]
        )
        if True in value and False in value:
            return Domain.TRUE
        return current if True in value else ~current
