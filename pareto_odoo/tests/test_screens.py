"""What the screens say is true and readable (issue 14, items 5 and 9): the
same status names everywhere, "No spend" rather than a green "On target" for
a family without spend, the total row counting the families below target,
the confirmation warning telling "pushes below" from "keeps below", size
classes in size order in the analysis, one name for unknown size and for
unclassified spend."""

import datetime
import io

import openpyxl

from odoo import fields
from odoo.tests import Form, tagged

from ..engine import compliance
from .test_compliance import ComplianceCase
from .test_spend_report import DAY, SpendCase

SIZE_ORDER = ["micro", "small", "medium", "intermediate", "large", False]


def status_selection(env):
    return dict(env["purchase.order"]._fields["pareto_status"]._description_selection(env))


@tagged("post_install", "-at_install")
class TestWidgetWording(ComplianceCase):
    def test_labels_come_from_the_order_status_selection(self):
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        labels = order.pareto_compliance["status_labels"]
        selection = status_selection(self.env)
        self.assertEqual({key: labels[key] for key in selection}, selection)
        self.assertEqual(labels[compliance.WARNING], "Near target")
        self.assertEqual(labels[compliance.NO_SPEND], "No spend")
        dashboard = self.env["pareto.compliance.dashboard"].get_dashboard_data()
        self.assertEqual(dashboard["status_labels"], labels)

    def test_a_family_without_spend_shows_no_spend(self):
        # A zero-priced line: the family has no spend, this order included.
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 0.0)], confirm=False)
        row = order.pareto_compliance["families"][0]
        self.assertEqual(row["status"], compliance.OK)  # the public status is unchanged
        self.assertEqual(row["shown_status"], compliance.NO_SPEND)
        order.order_line.price_unit = 100.0
        row = order.pareto_compliance["families"][0]
        self.assertEqual(row["shown_status"], compliance.BELOW)

    def test_warning_pushes_or_keeps_below(self):
        # IT is at 100 % (100 of SME spend): a 900 non-SME order pushes it to 10 %.
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        pushes = self._create_order(self.vendor_large, [(self.laptop, 1, 900.0)], confirm=False)
        self.assertEqual(pushes.pareto_compliance["warning"], {"pushes": ["IT"], "keeps": []})
        # Facility services has no SME spend: 0 % before, 0 % after.
        self._confirmed(self.vendor_large, [(self.cleaning, 1, 500.0)])
        keeps = self._create_order(
            self.vendor_unknown, [(self.cleaning, 1, 10.0), (self.laptop, 1, 900.0)], confirm=False
        )
        self.assertEqual(
            keeps.pareto_compliance["warning"], {"pushes": ["IT"], "keeps": ["Facility services"]}
        )
        # The confirmation dialog says which, family by family.
        action = (
            keeps.with_user(self.buyer).with_context(pareto_check_compliance=True).button_confirm()
        )
        wizard = self.env["pareto.confirm.warning"].with_user(self.buyer).browse(action["res_id"])
        self.assertIn("o_pareto_effect_pushes'>Falls below target with this order", wizard.summary)
        self.assertIn(
            "o_pareto_effect_keeps'>Already below target, lower with this order", wizard.summary
        )
        # Once IT is below target too, another order keeps it below.
        self._confirmed(self.vendor_large, [(self.laptop, 1, 900.0)])
        again = self._create_order(self.vendor_large, [(self.laptop, 1, 10.0)], confirm=False)
        self.assertEqual(again.pareto_compliance["warning"], {"pushes": [], "keeps": ["IT"]})
        # An SME vendor, or no order spend: no warning.
        sme = self._create_order(self.vendor_micro_far, [(self.laptop, 1, 900.0)], confirm=False)
        self.assertFalse(sme.pareto_compliance["warning"])

    def test_form_shows_the_warning_kind_before_saving(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        with Form(self.env["purchase.order"].with_user(self.buyer)) as form:
            form.partner_id = self.vendor_large
            with form.order_line.new() as line:
                line.product_id = self.laptop
                line.price_unit = 900.0
            self.assertEqual(form.pareto_compliance["warning"], {"pushes": ["IT"], "keeps": []})


@tagged("post_install", "-at_install")
class TestDashboardWording(SpendCase):
    def dashboard(self):
        return self.env["pareto.compliance.dashboard"].get_dashboard_data(
            {"day": fields.Date.to_string(DAY)}
        )

    def test_rows_and_total_say_what_is_true(self):
        empty = self.env["pareto.family"].create({"name": "Empty", "code": "EMPTY"})
        data = self.dashboard()
        rows = {row["family_id"]: row for row in data["families"]}
        families = [row for row in data["families"] if row["family_id"]]
        self.assertEqual(rows[empty.id]["status"], compliance.OK)
        self.assertEqual(rows[empty.id]["shown_status"], compliance.NO_SPEND)
        self.assertEqual(rows[empty.id]["status_label"], "No spend")
        facility = rows[self.family_facility.id]
        self.assertEqual(facility["status_label"], status_selection(self.env)["warning"])
        self.assertEqual(rows[self.family_it.id]["status_label"], "On target")
        self.assertIsNone(rows[False]["shown_status"])  # Unclassified has no status
        self.assertEqual(rows[False]["name"], "Unclassified")
        # The total row counts the families near target (the worst status is
        # a warning), it does not take one family's status.
        self.assertEqual(data["total"]["status"], compliance.WARNING)
        self.assertEqual(data["total"]["shown_status"], compliance.WARNING)
        self.assertEqual(data["total"]["status_label"], f"1 / {len(families)} families near target")
        self.family_it.target_share = 90.0
        data = self.dashboard()
        self.assertEqual(
            data["total"]["status_label"], f"1 / {len(families)} families below target"
        )

    def test_total_status_summary(self):
        Dashboard = self.env["pareto.compliance.dashboard"]
        ok = {"status": compliance.OK, "total": 10.0}
        no_spend = {"status": compliance.OK, "total": 0.0}
        unclassified = {"status": None, "total": 50.0}
        self.assertEqual(Dashboard._status_summary([ok, no_spend]), "All families on target")
        self.assertEqual(Dashboard._status_summary([no_spend, unclassified]), "No spend")
        below = {"status": compliance.BELOW, "total": 10.0}
        warning = {"status": compliance.WARNING, "total": 10.0}
        self.assertEqual(
            Dashboard._status_summary([ok, below, warning, below, unclassified]),
            "2 / 4 families below target",
        )

    def test_size_classes_in_size_order_with_one_name_for_unknown(self):
        Report = self.env["pareto.spend.report"]
        for size in ("medium", "intermediate"):
            vendor = self.env["res.partner"].create(
                {"name": f"Vendor {size}", "is_company": True, "pareto_size": size}
            )
            order = self._create_order(vendor, [(self.laptop, 1, 10.0)])
            order.date_approve = datetime.datetime(2019, 3, 1, 12, 0)
        groups = Report.formatted_read_group(self.in_year, ["pareto_size"], ["amount:sum"])
        sizes = [group["pareto_size"] for group in groups]
        # Micro ... large, then unknown: not the raw values' order.
        self.assertEqual(sizes, SIZE_ORDER)
        # The pivot asks for several grouping sets at once.
        _all, by_size = Report.formatted_read_grouping_sets(
            self.in_year, [[], ["pareto_size"]], ["amount:sum"]
        )
        self.assertEqual([group["pareto_size"] for group in by_size], sizes)
        # Descending on request.
        groups = Report.formatted_read_group(
            self.in_year, ["pareto_size"], ["amount:sum"], order="pareto_size desc"
        )
        self.assertEqual([group["pareto_size"] for group in groups], sizes[::-1])
        described = Report.fields_get(["pareto_size", "family_id", "top_family_id"])
        self.assertEqual(described["pareto_size"]["falsy_value_label"], "Unknown size")
        self.assertEqual(described["family_id"]["falsy_value_label"], "Unclassified")
        self.assertEqual(described["top_family_id"]["falsy_value_label"], "Unclassified")


@tagged("post_install", "-at_install")
class TestXlsxFormats(SpendCase):
    def workbook(self):
        Dashboard = self.env["pareto.compliance.dashboard"]
        content = Dashboard._xlsx_content(Dashboard._scope({"day": str(DAY)}))
        return openpyxl.load_workbook(io.BytesIO(content))

    @staticmethod
    def rows(sheet):
        """{first cell: {header: cell}} of the table under the heading."""
        header_row = sheet.min_row + 4  # XLSX_HEADER_ROW, 1-based
        headers = [cell.value for cell in sheet[header_row]]
        return {
            row[0].value: dict(zip(headers, row, strict=True))
            for row in sheet.iter_rows(min_row=header_row + 1)
        }

    def test_heading_statuses_and_number_formats(self):
        workbook = self.workbook()
        self.assertEqual(workbook.sheetnames, ["Dashboard", "Family detail", "Trend", "Vendors"])
        for sheet in workbook.worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertEqual(sheet["A1"].value, f"SME compliance: {self.company.name}")
                self.assertIn("Period: 01/01/2019 – 12/31/2019 (Calendar year)", sheet["A2"].value)
                self.assertIn("a year earlier: 01/01/2018 – 12/31/2018", sheet["A2"].value)
                self.assertIn("confirmed purchase order lines", sheet["A3"].value)
        dashboard = self.rows(workbook["Dashboard"])
        facility = dashboard["Facility services"]
        self.assertEqual(facility["Status"].value, "Near target")
        self.assertEqual(dashboard["IT"]["Status"].value, "On target")
        self.assertEqual(dashboard["Total"]["Status"].value[:2], "1 ")  # "1 / n families near"
        self.assertIn("families near target", dashboard["Total"]["Status"].value)
        # Percents are fractions shown as percents, amounts in the currency.
        self.assertAlmostEqual(facility["SME share"].value, 0.25)
        self.assertEqual(facility["SME share"].number_format, "0.0%")
        self.assertEqual(facility["Target"].value, 0.3)
        self.assertEqual(facility["Spend"].value, 2000.0)
        symbol = self.company.currency_id.symbol
        self.assertIn(symbol, facility["Spend"].number_format)
        self.assertIn("#,##0.00", facility["Spend"].number_format)
        self.assertEqual(facility["Vendors"].value, 2)
        self.assertEqual(facility["Vendors"].number_format, "#,##0")
        self.assertEqual(facility["Gap (points)"].number_format, "+0.0;-0.0;0.0")
        self.assertAlmostEqual(facility["Gap (points)"].value, -5.0)
        self.assertEqual(dashboard["Unclassified"]["Spend"].value, 300.0)
        detail = workbook["Family detail"]
        headers = [cell.value for cell in detail[5]]
        self.assertEqual(headers[:3], ["Family", "Vendor", "Size"])
        sizes = {row[1].value: row[2].value for row in detail.iter_rows(min_row=6)}
        self.assertEqual(sizes["Inconnu SARL"], "Unknown size")
        self.assertEqual(sizes["Grand Groupe"], "Large enterprise (GE)")
        families = {row[0].value for row in detail.iter_rows(min_row=6)}
        self.assertIn("Unclassified", families)
        trend = self.rows(workbook["Trend"])
        self.assertEqual(trend["IT"]["Mar 2019"].number_format, "0.0%")
        vendors = self.rows(workbook["Vendors"])
        self.assertEqual(vendors["Atelier Parisien"]["Headcount"].value, 20)
