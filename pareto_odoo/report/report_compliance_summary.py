from odoo import api, models


class ReportComplianceSummary(models.AbstractModel):
    """Values of the one-page PDF summary of the compliance dashboard, for an
    executive committee: one page per company."""

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
                    if family["status"] in ("warning", "below")
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
                    "below": [f for f in values["families"] if f["status"] == "below"],
                }
            )
        return {
            "doc_ids": docids,
            "doc_model": "res.company",
            "docs": companies,
            "summaries": summaries,
        }
