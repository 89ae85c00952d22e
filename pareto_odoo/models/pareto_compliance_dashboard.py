import datetime
import io
import math
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..engine import analysis, compliance, payments, sizes
from ..tools import params
from ..tools.spend import Buckets

TOP_VENDORS = 5
TREND_MONTHS = 12
# Family keys of the engine frames: the family id as text; lines without a
# family are given "" and come back from the engine as its "Unclassified".
UNCLASSIFIED_KEY = analysis.UNCLASSIFIED
# The dashboard's period kind for dates given by the user.
CUSTOM = "custom"


def _clean(value):
    """A JSON-friendly scalar: NaN/NA become None, numpy types plain Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


@dataclass(frozen=True)
class Scope:
    """What a dashboard, an export or an alert covers: the companies (their
    spend converted to the current company's currency), the period kind and
    its bounds, and the same period a year earlier."""

    companies: object
    period: str
    start: datetime.date
    end: datetime.date
    day: datetime.date

    @property
    def previous(self):
        return self.start - relativedelta(years=1), self.end - relativedelta(years=1)


class ParetoComplianceDashboard(models.AbstractModel):
    """The procurement heads' compliance dashboard: one row per purchasing
    family for any period and one or several companies, computed by the
    engine (:mod:`pareto_odoo.engine.analysis`, the same code as the
    standalone diagnostic) from the vendor aggregate ``pareto.spend.vendor``
    (spend by family and vendor, read in PostgreSQL) and the family
    aggregate ``pareto.spend.daily`` (the trend), never from the lines."""

    _name = "pareto.compliance.dashboard"
    _description = "SME Compliance Dashboard"

    PERIODS = (compliance.CALENDAR_YEAR, compliance.FISCAL_YEAR, compliance.ROLLING_12, CUSTOM)

    # ------------------------------------------------------------------
    # Scope: companies and period
    # ------------------------------------------------------------------

    @api.model
    def _scope(self, options=None):
        """The :class:`Scope` of the client's ``options``: ``company_ids``
        (default: the companies selected in the company switcher; only those
        the user may work in), ``period`` (default: the current company's),
        ``date_from``/``date_to`` for a custom period, ``day`` (default
        today) for the others. Bad values get a UserError saying why."""
        options = options if isinstance(options, dict) else {}
        allowed = self.env.user.company_ids
        # The companies selected in the web client's switcher; else the current one.
        selected = self.env.companies if "allowed_company_ids" in self.env.context else None
        ids = params.parse_ids(self.env, options.get("company_ids"), "company_ids")
        companies = (allowed.browse(ids) & allowed) if ids else (selected or self.env.company)
        companies = companies or self.env.company
        company = self.env.company if self.env.company in companies else companies[:1]
        period = options.get("period") or company.pareto_period or compliance.CALENDAR_YEAR
        if period not in self.PERIODS:
            raise params.InvalidParameter(self.env._("Unknown period: %s.", params.shown(period)))
        day = self._date_option(options, "day") or fields.Date.context_today(self)
        if period == CUSTOM:
            start = self._date_option(options, "date_from")
            end = self._date_option(options, "date_to")
            if not start or not end or start > end:
                raise UserError(self.env._("Give a start date and an end date, the start first."))
        else:
            start, end = company._pareto_period_bounds(day, period)
        return Scope(companies.sorted("id"), period, start, end, day)

    @api.model
    def _date_option(self, options, key):
        return params.parse_date(self.env, options.get(key), key)

    # ------------------------------------------------------------------
    # Data: the aggregates, then the engine
    # ------------------------------------------------------------------

    @api.model
    def _families_of(self, companies, extra_ids=()):
        """The active families that apply to ``companies``, plus ``extra_ids``
        (families with spend, even archived)."""
        Family = self.env["pareto.family"]
        families = Family.search(Domain("company_id", "in", [False, *companies.ids]))
        return families | Family.with_context(active_test=False).browse(extra_ids).exists()

    @api.model
    def _period_frames(self, scope, start, end):
        """(purchases, suppliers, family ids) for the engine: the spend of the
        scope's companies between the two dates by family, vendor and
        locality (one query on the vendor aggregate), with the vendors'
        attributes, converted to the current company's currency."""
        Vendor = self.env["pareto.spend.vendor"]
        buckets = Buckets(self.env.tz, [start, end + datetime.timedelta(days=1)])
        rates = Vendor._company_rates(scope.companies)
        records = Vendor._vendor_rows(scope.companies, buckets)
        count = len(records)
        columns = list(zip(*records, strict=True)) or [()] * 6
        _buckets, company_ids, family_ids, vendor_ids, is_local, amounts = columns
        families = np.fromiter((family_id or 0 for family_id in family_ids), np.int64, count)
        vendor_ids = np.fromiter(vendor_ids, np.int64, count)
        rates = np.fromiter((rates[company_id] for company_id in company_ids), float, count)
        purchases = pd.DataFrame(
            {
                "date": np.full(count, np.datetime64(end, "ns")),
                "supplier_id": vendor_ids,
                "family": np.where(families > 0, families.astype(str), "").astype(object),
                "amount": np.fromiter(amounts, float, count) * rates,
                "is_local": np.fromiter(is_local, bool, count),
            },
            columns=[*analysis.PURCHASE_COLUMNS, "is_local"],
        )
        # One row per vendor: its attributes.
        vendor_ids = np.unique(vendor_ids)
        attributes = pd.DataFrame.from_dict(
            Vendor._vendor_attributes(vendor_ids.tolist()),
            orient="index",
            columns=list(Vendor.VENDOR_COLUMNS),
        ).reindex(vendor_ids)
        suppliers = pd.DataFrame(
            {
                "supplier_id": vendor_ids,
                "name": attributes["name"].fillna("").to_numpy(),
                "size": attributes["pareto_size"].fillna("").to_numpy(),
                "headcount": pd.to_numeric(attributes["pareto_headcount"]).to_numpy(),
                "turnover": pd.to_numeric(attributes["pareto_turnover"]).to_numpy(),
                "is_ess": attributes["pareto_is_ess"].eq(True).to_numpy(),
                "is_siae": attributes["pareto_is_siae"].eq(True).to_numpy(),
            },
            columns=[*analysis.SUPPLIER_COLUMNS, "headcount", "turnover", "is_ess", "is_siae"],
        )
        return purchases, suppliers, set(families[families > 0].tolist())

    @api.model
    def _trend(self, scope, end):
        """(months, {family id: {month: (total, sme_total)}}) over the
        ``TREND_MONTHS`` calendar months ending with the month of ``end``,
        from the family aggregate, in the current company's currency."""
        first = end.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
        months = [first + relativedelta(months=index) for index in range(TREND_MONTHS + 1)]
        rows = self.env["pareto.spend.daily"]._family_buckets(
            scope.companies, Buckets(self.env.tz, months)
        )
        Vendor = self.env["pareto.spend.vendor"]
        rates = Vendor._company_rates(scope.companies)
        # Unclassified spend is only in the vendor aggregate.
        unclassified = Vendor._vendor_rows(
            scope.companies, Buckets(self.env.tz, months), SQL("family_id IS NULL")
        )
        sme = set(
            self.env["res.partner"]
            .sudo()
            .browse({row[3] for row in unclassified})
            .filtered("pareto_is_sme")
            .ids
        )
        rows = [*rows.items()] + [
            ((bucket, company_id, False), (amount, amount if vendor in sme else 0.0))
            for bucket, company_id, _family, vendor, _local, amount, *_attributes in unclassified
        ]
        trend = {}
        for (bucket, company_id, family_id), (total, sme_total) in rows:
            monthly = trend.setdefault(family_id, {})
            month = months[bucket - 1]
            previous = monthly.get(month, (0.0, 0.0))
            rate = rates[company_id]
            monthly[month] = (previous[0] + total * rate, previous[1] + sme_total * rate)
        return months[:-1], trend

    @api.model
    def _tables(self, scope, start, end, with_top=True):
        """(table, totals, top, purchases, suppliers, families by engine key)
        of the engine for the scope's companies between the two dates (top
        non-SME vendors only ``with_top``)."""
        company = self.env.company if self.env.company in scope.companies else scope.companies[0]
        purchases, suppliers, family_ids = self._period_frames(scope, start, end)
        families = self._families_of(scope.companies, family_ids)
        families = {str(family.id): family for family in families}
        lines = analysis.spend_lines(purchases, suppliers)
        table = analysis.family_table(
            purchases,
            suppliers,
            {key: family.target_share for key, family in families.items()},
            default_target=company.pareto_default_target,
            margin=company.pareto_warning_margin,
            lines=lines,
        )
        top = (
            analysis.top_non_sme_suppliers(purchases, suppliers, n=TOP_VENDORS, lines=lines)
            if with_top
            else None
        )
        return table, analysis.totals(table), top, purchases, suppliers, families

    @api.model
    def _compute(self, scope):
        """Everything the dashboard and the exports show for ``scope``: the
        family table, its totals and top non-SME vendors, the same for the
        period a year earlier, and the 12-month trend."""
        table, totals, top, purchases, suppliers, families = self._tables(
            scope, scope.start, scope.end
        )
        previous_table, previous_totals, *_rest = self._tables(
            scope, *scope.previous, with_top=False
        )
        # The trend ends with the period, or today when the period is not over.
        months, trend = self._trend(scope, min(scope.end, scope.day))
        names = {key: family.display_name for key, family in families.items()}
        names[UNCLASSIFIED_KEY] = self.env._("Unclassified")
        table = self._named(table, families, names)
        top = top.assign(
            family_id=[families[key].id if key in families else False for key in top["family"]],
            family_name=[names.get(key, key) for key in top["family"]],
            partner_id=top["supplier_id"].astype(int),
        )
        return {
            "scope": scope,
            "start": scope.start,
            "end": scope.end,
            "purchases": purchases,
            "suppliers": suppliers,
            "table": table,
            "totals": totals,
            "previous": previous_table.set_index("family"),
            "previous_totals": previous_totals,
            "top": top,
            "months": months,
            "trend": trend,
        }

    @api.model
    def _named(self, table, families, names):
        """The family table with ``family_id`` and ``family_name``, sorted by
        name (in the user's language), Unclassified last."""
        table = table.assign(
            family_id=[families[key].id if key in families else False for key in table["family"]],
            family_name=[names.get(key, key) for key in table["family"]],
        )
        table = table.assign(
            _unclassified=table["family_id"].eq(False),
            _name=table["family_name"].str.casefold(),
        ).sort_values(["_unclassified", "_name"], kind="stable")
        return table.drop(columns=["_unclassified", "_name"]).reset_index(drop=True)

    # ------------------------------------------------------------------
    # The dashboard (client action)
    # ------------------------------------------------------------------

    # Every column of the engine's family table but the family itself.
    _ROW_FIELDS = tuple(c for c in analysis.FAMILY_TABLE_COLUMNS if c != "family")

    @api.model
    @api.readonly
    def get_dashboard_data(self, options=None):
        """The dashboard's data for ``options`` (see :meth:`_scope`),
        JSON-ready: the scope, one row per family with its figures, the same
        figures a year earlier (``previous``), its trend and top non-SME
        vendors, the total row, and the vendors of unknown size (for the
        coverage link)."""
        scope = self._scope(options)
        data = self._compute(scope)
        families = [self._family_row(data, row) for row in data["table"].to_dict("records")]
        total = data["totals"].to_dict("records")[0] if len(data["totals"]) else {}
        previous_total = (
            data["previous_totals"].to_dict("records")[0] if len(data["previous_totals"]) else {}
        )
        suppliers = data["suppliers"]
        unknown_ids = [int(key) for key in suppliers.loc[suppliers["size"] == "", "supplier_id"]]
        values = {
            **self._scope_values(scope),
            "months": [fields.Date.to_string(month) for month in data["months"]],
            "families": families,
            "total": {key: _clean(total.get(key)) for key in self._ROW_FIELDS},
            "previous_total": {key: _clean(previous_total.get(key)) for key in self._ROW_FIELDS},
            "unknown_size_partner_ids": unknown_ids,
            "size_labels": self._size_labels(),
            "trend_view_id": self.env.ref("pareto_odoo.pareto_spend_report_view_graph_trend").id,
        }
        return self._add_status_labels(values)

    @api.model
    @api.readonly
    def get_dependent_vendors(self, options=None):
        """The vendors whose turnover depends on the companies of ``options``
        (as :meth:`get_dashboard_data`) above the current company's threshold:
        our spend of the last 12 months in percent of their latest turnover,
        the most dependent first. Its own request: the dashboard's figures do
        not wait for it."""
        scope = self._scope(options)
        Partner = self.env["res.partner"]
        spend = Partner._pareto_twelve_month_spend(scope.companies)
        vendors = Partner.browse(spend).filtered(lambda vendor: vendor.pareto_turnover > 0)
        threshold = self.env.company.pareto_dependency_threshold
        rows = []
        for vendor in vendors:
            dependency = payments.dependency(spend[vendor.id], vendor.pareto_turnover)
            if payments.is_dependent(dependency, threshold):
                rows.append(
                    {
                        "partner_id": vendor.id,
                        "name": vendor.display_name,
                        "size": vendor.pareto_size or False,
                        "dependency": dependency,
                        "spend": _clean(spend[vendor.id]),
                        "turnover": vendor.pareto_turnover,
                        "year": vendor.pareto_finance_year or vendor.pareto_size_year or False,
                    }
                )
        return sorted(rows, key=lambda row: -row["dependency"])

    @api.model
    def _family_row(self, data, row):
        family_id = row["family_id"]
        monthly = data["trend"].get(family_id, {})
        previous = data["previous"]
        before = previous.loc[row["family"]].to_dict() if row["family"] in previous.index else {}
        return {
            "family_id": family_id,
            "name": row["family_name"],
            **{key: _clean(row[key]) for key in self._ROW_FIELDS},
            "previous": {key: _clean(before.get(key)) for key in self._ROW_FIELDS},
            "trend": [
                _clean(compliance.share(*reversed(monthly.get(month, (0.0, 0.0)))))
                for month in data["months"]
            ],
            "top": [
                {
                    "partner_id": int(vendor["partner_id"]),
                    "name": vendor["name"],
                    "size": vendor["size"] or False,
                    "amount": _clean(vendor["amount"]),
                }
                for vendor in data["top"].to_dict("records")
                if vendor["family_id"] == family_id
            ],
        }

    @api.model
    def _scope_values(self, scope):
        """The scope as the client shows it and sends it back."""
        company = self.env.company
        previous_start, previous_end = scope.previous
        periods = dict(self._period_selection())
        return {
            "options": {
                "company_ids": scope.companies.ids,
                "period": scope.period,
                "date_from": fields.Date.to_string(scope.start),
                "date_to": fields.Date.to_string(scope.end),
            },
            "companies": [{"id": c.id, "name": c.name} for c in self.env.user.company_ids],
            "company_id": company.id,
            "company_name": ", ".join(scope.companies.mapped("name")),
            "currency_id": company.currency_id.id,
            "period_start": fields.Date.to_string(scope.start),
            "period_end": fields.Date.to_string(scope.end),
            "previous_start": fields.Date.to_string(previous_start),
            "previous_end": fields.Date.to_string(previous_end),
            "period_kind": periods.get(scope.period, ""),
            "periods": self._period_selection(),
            "margin": company.pareto_warning_margin,
            "basis_labels": self._basis_labels(scope.companies),
        }

    @api.model
    def _period_selection(self):
        periods = self.env["res.company"]._fields["pareto_period"]._description_selection(self.env)
        return [*periods, (CUSTOM, self.env._("Custom dates"))]

    @api.model
    def _basis_labels(self, companies):
        """What counts as spend for the companies, in words."""
        labels = {
            compliance.ORDERED: self.env._("confirmed purchase order lines, dated by confirmation"),
            compliance.INVOICED: self.env._(
                "posted vendor bills minus refunds, dated by invoice date"
            ),
        }
        bases = sorted(set(companies.mapped("pareto_spend_basis")))
        return "; ".join(labels[basis] for basis in bases)

    @api.model
    def _size_labels(self):
        return dict(self.env["res.partner"]._fields["pareto_size"]._description_selection(self.env))

    @api.model
    def action_export_xlsx(self, options=None):
        scope = self._scope(options)
        query = urlencode(
            {
                "company_ids": ",".join(str(company_id) for company_id in scope.companies.ids),
                "period": scope.period,
                "date_from": fields.Date.to_string(scope.start),
                "date_to": fields.Date.to_string(scope.end),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/pareto_odoo/compliance.xlsx?{query}",
            "target": "download",
        }

    @api.model
    def action_print_summary(self, options=None):
        scope = self._scope(options)
        return self.env.ref("pareto_odoo.action_report_compliance_summary").report_action(
            self.env.company,
            data={
                "company_ids": scope.companies.ids,
                "period": CUSTOM,
                "date_from": fields.Date.to_string(scope.start),
                "date_to": fields.Date.to_string(scope.end),
            },
        )

    # ------------------------------------------------------------------
    # Status labels: one wording for the widget, the dashboard, PDF, XLSX
    # ------------------------------------------------------------------

    @api.model
    def _status_labels(self):
        """{status: label}, as every screen and export shows the statuses:
        the labels of ``purchase.order.pareto_status`` in the user's
        language, and "No spend" for :data:`compliance.NO_SPEND`."""
        field = self.env["purchase.order"]._fields["pareto_status"]
        labels = dict(field._description_selection(self.env))
        labels[compliance.NO_SPEND] = self.env._("No spend")
        return labels

    @api.model
    def _status_summary(self, rows):
        """The total row's status in words: how many families are below
        target (else near it), rather than the worst family's status beside
        a total share that may well be on target. ``rows``: dicts with
        ``status`` and ``total``; rows without a status (Unclassified) are
        not families."""
        rows = [row for row in rows if row.get("status")]
        statuses = [row["status"] for row in rows]
        below, near = statuses.count(compliance.BELOW), statuses.count(compliance.WARNING)
        if below:
            return self.env._(
                "%(count)s / %(families)s families below target", count=below, families=len(rows)
            )
        if near:
            return self.env._(
                "%(count)s / %(families)s families near target", count=near, families=len(rows)
            )
        if not any(_clean(row.get("total")) for row in rows):
            return self._status_labels()[compliance.NO_SPEND]
        return self.env._("All families on target")

    @api.model
    def _add_status_labels(self, values):
        """The dashboard's ``values`` with what its rows show: each family's
        ``shown_status`` and ``status_label``, the total row's (its label
        counts the families below target), and every label
        (``status_labels``)."""
        labels = self._status_labels()
        for row in values["families"]:
            row["shown_status"] = compliance.shown_status(row["status"], row["total"])
            row["status_label"] = labels.get(row["shown_status"], "")
        total = values["total"]
        total["shown_status"] = compliance.shown_status(total.get("status"), total.get("total"))
        total["status_label"] = self._status_summary(values["families"])
        values["status_labels"] = labels
        return values

    # ------------------------------------------------------------------
    # XLSX export (pandas)
    # ------------------------------------------------------------------

    # The row (0-based) of each sheet's column headers: the companies, the
    # period and what counts as spend are written above it.
    XLSX_HEADER_ROW = 4

    @api.model
    def _xlsx_frames(self, scope):
        """(data, sheets) of the export for ``scope``: ``sheets`` is a list
        of (sheet name, DataFrame, {column header: kind}), names, headers and
        labels in the user's language. Kinds give the cells' number formats
        (see :meth:`_xlsx_number_formats`); percents are fractions (0.25 is
        25 %), as spreadsheets compute with them."""
        data = self._compute(scope)
        size_labels = {**self._size_labels(), "": self.env._("Unknown size")}
        detail = self._xlsx_detail(data, size_labels)
        sheets = [
            (self.env._("Dashboard"), *self._xlsx_dashboard(data)),
            (self.env._("Family detail"), *self._xlsx_family_detail(detail)),
            (self.env._("Trend"), *self._xlsx_trend(data)),
            (self.env._("Vendors"), *self._xlsx_vendors(detail, size_labels)),
        ]
        return data, sheets

    @api.model
    def _xlsx_frame(self, frame, columns):
        """(frame, kinds): the ``columns`` [[column, header, kind]] of
        ``frame`` under their headers, percents as fractions. (Lists, not
        tuples: Odoo's term extractor takes a tuple after a translated term
        for another call of the translation function.)"""
        frame = frame[[column for column, _header, _kind in columns]].copy()
        for column, _header, kind in columns:
            if kind == "percent":
                frame[column] = pd.to_numeric(frame[column], errors="coerce") / 100.0
        frame.columns = [header for _column, header, _kind in columns]
        return frame.reset_index(drop=True), {header: kind for _c, header, kind in columns}

    @api.model
    def _xlsx_dashboard(self, data):
        """The dashboard's rows, the total row last (its status says how
        many families are below target)."""
        labels = self._status_labels()
        table, previous = data["table"], data["previous"]
        shown = [
            compliance.shown_status(status, total)
            for status, total in zip(table["status"], table["total"], strict=True)
        ]
        table = table.assign(
            status_label=[labels.get(status, "") for status in shown],
            previous_share=[
                previous.at[key, "share"] if key in previous.index else None
                for key in table["family"]
            ],
        )
        previous_totals = data["previous_totals"]
        totals = data["totals"].assign(
            family_name=self.env._("Total"),
            status_label=self._status_summary(table.to_dict("records")),
            previous_share=previous_totals["share"].iloc[0] if len(previous_totals) else None,
        )
        columns = [
            ["family_name", self.env._("Family"), "text"],
            ["total", self.env._("Spend"), "amount"],
            ["sme_total", self.env._("SME spend"), "amount"],
            ["local_sme_total", self.env._("Local SME spend"), "amount"],
            ["share", self.env._("SME share"), "percent"],
            ["previous_share", self.env._("SME share a year earlier"), "percent"],
            ["local_share", self.env._("Local SME share"), "percent"],
            ["target", self.env._("Target"), "percent"],
            ["gap", self.env._("Gap (points)"), "points"],
            ["shift_amount", self.env._("Shift to SMEs"), "amount"],
            ["status_label", self.env._("Status"), "text"],
            ["coverage", self.env._("Size known"), "percent"],
            ["suppliers", self.env._("Vendors"), "integer"],
            ["sme_suppliers", self.env._("SME vendors"), "integer"],
            ["jobs_supported", self.env._("Jobs supported"), "number"],
            ["jobs_unknown_spend", self.env._("SME spend without jobs figures"), "amount"],
            ["ess_share", self.env._("ESS share"), "percent"],
            ["siae_share", self.env._("SIAE share"), "percent"],
        ]
        return self._xlsx_frame(pd.concat([table, totals], ignore_index=True), columns)

    @api.model
    def _xlsx_detail(self, data, size_labels):
        """One row per family and vendor, largest first within each family,
        with the vendor's attributes (local to one of the scope's companies)."""
        # The engine's vendor keys are text: the same dtype on both sides, even
        # when a scope has no spend (pandas refuses to join an empty float
        # column with an object one).
        vendors = data["suppliers"].astype({"supplier_id": str}).set_index("supplier_id")
        purchases = data["purchases"].astype({"supplier_id": str})
        local = purchases.groupby("supplier_id")["is_local"].any()
        vendors["is_local"] = local.reindex(vendors.index, fill_value=False).astype(bool)
        detail = purchases.groupby(["family", "supplier_id"], as_index=False)["amount"]
        detail = detail.sum().join(vendors, on="supplier_id")
        table = data["table"]
        # The engine's family keys: "" in the purchases, Unclassified in the table.
        family_keys = detail["family"].replace("", UNCLASSIFIED_KEY)
        family_names = dict(zip(table["family"], table["family_name"], strict=True))
        family_order = {key: rank for rank, key in enumerate(table["family"])}
        family_totals = detail.groupby("family")["amount"].transform("sum")
        ranks = data["top"].set_index(["family", "supplier_id"])["rank"]
        detail = detail.assign(
            family_name=family_keys.map(family_names),
            family_order=family_keys.map(family_order),
            size_label=detail["size"].fillna("").map(size_labels),
            sme=detail["size"].fillna("").map(sizes.is_sme).astype(bool),
            family_share=detail["amount"] * 100.0 / family_totals.where(family_totals != 0),
            shift_rank=[
                ranks.get((family, supplier))
                for family, supplier in zip(family_keys, detail["supplier_id"], strict=True)
            ],
        )
        # In the dashboard's order of families, the largest vendors first.
        return detail.sort_values(
            ["family_order", "amount"], ascending=[True, False], kind="stable"
        )

    @api.model
    def _xlsx_family_detail(self, detail):
        columns = [
            ["family_name", self.env._("Family"), "text"],
            ["name", self.env._("Vendor"), "text"],
            ["size_label", self.env._("Size"), "text"],
            ["sme", self.env._("SME"), "boolean"],
            ["is_local", self.env._("Local"), "boolean"],
            ["amount", self.env._("Spend"), "amount"],
            ["family_share", self.env._("Share of family spend"), "percent"],
            ["shift_rank", self.env._("Non-SME rank (where to shift)"), "integer"],
        ]
        return self._xlsx_frame(detail, columns)

    @api.model
    def _xlsx_trend(self, data):
        """The monthly SME share of each family over the trend's months."""
        months = [
            (month, format_date(self.env, month, date_format="MMM y")) for month in data["months"]
        ]
        rows = []
        for row in data["table"].to_dict("records"):
            monthly = data["trend"].get(row["family_id"], {})
            shares = {
                month: compliance.share(*reversed(monthly.get(month, (0.0, 0.0))))
                for month, _label in months
            }
            rows.append({"family_name": row["family_name"], **shares})
        frame = pd.DataFrame(rows, columns=["family_name", *(month for month, _l in months)])
        columns = [
            ["family_name", self.env._("Family"), "text"],
            *((month, label, "percent") for month, label in months),
        ]
        return self._xlsx_frame(frame, columns)

    @api.model
    def _xlsx_vendors(self, detail, size_labels):
        """One row per vendor with spend in the scope, largest first."""
        spend = detail.groupby("supplier_id")["amount"].sum()
        local = detail.groupby("supplier_id")["is_local"].any()
        partners = self.env["res.partner"].sudo().browse([int(key) for key in spend.index])
        partners.fetch(
            ["name", "pareto_siren", "pareto_size", "pareto_size_year", "pareto_is_sme",
             "pareto_department", "pareto_headcount", "pareto_turnover"]
        )  # fmt: skip
        frame = pd.DataFrame(
            {
                "name": partners.mapped("name"),
                "siren": [partner.pareto_siren or "" for partner in partners],
                "size": [size_labels[partner.pareto_size or ""] for partner in partners],
                "year": [partner.pareto_size_year or None for partner in partners],
                "sme": partners.mapped("pareto_is_sme"),
                "local": [bool(local[str(partner.id)]) for partner in partners],
                "department": [partner.pareto_department or "" for partner in partners],
                "headcount": [partner.pareto_headcount or None for partner in partners],
                "turnover": [partner.pareto_turnover or None for partner in partners],
                "spend": [float(spend[str(partner.id)]) for partner in partners],
            }
        ).sort_values("spend", ascending=False, kind="stable")
        columns = [
            ["name", self.env._("Vendor"), "text"],
            ["siren", self.env._("SIREN"), "text"],
            ["size", self.env._("Size"), "text"],
            ["year", self.env._("Size year"), "year"],
            ["sme", self.env._("SME"), "boolean"],
            ["local", self.env._("Local"), "boolean"],
            ["department", self.env._("Département"), "text"],
            ["headcount", self.env._("Headcount"), "integer"],
            ["turnover", self.env._("Turnover"), "euros"],
            ["spend", self.env._("Spend"), "amount"],
        ]
        return self._xlsx_frame(frame, columns)

    @api.model
    def _xlsx_number_formats(self, currency):
        """Excel number formats by column kind. Amounts are in ``currency``
        (its symbol, side and decimals), turnovers in euros; the reader's
        spreadsheet shows its own separators (1 234,56 in French)."""
        digits = f".{'0' * currency.decimal_places}" if currency.decimal_places else ""
        symbol = (currency.symbol or currency.name).replace('"', "")
        if currency.position == "before":
            amount = f'"{symbol} "#,##0{digits}'
        else:
            amount = f'#,##0{digits}" {symbol}"'
        return {
            "amount": f"{amount};-{amount}",
            "euros": '#,##0" €"',
            "percent": "0.0%",
            "points": "+0.0;-0.0;0.0",
            "integer": "#,##0",
            "number": "#,##0.0",
            "year": "0",
        }

    @api.model
    def _xlsx_heading(self, scope):
        """The lines above each sheet's table: the companies, the period (and
        the same period a year earlier, in the Dashboard sheet), what counts
        as spend and the currency, dates in the user's language."""
        periods = dict(self._period_selection())
        previous_start, previous_end = scope.previous
        return [
            self.env._("SME compliance: %s", ", ".join(scope.companies.mapped("name"))),
            self.env._(
                "Period: %(start)s – %(end)s (%(kind)s); a year earlier: %(previous_start)s – "
                "%(previous_end)s",
                start=format_date(self.env, scope.start),
                end=format_date(self.env, scope.end),
                kind=periods.get(scope.period, ""),
                previous_start=format_date(self.env, previous_start),
                previous_end=format_date(self.env, previous_end),
            ),
            self.env._(
                "Spend: %(basis)s; untaxed, in %(currency)s.",
                basis=self._basis_labels(scope.companies),
                currency=self.env.company.currency_id.name,
            ),
        ]

    @api.model
    def _xlsx_content(self, scope):
        """The XLSX workbook (bytes) of the dashboard, written by pandas."""
        _data, sheets = self._xlsx_frames(scope)
        heading = self._xlsx_heading(scope)
        buffer = io.BytesIO()
        # xlsxwriter: Odoo 19 pins openpyxl 3.0.9, older than pandas requires.
        # Every text is written as text: a vendor named "=HYPERLINK(...)" is
        # not a formula, a name that looks like a URL not a link.
        text_only = {"strings_to_formulas": False, "strings_to_urls": False}
        with pd.ExcelWriter(
            buffer, engine="xlsxwriter", engine_kwargs={"options": text_only}
        ) as writer:
            formats = {
                kind: writer.book.add_format({"num_format": code})
                for kind, code in self._xlsx_number_formats(self.env.company.currency_id).items()
            }
            title = writer.book.add_format({"bold": True, "font_size": 13})
            for name, frame, kinds in sheets:
                frame.to_excel(writer, sheet_name=name, index=False, startrow=self.XLSX_HEADER_ROW)
                sheet = writer.sheets[name]
                for row, line in enumerate(heading):
                    sheet.write_string(row, 0, line, title if row == 0 else None)
                for column, header in enumerate(frame.columns):
                    width = 36 if column == 0 else max(12, min(len(header) + 2, 24))
                    sheet.set_column(column, column, width, formats.get(kinds[header]))
                sheet.freeze_panes(self.XLSX_HEADER_ROW + 1, 1)
        return buffer.getvalue()

    @api.model
    def _xlsx_filename(self, scope):
        companies = "_".join(str(company_id) for company_id in scope.companies.ids)
        return f"pareto_compliance_{companies}_{scope.start:%Y%m%d}_{scope.end:%Y%m%d}.xlsx"

    # ------------------------------------------------------------------
    # Alerts
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_targets(self, day=None):
        """Schedule an activity for the procurement managers of each family
        whose SME share of the current period is below its target, at most
        once per family and period (see ``pareto.compliance.alert``)."""
        Alert = self.env["pareto.compliance.alert"]
        created = Alert
        for company in self.env["res.company"].search([("active", "=", True)]):
            dashboard = self.with_company(company).with_context(allowed_company_ids=company.ids)
            data = dashboard._compute(dashboard._scope({"day": day and str(day)}))
            for row in data["table"].to_dict("records"):
                share = _clean(row["share"])
                if not row["family_id"] or share is None or share >= row["target"]:
                    continue
                created |= Alert._notify(company, row, data["start"], data["end"])
        return created
