from odoo import api, models
from odoo.tools import format_date, formatLang


class ReportLatePaymentTable(models.AbstractModel):
    """Values of the statutory late-payment table (art. D.441-6) in PDF: one
    page per request, numbers and dates in the reader's language."""

    _name = "report.pareto_odoo.report_late_payment_table"
    _description = "Statutory Late-Payment Table"

    @api.model
    def _get_report_values(self, docids, data=None):
        requests = self.env["pareto.late.payment.table"].browse(docids)
        tables = []
        for request in requests:
            table = request._late_payment_table()
            currency = request.company_id.currency_id
            tables.append(
                {
                    "request": request,
                    "table": table,
                    "rows": request._rows(table),
                    "currency": currency,
                    "closing_date": format_date(self.env, table["closing_date"]),
                    "fiscal_year_start": format_date(self.env, table["fiscal_year_start"]),
                }
            )
        return {
            "doc_ids": docids,
            "doc_model": "pareto.late.payment.table",
            "docs": requests,
            "tables": tables,
            "percent": lambda value: (
                "—" if value is None else f"{formatLang(self.env, value, digits=2)} %"
            ),
        }
