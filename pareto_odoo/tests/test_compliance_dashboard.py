import datetime
import io

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import ParetoCase
from .test_spend_report import DAY, YEAR, SpendCase, read_xlsx


def is_sme(vendor):
    return vendor.pareto_is_sme


@tagged("post_install", "-at_install")
class TestComplianceDashboard(SpendCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Dashboard = cls.env["pareto.compliance.dashboard"]
        cls.period = [
            ("company_id", "=", cls.company.id),
            ("date", ">=", datetime.date(YEAR, 1, 1)),
            ("date", "<=", datetime.date(YEAR, 12, 31)),
        ]

    def dashboard(self, user=None):
        dashboard = self.Dashboard.with_user(user) if user else self.Dashboard
        return dashboard.get_dashboard_data({"day": fields.Date.to_string(DAY)})

    def rows(self, data):
        return {row["family_id"]: row for row in data["families"]}

    def test_period(self):
        data = self.dashboard()
        self.assertEqual(data["period_start"], f"{YEAR}-01-01")
        self.assertEqual(data["period_end"], f"{YEAR}-12-31")
        self.company.pareto_period = "rolling_12"
        data = self.dashboard()
        self.assertEqual(data["period_start"], f"{YEAR - 1}-07-01")
        self.assertEqual(data["period_end"], DAY.isoformat())

    def test_rows_match_report_and_rules(self):
        data = self.dashboard()
        rows = self.rows(data)
        # Every family of the company is listed, with or without spend; the
        # second company's own family is not.
        self.assertIn(self.family_facility.id, rows)
        self.assertIn(self.family_software.id, rows)
        self.assertNotIn(self.family_company_2.id, rows)
        self.assertEqual(data["families"][-1]["family_id"], False)  # Unclassified last
        margin = self.company.pareto_warning_margin
        for family in self.family_it | self.family_software | self.family_facility:
            with self.subTest(family=family.name):
                row = rows[family.id]
                domain = [*self.period, ("family_id", "=", family.id)]
                total = self.expected(family)
                sme = self.expected(family, is_sme)
                local_sme = self.expected(
                    family, lambda vendor: vendor.pareto_is_sme and vendor.pareto_department == "75"
                )
                self.assertAlmostEqual(row["total"], total)
                self.assertAlmostEqual(row["total"], self.report_sum(domain))
                self.assertAlmostEqual(row["sme_total"], sme)
                self.assertAlmostEqual(row["sme_total"], self.report_sum(domain, "sme_amount"))
                self.assertAlmostEqual(row["local_sme_total"], local_sme)
                share = sme * 100.0 / total
                self.assertAlmostEqual(row["share"], share)
                self.assertEqual(row["target"], family.target_share)
                self.assertAlmostEqual(row["gap"], share - family.target_share)
                self.assertAlmostEqual(
                    row["shift_amount"], max(0.0, family.target_share / 100 * total - sme)
                )
                expected_status = (
                    "ok"
                    if share >= family.target_share
                    else "warning"
                    if share >= family.target_share - margin
                    else "below"
                )
                self.assertEqual(row["status"], expected_status)
        # The fixture covers the three statuses' arithmetic: FAC is 25 % for 30 %.
        self.assertEqual(rows[self.family_facility.id]["status"], "warning")
        self.assertAlmostEqual(rows[self.family_facility.id]["shift_amount"], 100.0)
        unclassified = rows[False]
        self.assertEqual(unclassified["total"], 300.0)
        self.assertIsNone(unclassified["target"])
        self.assertIsNone(unclassified["status"])
        self.assertAlmostEqual(data["total"]["total"], self.expected())
        self.assertAlmostEqual(data["total"]["total"], self.report_sum(self.period))
        self.assertEqual(data["total"]["status"], "warning")

    def test_coverage_and_unknown_vendors(self):
        data = self.dashboard()
        it = self.rows(data)[self.family_it.id]
        known = self.expected(self.family_it, lambda vendor: bool(vendor.pareto_size))
        self.assertAlmostEqual(it["coverage"], known * 100.0 / self.expected(self.family_it))
        self.assertEqual(data["unknown_size_partner_ids"], self.vendor_unknown.ids)

    def test_jobs_supported(self):
        data = self.dashboard()
        it = self.rows(data)[self.family_it.id]
        # Atelier Parisien: 20 employees, 2 M€ turnover, 2,000 of IT spend.
        self.assertAlmostEqual(it["jobs_supported"], 2000.0 * 20 / 2_000_000.0)
        # Lyon Services is an SME without figures: its spend's jobs are unknown.
        self.assertAlmostEqual(it["jobs_unknown_spend"], 600.0)
        self.assertAlmostEqual(
            it["jobs_supported"],
            self.report_sum(
                [*self.period, ("family_id", "=", self.family_it.id)], "jobs_supported"
            ),
        )

    def test_top_non_sme_vendors(self):
        rows = self.rows(self.dashboard())
        self.assertEqual(
            [(vendor["partner_id"], vendor["amount"]) for vendor in rows[self.family_it.id]["top"]],
            [(self.vendor_large.id, 8000.0), (self.vendor_unknown.id, 400.0)],
        )
        self.assertEqual(
            [vendor["partner_id"] for vendor in rows[self.family_facility.id]["top"]],
            self.vendor_large.ids,
        )
        self.assertEqual(rows[self.family_software.id]["top"], [])

    def test_trend(self):
        data = self.dashboard()
        self.assertEqual(len(data["months"]), 12)
        self.assertEqual(data["months"][-1], f"{YEAR}-06-01")
        it = self.rows(data)[self.family_it.id]
        march = data["months"].index(f"{YEAR}-03-01")
        self.assertAlmostEqual(it["trend"][march], it["share"])  # all the spend is in March
        self.assertEqual(it["trend"][:march] + it["trend"][march + 1 :], [None] * 11)

    def test_companies_consolidated_in_current_currency(self):
        both = {"company_ids": [self.company.id, self.company_2.id], "day": str(DAY)}
        manager = self.Dashboard.with_user(self.manager)
        data = manager.get_dashboard_data(both)
        self.assertEqual(data["options"]["company_ids"], [self.company.id, self.company_2.id])
        self.assertAlmostEqual(data["total"]["total"], self.expected() + 700.0)
        # The second company books in another currency: converted at Odoo's rate.
        currency = self.env["res.currency"].create(
            {"name": "PRD", "symbol": "D", "rounding": 0.01, "active": True}
        )
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": "2000-01-01", "rate": 2.0}
        )
        self.env.cr.execute(
            "UPDATE res_company SET currency_id = %s WHERE id = %s",
            (currency.id, self.company_2.id),
        )
        self.company_2.invalidate_recordset(["currency_id"])
        data = manager.get_dashboard_data(both)
        self.assertAlmostEqual(data["total"]["total"], self.expected() + 350.0)
        # A company the user may not work in is ignored.
        data = self.Dashboard.with_user(self.buyer).get_dashboard_data(both)
        self.assertEqual(data["options"]["company_ids"], [self.company.id])

    def test_custom_period_and_a_year_earlier(self):
        data = self.Dashboard.get_dashboard_data(
            {"period": "custom", "date_from": f"{YEAR + 1}-03-01", "date_to": f"{YEAR + 1}-03-31"}
        )
        self.assertEqual(data["period_start"], f"{YEAR + 1}-03-01")
        self.assertEqual(data["previous_start"], f"{YEAR}-03-01")
        self.assertEqual(data["previous_end"], f"{YEAR}-03-31")
        self.assertEqual(data["total"]["total"], 0.0)
        self.assertAlmostEqual(data["previous_total"]["total"], self.expected())
        it = self.rows(data)[self.family_it.id]
        self.assertAlmostEqual(it["previous"]["total"], self.expected(self.family_it))
        with self.assertRaises(UserError):
            self.Dashboard.get_dashboard_data({"period": "custom", "date_from": "2025-02-30"})
        with self.assertRaises(UserError):
            self.Dashboard.get_dashboard_data(
                {"period": "custom", "date_from": "2025-03-02", "date_to": "2025-03-01"}
            )
        with self.assertRaises(UserError):
            self.Dashboard.get_dashboard_data({"period": "weekly"})

    def test_dashboard_follows_the_invoiced_basis(self):
        self.company.pareto_spend_basis = "invoiced"
        data = self.dashboard()
        self.assertEqual(data["total"]["total"], 0.0)  # no bill in the fixture

    def test_buyer_dashboard_stays_in_own_company(self):
        data = self.Dashboard.with_user(self.buyer).get_dashboard_data(
            {"company_ids": [self.company_2.id], "day": fields.Date.to_string(DAY)}
        )
        self.assertEqual(data["options"]["company_ids"], [self.company.id])
        self.assertAlmostEqual(data["total"]["total"], self.expected())

    def test_xlsx_export(self):
        content = self.Dashboard._xlsx_content(self.Dashboard._scope({"day": str(DAY)}))
        sheets = read_xlsx(content)
        self.assertEqual(list(sheets), ["Dashboard", "Family detail", "Trend", "Vendors"])
        dashboard = sheets["Dashboard"].set_index("Family")
        self.assertAlmostEqual(dashboard.loc["Total", "Spend"], self.expected())
        self.assertAlmostEqual(dashboard.loc["IT", "Spend"], self.expected(self.family_it))
        self.assertAlmostEqual(
            dashboard.loc["Facility services", "SME spend"],
            self.expected(self.family_facility, is_sme),
        )
        self.assertEqual(dashboard.loc["Facility services", "Status"], "Near target")
        self.assertAlmostEqual(dashboard.loc["Unclassified", "Spend"], 300.0)
        detail = sheets["Family detail"]
        self.assertAlmostEqual(detail["Spend"].sum(), self.expected())
        it_large = detail[(detail["Family"] == "IT") & (detail["Vendor"] == "Grand Groupe")]
        self.assertEqual(it_large["Non-SME rank (where to shift)"].tolist(), [1])
        vendors = sheets["Vendors"]
        self.assertAlmostEqual(vendors["Spend"].sum(), self.expected())
        self.assertEqual(
            set(vendors["Vendor"]),
            {"Atelier Parisien", "Grand Groupe", "Lyon Services", "Inconnu SARL"},
        )
        trend = sheets["Trend"].set_index("Family")
        self.assertAlmostEqual(trend.loc["IT", f"Mar {YEAR}"], dashboard.loc["IT", "SME share"])

    def test_summary_report_html(self):
        html = self._summary_html()
        self.assertIn("SME share of purchasing", html)
        self.assertIn(self.company.name, html)
        self.assertIn(f"01/01/{YEAR}", html)  # the reader's date format
        self.assertIn(f"12/31/{YEAR}", html)
        for family in ("IT", "Software", "Facility services", "Unclassified"):
            self.assertIn(family, html)
        self.assertIn("Near target", html)  # Facility services
        self.assertIn("25.0\N{NO-BREAK SPACE}%", html)
        self.assertIn("families near target", html)  # the total row counts them
        self.assertIn("14,300", html)  # the total spend
        self.assertIn("Grand Groupe", html)  # where to shift in Facility services


@tagged("post_install", "-at_install")
class TestComplianceAlerts(SpendCase):
    def test_alert_once_per_family_and_period(self):
        Alert = self.env["pareto.compliance.alert"]
        Dashboard = self.env["pareto.compliance.dashboard"]
        alerts = Dashboard._cron_check_targets(day=DAY)
        # Only Facility services (25 % for a 30 % target) is below target.
        self.assertEqual(alerts.family_id, self.family_facility)
        self.assertEqual(alerts.company_id, self.company)
        self.assertEqual(alerts.period_start, datetime.date(YEAR, 1, 1))
        self.assertAlmostEqual(alerts.share, 25.0)
        managers = Alert._managers(self.company)
        self.assertIn(self.manager, managers)
        self.assertNotIn(self.buyer, managers)
        self.assertEqual(alerts.activity_ids.user_id, managers)
        self.assertEqual(
            alerts.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        # The manager sees it; the buyer has no access to alerts.
        self.assertEqual(Alert.with_user(self.manager).search([]), alerts)
        # Still below target the next day: no new alert, no new activity.
        again = Dashboard._cron_check_targets(day=DAY + datetime.timedelta(days=1))
        self.assertFalse(again)
        self.assertEqual(Alert.search_count([]), 1)
        self.assertEqual(len(alerts.activity_ids), len(managers))
        # Back on target, then below again within the period: still once.
        self.vendor_large.pareto_size = "small"
        self.assertFalse(Dashboard._cron_check_targets(day=DAY))
        self.vendor_large.pareto_size = "large"
        self.assertFalse(Dashboard._cron_check_targets(day=DAY))
        # A new period below target alerts again.
        next_year = self._create_order(self.vendor_large, [(self.cleaning, 1, 100.0)])
        next_year.date_approve = datetime.datetime(YEAR + 1, 2, 1, 12, 0)
        alerts_next = Dashboard._cron_check_targets(day=datetime.date(YEAR + 1, 3, 1))
        self.assertEqual(alerts_next.family_id, self.family_facility)
        self.assertEqual(alerts_next.period_start, datetime.date(YEAR + 1, 1, 1))

    def test_open_lines(self):
        alert = self.env["pareto.compliance.dashboard"]._cron_check_targets(day=DAY)
        action = alert.action_open_lines()
        lines = self.env["pareto.spend.report"].search(action["domain"])
        self.assertAlmostEqual(sum(lines.mapped("amount")), self.expected(self.family_facility))


@tagged("post_install", "-at_install")
class TestReportsMatchCompliance(SpendCase):
    """The report, the dashboard and ``purchase.order.get_pareto_compliance()``
    give the same totals on the same data."""

    def test_report_totals_equal_get_pareto_compliance(self):
        # Spend dated today, so that it is in the period of a new order.
        self.orders.date_approve = fields.Datetime.now()
        draft = self._create_order(
            self.vendor_small_local,
            [(self.laptop, 1, 700.0), (self.cleaning, 1, 50.0), (self.licence, 1, 10.0)],
            confirm=False,
        )
        compliance = draft.get_pareto_compliance()
        self.assertEqual(
            {row["family_id"] for row in compliance},
            {self.family_it.id, self.family_facility.id, self.family_software.id},
        )
        today = fields.Date.context_today(draft)
        dashboard = self.env["pareto.compliance.dashboard"].get_dashboard_data(
            {"day": fields.Date.to_string(today)}
        )
        rows = {row["family_id"]: row for row in dashboard["families"]}
        for row in compliance:
            with self.subTest(family=row["family_name"]):
                domain = [
                    ("company_id", "=", self.company.id),
                    ("family_id", "=", row["family_id"]),
                    ("date", ">=", row["period_start"]),
                    ("date", "<=", row["period_end"]),
                ]
                self.assertAlmostEqual(row["total"], self.report_sum(domain))
                self.assertAlmostEqual(row["sme_total"], self.report_sum(domain, "sme_amount"))
                self.assertEqual(
                    dashboard["period_start"], fields.Date.to_string(row["period_start"])
                )
                self.assertEqual(dashboard["period_end"], fields.Date.to_string(row["period_end"]))
                self.assertAlmostEqual(rows[row["family_id"]]["total"], row["total"])
                self.assertAlmostEqual(rows[row["family_id"]]["sme_total"], row["sme_total"])
                self.assertEqual(rows[row["family_id"]]["target"], row["target"])


@tagged("post_install", "-at_install")
class TestComplianceDashboardUi(HttpCase, ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_order(cls.vendor_large, [(cls.cleaning, 1, 900.0)])
        cls._create_order(cls.vendor_small_local, [(cls.cleaning, 1, 100.0)])
        cls.manager.tz = "Europe/Paris"

    def test_dashboard_tour(self):
        self.start_tour(
            "/odoo/action-pareto_odoo.action_pareto_compliance_dashboard",
            "pareto_compliance_dashboard_tour",
            login="pareto_manager",
        )

    def test_xlsx_route(self):
        self.authenticate("pareto_manager", "pareto_manager")
        response = self.url_open(f"/pareto_odoo/compliance.xlsx?company_ids={self.company.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        dashboard = read_xlsx(response.content)["Dashboard"].set_index("Family")
        self.assertAlmostEqual(dashboard.loc["Facility services", "Spend"], 1000.0)
        self.assertAlmostEqual(dashboard.loc["Facility services", "SME share"], 0.1)

    def test_summary_pdf_is_one_page(self):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, report_type = report._render_qweb_pdf(
            "pareto_odoo.action_report_compliance_summary", self.company.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 1)
