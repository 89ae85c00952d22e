from odoo import http
from odoo.http import content_disposition, request


class ParetoReportController(http.Controller):
    @http.route(
        "/pareto_odoo/compliance.xlsx", type="http", auth="user", methods=["GET"], readonly=True
    )
    def compliance_xlsx(self, company_ids=None, period=None, date_from=None, date_to=None):
        """The compliance dashboard as an XLSX workbook, for the user's
        allowed companies among ``company_ids`` (comma-separated; default:
        the selected ones) and the period (see the dashboard's options)."""
        Dashboard = request.env["pareto.compliance.dashboard"]
        scope = Dashboard._scope(
            {
                "company_ids": [part for part in (company_ids or "").split(",") if part],
                "period": period,
                "date_from": date_from,
                "date_to": date_to,
            }
        )
        content = Dashboard._xlsx_content(scope)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(Dashboard._xlsx_filename(scope))),
            ],
        )
