import io
import math

import pandas as pd
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain

from ..engine import analysis, compliance
from ..tools import params

TOP_VENDORS = 5
TREND_MONTHS = 12
# Family keys of the engine frames: the family id as text; lines without a
# family are given "" and come back from the engine as its "Unclassified".
UNCLASSIFIED_KEY = analysis.UNCLASSIFIED


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


class ParetoComplianceDashboard(models.AbstractModel):
    """The procurement heads' compliance dashboard: one row per purchasing
    family for the current period of a company, computed by the engine
    (:mod:`pareto_odoo.engine.analysis`, the same code as the standalone
    diagnostic) from one spend aggregate read on ``pareto.spend.report``,
    grouped by family and vendor in PostgreSQL."""

    _name = "pareto.compliance.dashboard"
    _description = "SME Compliance Dashboard"

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------

    @api.model
    def _period_bounds(self, company, day=None):
        """Inclusive (start, end) dates of ``company``'s compliance period
        containing ``day`` (default: today in the user's timezone)."""
        day = day or fields.Date.context_today(self)
        if company.pareto_period == compliance.FISCAL_YEAR:
            bounds = company.compute_fiscalyear_dates(day)
            return fields.Date.to_date(bounds["date_from"]), fields.Date.to_date(bounds["date_to"])
        return compliance.period_bounds(day, company.pareto_period or compliance.CALENDAR_YEAR)

    # ------------------------------------------------------------------
    # Data: one aggregate query, then the engine
    # ------------------------------------------------------------------

    @api.model
    def _spend_domain(self, company, start, end):
        return (
            Domain("company_id", "=", company.id)
            & Domain("date", ">=", start)
            & Domain("date", "<=", end)
        )

    @api.model
    def _families_of(self, company, extra_ids=()):
        """The active families that apply to ``company``, plus ``extra_ids``
        (families with spend, even archived)."""
        Family = self.env["pareto.family"]
        families = Family.search(Domain("company_id", "in", [False, company.id]))
        return families | Family.with_context(active_test=False).browse(extra_ids).exists()

    @api.model
    def _engine_frames(self, company, start, end):
        """(purchases, suppliers, families) for the engine: the period's
        spend grouped by family, vendor and locality (one query), the vendors'
        size and figures, and the families by engine key."""
        rows = self.env["pareto.spend.report"]._read_group(
            self._spend_domain(company, start, end),
            ["family_id", "partner_id", "is_local"],
            ["amount:sum"],
        )
        # The vendors of lines the user may read, whatever the partners' own rules.
        vendors = (
            self.env["res.partner"].sudo().browse({partner.id for _f, partner, _l, _a in rows})
        )
        vendors.fetch(["name", "pareto_size", "pareto_headcount", "pareto_turnover"])
        purchases = pd.DataFrame(
            {
                "date": [end] * len(rows),
                "supplier_id": [str(partner.id) for _f, partner, _l, _a in rows],
                "family": [str(family.id) if family else "" for family, _p, _l, _a in rows],
                "amount": [amount for _f, _p, _l, amount in rows],
            },
            columns=list(analysis.PURCHASE_COLUMNS),
        )
        local_ids = {partner.id for _f, partner, is_local, _a in rows if is_local}
        suppliers = pd.DataFrame(
            {
                "supplier_id": [str(vendor.id) for vendor in vendors],
                "name": [vendor.name or "" for vendor in vendors],
                "size": [vendor.pareto_size or "" for vendor in vendors],
                "is_local": [vendor.id in local_ids for vendor in vendors],
                "headcount": [vendor.pareto_headcount or None for vendor in vendors],
                "turnover": [vendor.pareto_turnover or None for vendor in vendors],
            },
            columns=[*analysis.SUPPLIER_COLUMNS, "is_local", "headcount", "turnover"],
        )
        families = self._families_of(company, [family.id for family, _p, _l, _a in rows if family])
        return purchases, suppliers, {str(family.id): family for family in families}

    @api.model
    def _trend(self, company, end):
        """{family id or False: {month (date): (total, sme_total)}} over the
        ``TREND_MONTHS`` calendar months ending with the month of ``end``."""
        first = end.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
        rows = self.env["pareto.spend.report"]._read_group(
            self._spend_domain(company, first, end),
            ["family_id", "date:month"],
            ["amount:sum", "sme_amount:sum"],
        )
        months = [first + relativedelta(months=index) for index in range(TREND_MONTHS)]
        trend = {}
        for family, month, total, sme_total in rows:
            trend.setdefault(family.id, {})[fields.Date.to_date(month)] = (total, sme_total)
        return months, trend

    @api.model
    def _compute(self, company=None, day=None):
        """Everything the dashboard and the exports show, for ``company``
        (default: the current company) and the period containing ``day``."""
        company = company or self.env.company
        self = self.with_company(company)  # noqa: PLW0642 - the rules of that company
        start, end = self._period_bounds(company, day)
        purchases, suppliers, families = self._engine_frames(company, start, end)
        targets = {key: family.target_share for key, family in families.items()}
        table = analysis.family_table(
            purchases,
            suppliers,
            targets,
            default_target=company.pareto_default_target,
            margin=company.pareto_warning_margin,
        )
        totals = analysis.totals(table)
        top = analysis.top_non_sme_suppliers(purchases, suppliers, n=TOP_VENDORS)
        # The trend ends with the period, or today when the period is not over.
        trend_end = min(end, day or fields.Date.context_today(self))
        months, trend = self._trend(company, trend_end)
        # Names instead of engine keys; families sorted by their full name.
        names = {key: family.display_name for key, family in families.items()}
        names[UNCLASSIFIED_KEY] = self.env._("Unclassified")
        table = table.assign(
            family_id=[families[key].id if key in families else False for key in table["family"]],
            family_name=[names.get(key, key) for key in table["family"]],
        )
        table = table.assign(
            _unclassified=table["family_id"].eq(False),
            _name=table["family_name"].str.casefold(),
        ).sort_values(["_unclassified", "_name"], kind="stable")
        table = table.drop(columns=["_unclassified", "_name"]).reset_index(drop=True)
        top = top.assign(
            family_id=[families[key].id if key in families else False for key in top["family"]],
            family_name=[names.get(key, key) for key in top["family"]],
            partner_id=top["supplier_id"].astype(int),
        )
        return {
            "company": company,
            "start": start,
            "end": end,
            "purchases": purchases,
            "suppliers": suppliers,
            "table": table,
            "totals": totals,
            "top": top,
            "months": months,
            "trend": trend,
        }

    # ------------------------------------------------------------------
    # The dashboard (client action)
    # ------------------------------------------------------------------

    # Every column of the engine's family table but the family itself.
    _ROW_FIELDS = tuple(c for c in analysis.FAMILY_TABLE_COLUMNS if c != "family")

    @api.model
    def get_dashboard_data(self, company_id=None, day=None):
        """The dashboard's data for ``company_id`` (default: the current
        company) and the period containing ``day`` (default: today),
        JSON-ready: the period, one row per family with its trend and top
        non-SME vendors, the total row, and the vendors of unknown size (for
        the coverage link)."""
        company = self._company(company_id)
        data = self._compute(company, fields.Date.to_date(day) if day else None)
        top_by_family = {}
        for row in data["top"].to_dict("records"):
            top_by_family.setdefault(row["family_id"], []).append(
                {
                    "partner_id": int(row["partner_id"]),
                    "name": row["name"],
                    "size": row["size"] or False,
                    "amount": _clean(row["amount"]),
                }
            )
        families = []
        for row in data["table"].to_dict("records"):
            family_id = row["family_id"]
            monthly = data["trend"].get(family_id, {})
            families.append(
                {
                    "family_id": family_id,
                    "name": row["family_name"],
                    **{key: _clean(row[key]) for key in self._ROW_FIELDS},
                    "trend": [
                        _clean(compliance.share(*reversed(monthly.get(month, (0.0, 0.0)))))
                        for month in data["months"]
                    ],
                    "top": top_by_family.get(family_id, []),
                }
            )
        total = data["totals"].to_dict("records")[0] if len(data["totals"]) else {}
        suppliers = data["suppliers"]
        unknown_ids = [int(key) for key in suppliers.loc[suppliers["size"] == "", "supplier_id"]]
        sizes = dict(
            self.env["res.partner"]._fields["pareto_size"]._description_selection(self.env)
        )
        period_labels = dict(
            self.env["res.company"]._fields["pareto_period"]._description_selection(self.env)
        )
        return {
            "company_id": company.id,
            "company_name": company.name,
            "currency_id": company.currency_id.id,
            "period_start": fields.Date.to_string(data["start"]),
            "period_end": fields.Date.to_string(data["end"]),
            "period_kind": period_labels.get(company.pareto_period, ""),
            "margin": company.pareto_warning_margin,
            "months": [fields.Date.to_string(month) for month in data["months"]],
            "families": families,
            "total": {key: _clean(total.get(key)) for key in self._ROW_FIELDS},
            "unknown_size_partner_ids": unknown_ids,
            "size_labels": sizes,
            "trend_view_id": self.env.ref("pareto_odoo.pareto_spend_report_view_graph_trend").id,
        }

    @api.model
    def action_export_xlsx(self, company_id=None):
        company = self._company(company_id)
        return {
            "type": "ir.actions.act_url",
            "url": f"/pareto_odoo/compliance.xlsx?company_id={company.id}",
            "target": "download",
        }

    @api.model
    def action_print_summary(self, company_id=None):
        company = self._company(company_id)
        return self.env.ref("pareto_odoo.action_report_compliance_summary").report_action(company)

    @api.model
    def _company(self, company_id):
        """The company ``company_id`` if the user may work in it, else the
        current company."""
        if company_id:
            company_id = params.parse_id(self.env, company_id, "company_id")
            company = self.env["res.company"].browse(company_id).exists()
            if company and company in self.env.user.company_ids:
                return company
        return self.env.company

    # ------------------------------------------------------------------
    # XLSX export (pandas)
    # ------------------------------------------------------------------

    XLSX_SHEETS = ("Dashboard", "Family detail", "Trend", "Vendors")

    @api.model
    def _xlsx_frames(self, company=None, day=None):
        """The export's sheets as DataFrames, by sheet name."""
        data = self._compute(company, day)
        table, totals = data["table"], data["totals"]
        sizes = dict(
            self.env["res.partner"]._fields["pareto_size"]._description_selection(self.env)
        )
        columns = {
            "family_name": "Family",
            "total": "Spend",
            "sme_total": "SME spend",
            "local_sme_total": "Local SME spend",
            "share": "SME share (%)",
            "local_share": "Local SME share (%)",
            "target": "Target (%)",
            "gap": "Gap (points)",
            "shift_amount": "Shift to SMEs",
            "status": "Status",
            "coverage": "Size known (%)",
            "suppliers": "Vendors",
            "sme_suppliers": "SME vendors",
            "jobs_supported": "Jobs supported",
            "jobs_unknown_spend": "SME spend without jobs figures",
        }
        dashboard = pd.concat(
            [table, totals.assign(family_name=self.env._("Total"))], ignore_index=True
        )[list(columns)].rename(columns=columns)

        # One row per family and vendor, largest first within each family.
        suppliers = data["suppliers"].set_index("supplier_id")
        detail = (
            data["purchases"].groupby(["family", "supplier_id"], as_index=False)["amount"].sum()
        )
        detail = detail.join(suppliers, on="supplier_id")
        family_names = dict(zip(table["family"], table["family_name"], strict=True))
        family_totals = detail.groupby("family")["amount"].transform("sum")
        ranks = data["top"].set_index(["family", "supplier_id"])["rank"]
        detail = detail.assign(
            family_name=detail["family"].map(family_names).fillna(detail["family"]),
            size_label=detail["size"].map(sizes).fillna(self.env._("Unknown")),
            sme=detail["size"].isin(("micro", "small", "medium")),
            family_share=detail["amount"] * 100.0 / family_totals.where(family_totals != 0),
            shift_rank=[
                ranks.get((family, supplier))
                for family, supplier in zip(detail["family"], detail["supplier_id"], strict=True)
            ],
        ).sort_values(["family_name", "amount"], ascending=[True, False], kind="stable")
        family_detail = detail[
            [
                "family_name",
                "name",
                "size_label",
                "sme",
                "is_local",
                "amount",
                "family_share",
                "shift_rank",
            ]
        ].rename(
            columns={
                "family_name": "Family",
                "name": "Vendor",
                "size_label": "Size",
                "sme": "SME",
                "is_local": "Local",
                "amount": "Spend",
                "family_share": "Share of family spend (%)",
                "shift_rank": "Non-SME rank (where to shift)",
            }
        )

        trend_rows = []
        for row in table.to_dict("records"):
            monthly = data["trend"].get(row["family_id"], {})
            trend_rows.append(
                {
                    "Family": row["family_name"],
                    **{
                        month.strftime("%Y-%m"): compliance.share(
                            *reversed(monthly.get(month, (0.0, 0.0)))
                        )
                        for month in data["months"]
                    },
                }
            )
        trend = pd.DataFrame(
            trend_rows, columns=["Family", *(m.strftime("%Y-%m") for m in data["months"])]
        )

        vendor_ids = [int(key) for key in suppliers.index]
        partners = self.env["res.partner"].browse(vendor_ids)
        partners.fetch(["pareto_siren", "pareto_department", "pareto_size_year"])
        spend = detail.groupby("supplier_id")["amount"].sum()
        vendors = pd.DataFrame(
            {
                "Vendor": [partner.name for partner in partners],
                "SIREN": [partner.pareto_siren or "" for partner in partners],
                "Size": [
                    sizes.get(partner.pareto_size, self.env._("Unknown")) for partner in partners
                ],
                "Size year": [partner.pareto_size_year or None for partner in partners],
                "SME": [partner.pareto_is_sme for partner in partners],
                "Local": [bool(suppliers.at[str(partner.id), "is_local"]) for partner in partners],
                "Département": [partner.pareto_department or "" for partner in partners],
                "Headcount": [partner.pareto_headcount or None for partner in partners],
                "Turnover": [partner.pareto_turnover or None for partner in partners],
                "Spend": [float(spend.get(str(partner.id), 0.0)) for partner in partners],
            }
        ).sort_values("Spend", ascending=False, kind="stable")
        return data, dict(
            zip(self.XLSX_SHEETS, (dashboard, family_detail, trend, vendors), strict=True)
        )

    @api.model
    def _xlsx_content(self, company=None, day=None):
        """The XLSX workbook (bytes) of the dashboard, written by pandas."""
        _data, frames = self._xlsx_frames(company, day)
        buffer = io.BytesIO()
        # xlsxwriter: Odoo 19 pins openpyxl 3.0.9, older than pandas requires.
        # Every text is written as text: a vendor named "=HYPERLINK(...)" is
        # not a formula, a name that looks like a URL not a link.
        text_only = {"strings_to_formulas": False, "strings_to_urls": False}
        with pd.ExcelWriter(
            buffer, engine="xlsxwriter", engine_kwargs={"options": text_only}
        ) as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                sheet = writer.sheets[name]
                sheet.set_column(0, 0, 36)
                sheet.set_column(1, max(1, len(frame.columns) - 1), 16)
                sheet.freeze_panes(1, 1)
        return buffer.getvalue()

    @api.model
    def _xlsx_filename(self, company=None, day=None):
        company = company or self.env.company
        start, end = self._period_bounds(company, day)
        return f"pareto_compliance_{company.id}_{start:%Y%m%d}_{end:%Y%m%d}.xlsx"

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
            data = (
                self.with_company(company)
                .with_context(allowed_company_ids=company.ids)
                ._compute(company, day)
            )
            for row in data["table"].to_dict("records"):
                share = _clean(row["share"])
                if not row["family_id"] or share is None or share >= row["target"]:
                    continue
                created |= Alert._notify(company, row, data["start"], data["end"])
        return created
