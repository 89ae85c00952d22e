from odoo import api, models
from odoo.tools import format_date, formatLang

from ..engine import compliance

# The colour of each status the summary shows (see engine.compliance).
STATUS_CSS = {
    compliance.OK: "text-success",
    compliance.WARNING: "text-warning",
    compliance.BELOW: "text-danger fw-bold",
    compliance.NO_SPEND: "text-muted",
}
# The statuses of the families that miss their target.
MISSED = (compliance.WARNING, compliance.BELOW)


class ReportComplianceSummary(models.AbstractModel):
    """Values of the one-page PDF summary of the compliance dashboard, for an
    executive committee: one page per company, numbers and dates in the
    reader's language (Odoo's ``formatLang`` and ``format_date``)."""

    _name = "report.pareto_odoo.report_compliance_summary"
    _description = "SME Compliance Summary"

    SHIFT_ROWS = 8

    @api.model
    def _get_report_values(self, docids, data=None):
        companies = self.env["res.company"].browse(docids)
        Dashboard = self.env["pareto.compliance.dashboard"]
        summaries = []
        for company in companies:
            # The dashboard's scope when printed from it; else the company's
            # current period.
            options = dict(data or {}) or {"company_ids": company.ids}
            values = Dashboard.with_company(company).get_dashboard_data(options)
            # Where to shift: the largest non-SME vendors of the families
            # that miss their target.
            shifts = sorted(
                (
                    {**vendor, "family": family["name"]}
                    for family in values["families"]
                    if family["status"] in MISSED
                    for vendor in family["top"]
                ),
                key=lambda vendor: -(vendor["amount"] or 0.0),
            )[: self.SHIFT_ROWS]
            summaries.append(
                {
                    "company": company,
                    "currency": company.currency_id,
                    "data": values,
                    "shifts": shifts,
                    "below": [f for f in values["families"] if f["status"] == compliance.BELOW],
                    "status_css": STATUS_CSS,
                }
            )
        return {
            "doc_ids": docids,
            "doc_model": "res.company",
            "docs": companies,
            "summaries": summaries,
            "fmt": self._formats(),
        }

    @api.model
    def _formats(self):
        """The template's formatting functions, in the reader's language:
        ``percent`` ("23,4 %" in French), ``points`` ("+3,4"), ``number``
        and ``date`` ("31/12/2026")."""
        env = self.env

        def number(value, digits=1):
            return formatLang(env, value or 0.0, digits=digits)

        def percent(value, digits=1):
            return "-" if value is None else f"{number(value, digits)}\N{NO-BREAK SPACE}%"

        def points(value):
            return "" if value is None else ("+" if value > 0 else "") + number(value)

        def date(value):
            return format_date(env, value)

        return {"number": number, "percent": percent, "points": points, "date": date}
