from odoo import http
from odoo.http import content_disposition, request

from ..tools import params


class ParetoReportController(http.Controller):
    @http.route("/pareto_odoo/compliance.xlsx", type="http", auth="user", methods=["GET"])
    def compliance_xlsx(self, company_id=None):
        """The compliance dashboard as an XLSX workbook, for one of the user's
        allowed companies (default: the current one). A parameter that cannot
        be read is answered with HTTP 400 and a message
        (:class:`~odoo.addons.pareto_odoo.tools.params.InvalidParameter`)."""
        Dashboard = request.env["pareto.compliance.dashboard"]
        company = Dashboard._company(params.parse_id(request.env, company_id, "company_id"))
        Dashboard = Dashboard.with_company(company)
        content = Dashboard._xlsx_content(company)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                ("Content-Disposition", content_disposition(Dashboard._xlsx_filename(company))),
            ],
        )
