import base64
import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ParetoCase


class PaymentCase(ParetoCase):
    """Bills of an SME and of a large vendor, paid early, on time, late, in
    part or not at all, with hand-computed delays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")
        cls.bank = cls.env["account.journal"].search(
            [*cls.env["account.journal"]._check_company_domain(cls.company), ("type", "=", "bank")],
            limit=1,
        )
        cls.account_fees = cls._expense_account("622600", "Honoraires")

    @classmethod
    def _bill(cls, vendor, amount, date, refund=False, company=None):
        bill = cls._create_bill(
            vendor,
            [(None, 1, amount, cls._expense_account("622600", "Honoraires", company))],
            date=date,
            refund=refund,
            company=company,
            post=False,
        )
        bill.invoice_payment_term_id = cls.term_30
        bill.action_post()
        return bill

    @classmethod
    def _pay(cls, bills, date, amount=None):
        values = {"payment_date": date, "journal_id": cls.bank.id}
        if amount is not None:
            values["amount"] = amount
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=bills.ids
        ).create(values)._create_payments()


@tagged("post_install", "-at_install")
class TestPaymentReport(PaymentCase):
    def _row(self, bill):
        return self.env["pareto.payment.report"].search([("move_id", "=", bill.id)])

    def test_groups_by_family_in_the_families_order(self):
        """Grouped by main family, the groups come in the families' order
        (name, then id), either way, as the standard read_group orders them."""
        self._create_bill(self.vendor_large, [(self.laptop, 1, 100.0)])
        self._create_bill(self.vendor_large, [(self.cleaning, 1, 50.0)])
        # Names in the opposite order of the ids.
        first, second = sorted(self.family_it | self.family_facility, key=lambda f: f.id)
        first.name, second.name = "Zz last by name", "Aa first by name"
        Report = self.env["pareto.payment.report"]
        for direction in ("asc", "desc"):
            with self.subTest(direction=direction):
                groups = Report.formatted_read_group(
                    [("family_id", "in", (first | second).ids)],
                    ["family_id", "invoice_date:year"],
                    ["__count"],
                    order=f"family_id {direction}, invoice_date:year",
                )
                ids = list(dict.fromkeys(group["family_id"][0] for group in groups))
                expected = [second.id, first.id] if direction == "asc" else [first.id, second.id]
                self.assertEqual(ids, expected)

    def test_delays_and_late_days_by_hand(self):
        start = self.today - timedelta(days=200)
        on_time = self._bill(self.vendor_small_local, 1000.0, start)
        late = self._bill(self.vendor_small_local, 500.0, start)
        unpaid = self._bill(self.vendor_large, 800.0, self.today - timedelta(days=42))
        refund = self._bill(self.vendor_large, 100.0, start, refund=True)
        self._pay(on_time, start + timedelta(days=30))
        # Paid in two parts: fully paid on the second one, 55 days after the bill.
        self._pay(late, start + timedelta(days=20), amount=200.0)
        self._pay(late, start + timedelta(days=55), amount=300.0)
        self.assertEqual(late.pareto_payment_date, start + timedelta(days=55))
        self.assertFalse(unpaid.pareto_payment_date)

        row = self._row(on_time)
        self.assertEqual((row.delay_days, row.late_days, row.is_late), (30, 0, False))
        self.assertTrue(row.is_sme and row.is_paid)
        self.assertEqual(row.amount_total, 1000.0)
        row = self._row(late)
        self.assertEqual((row.delay_days, row.late_days, row.is_late), (55, 25, True))
        self.assertEqual(row.late_amount, 500.0)
        # Unpaid: no delay yet, late up to today (due 30 days after the bill).
        row = self._row(unpaid)
        self.assertEqual((row.delay_days, row.late_days, row.is_paid), (0, 12, False))
        self.assertFalse(row.is_sme)
        # A refund counts negative, without delay nor lateness.
        row = self._row(refund)
        self.assertEqual((row.amount_total, row.delay_days, row.late_days), (-100.0, 0, 0))

        groups = self.env["pareto.payment.report"].formatted_read_group(
            [("move_id", "in", (on_time | late | unpaid | refund).ids), ("is_paid", "=", True)],
            ["is_sme"],
            ["delay_days:avg", "late_days:avg", "__count"],
        )
        sme = next(group for group in groups if group["is_sme"])
        self.assertEqual((sme["delay_days:avg"], sme["late_days:avg"]), (42.5, 12.5))

    def test_main_family_is_the_largest_lines(self):
        # An account no family of the demo data maps.
        account = self._expense_account("628100", "Concours divers")
        family_fees = self.env["pareto.family"].create(
            {"name": "Fees", "code": "FEES", "account_prefixes": "6281"}
        )
        bill = self._create_bill(
            self.vendor_small_local, [(self.laptop, 1, 300.0), (None, 1, 900.0, account)]
        )
        self.assertEqual(self._row(bill).family_id, family_fees)
        self.assertEqual(bill.pareto_main_family_id, family_fees)
        # The SQL fill (install, upgrade, mapping changes) follows the same rule.
        self.env.cr.execute(
            "UPDATE account_move SET pareto_main_family_id = NULL WHERE id = %s", [bill.id]
        )
        bill.invalidate_recordset(["pareto_main_family_id"])
        self.env["account.move"]._pareto_fill_main_families([bill.id])
        self.assertEqual(bill.pareto_main_family_id, family_fees)
        # The fees' prefix goes: its lines become unclassified (larger than the
        # laptop's), the bill's main family follows, without any ORM write.
        family_fees.account_prefixes = False
        fee_line = bill.invoice_line_ids.filtered(lambda line: not line.product_id)
        self.assertFalse(fee_line.pareto_family_id)
        self.assertFalse(bill.pareto_main_family_id)
        self.env["pareto.payment.report"].invalidate_model()
        self.assertFalse(self._row(bill).family_id)

    def test_rows_of_other_companies_are_not_read(self):
        bill = self._bill(self.vendor_large, 100.0, self.today)
        manager_2 = new_test_user(
            self.env,
            login="pareto_manager_2",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=self.company_2.id,
            company_ids=[Command.set([self.company_2.id])],
        )
        Report = self.env["pareto.payment.report"]
        self.assertTrue(Report.with_user(self.manager_1).search([("move_id", "=", bill.id)]))
        self.assertFalse(Report.with_user(manager_2).search([("move_id", "=", bill.id)]))
        with self.assertRaises(AccessError):
            Report.with_user(self.buyer).search([])


@tagged("post_install", "-at_install")
class TestLatePaymentTable(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A closing date after the bills, within the fiscal (calendar) year.
        cls.closing = cls.today.replace(year=cls.today.year - 1, month=12, day=31)
        start = cls.closing.replace(month=1, day=1)
        cls.year_start = start

        # What the database holds before (the demo's bills): the figures below
        # are what these bills add to it.
        cls.before = cls.company.get_pareto_late_payment_table(cls.closing)
        cls.before_sme = cls.company.get_pareto_late_payment_table(cls.closing, sme_only=True)

        def due_at(days_late):  # a bill due ``days_late`` days before the closing date
            return cls.closing - timedelta(days=days_late + 30)

        cls.bills = {
            "b5": cls._bill(cls.vendor_small_local, 1000.0, due_at(5)),
            "b40": cls._bill(cls.vendor_large, 1000.0, due_at(40)),
            "b75": cls._bill(cls.vendor_small_local, 600.0, due_at(75)),
            "b100": cls._bill(cls.vendor_micro_far, 400.0, due_at(100)),
            "paid": cls._bill(cls.vendor_large, 2000.0, due_at(50)),
            "not_due": cls._bill(cls.vendor_small_local, 700.0, cls.closing - timedelta(days=10)),
            "disputed": cls._bill(cls.vendor_small_local, 900.0, due_at(20)),
            "next_year": cls._bill(cls.vendor_small_local, 5000.0, cls.closing + timedelta(days=1)),
        }
        cls.refund = cls._bill(cls.vendor_large, 600.0, start + timedelta(days=3), refund=True)
        # b40: 300 paid before the closing date, the rest after; b100 paid
        # after the closing date (late at that date); "paid" before it.
        cls._pay(cls.bills["b40"], cls.closing - timedelta(days=3), amount=300.0)
        cls._pay(cls.bills["b40"], cls.closing + timedelta(days=3))
        cls._pay(cls.bills["b100"], cls.closing + timedelta(days=10))
        cls._pay(cls.bills["paid"], cls.closing - timedelta(days=1))
        cls.bills["disputed"].action_toggle_block_payment()

    def _added(self, table, before):
        """{bucket: (count, amount)} (and total, disputed) that the test's bills add."""
        rows = {
            row["bucket"]: (row["count"], row["amount"])
            for row in (*table["buckets"], dict(table["total"], bucket="total"))
        }
        earlier = {
            row["bucket"]: (row["count"], row["amount"])
            for row in (*before["buckets"], dict(before["total"], bucket="total"))
        }
        added = {
            key: (count - earlier[key][0], round(amount - earlier[key][1], 2))
            for key, (count, amount) in rows.items()
        }
        added["disputed"] = (
            table["disputed"]["count"] - before["disputed"]["count"],
            round(table["disputed"]["amount"] - before["disputed"]["amount"], 2),
        )
        added["year_purchases"] = round(table["year_purchases"] - before["year_purchases"], 2)
        return added

    def test_table_by_hand(self):
        table = self.company.get_pareto_late_payment_table(fields.Date.to_string(self.closing))
        added = self._added(table, self.before)
        # Bills of the year: every bill up to the closing date, minus the refund.
        self.assertEqual(added["year_purchases"], 1000 + 1000 + 600 + 400 + 2000 + 700 + 900 - 600)
        self.assertEqual(added["1-30"], (1, 1000.0))
        self.assertEqual(added["31-60"], (1, 700.0))  # 300 of 1,000 paid before closing
        self.assertEqual(added["61-90"], (1, 600.0))
        self.assertEqual(added["91+"], (1, 400.0))  # paid after the closing date
        self.assertEqual(added["total"], (4, 2700.0))
        self.assertEqual(added["disputed"], (1, 900.0))
        year = table["year_purchases"]
        self.assertAlmostEqual(table["total"]["share"], table["total"]["amount"] * 100.0 / year)
        self.assertEqual(table["closing_date"], fields.Date.to_string(self.closing))

    def test_both_ways_to_read_the_payments_agree(self):
        """What remained due at the closing date, read as the totals minus
        the payments up to it or as today's residuals plus the payments
        after it, on the bills above (paid before, across and after it)."""
        for closing in (self.closing, self.closing + timedelta(days=5), self.today):
            for sme_only in (False, True):
                with self.subTest(closing=closing, sme_only=sme_only):
                    before = self.company._pareto_bills_due_at(closing, sme_only, later=False)
                    after = self.company._pareto_bills_due_at(closing, sme_only, later=True)
                    self.assertEqual(
                        [sorted(rows) for rows in before], [sorted(rows) for rows in after]
                    )
        self.assertTrue(self.company._pareto_bills_due_at(self.closing, False, later=True)[0])

    def test_sme_only(self):
        table = self.company.get_pareto_late_payment_table(self.closing, sme_only=True)
        added = self._added(table, self.before_sme)
        self.assertEqual(added["31-60"], (0, 0.0))  # the large vendor's
        self.assertEqual(added["total"], (3, 2000.0))
        # The SME vendors' bills of the year (the refund is the large vendor's).
        self.assertEqual(added["year_purchases"], 1000 + 600 + 400 + 700 + 900)

    def test_bad_dates_and_other_companies(self):
        for value in ("abc", "2026-13-45", False, None):
            with self.subTest(value=value), self.assertRaises(UserError):
                self.company.get_pareto_late_payment_table(value)
        with self.assertRaises(AccessError):
            self.company_2.with_user(self.manager_1).get_pareto_late_payment_table(self.closing)
        table = self.company_2.with_user(self.manager).get_pareto_late_payment_table(self.closing)
        self.assertEqual(table["total"]["count"], 0)

    def test_pdf_and_xlsx(self):
        request = self.env["pareto.late.payment.table"].create(
            {"closing_date": self.closing, "company_id": self.company.id}
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("pareto_odoo.action_report_late_payment_table", request.ids)[0]
            .decode()
        )
        self.assertIn("o_pareto_late_payment_table", html)
        self.assertIn("91 days and more", html)
        action = request.action_export_xlsx()
        self.assertIn("/xlsx_file/", action["url"])
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(request.xlsx_file)))
        sheet = book.active
        rows = list(sheet.iter_rows(min_row=7, max_row=12, values_only=True))
        table = request._late_payment_table()
        counts = [row["count"] for row in table["buckets"]]
        self.assertEqual(
            [row[1] for row in rows],
            [*counts, table["total"]["count"], table["disputed"]["count"]],
        )
        self.assertEqual(rows[4][2], table["total"]["amount"])
        self.assertIn("D.441-6", sheet["A1"].value)


@tagged("post_install", "-at_install")
class TestLegalPaymentCap(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term_90 = cls.env["account.payment.term"].create(
            {
                "name": "90 days net",
                "line_ids": [Command.create({"value": "percent", "nb_days": 90})],
            }
        )
        cls.term_45_eom = cls.env["account.payment.term"].create(
            {
                "name": "45 days end of month",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "nb_days": 45, "delay_type": "days_after_end_of_month"}
                    )
                ],
            }
        )

    def test_terms_against_the_cap(self):
        self.assertEqual(self.term_90.pareto_days_over_legal_cap, 30)
        self.assertEqual(self.term_45_eom.pareto_days_over_legal_cap, 0)
        self.assertEqual(self.term_30.pareto_days_over_legal_cap, 0)

    def test_sme_vendors_and_orders_are_flagged(self):
        for vendor in (self.vendor_small_local, self.vendor_large):
            vendor.property_supplier_payment_term_id = self.term_90
        self.assertTrue(self.vendor_small_local.pareto_payment_term_over_cap)
        self.assertEqual(self.vendor_small_local.pareto_payment_term_days_over, 30)
        self.assertFalse(self.vendor_large.pareto_payment_term_over_cap)
        Partner = self.env["res.partner"]
        flagged = Partner.search([("pareto_payment_term_over_cap", "=", True)])
        self.assertIn(self.vendor_small_local, flagged)
        self.assertNotIn(self.vendor_large, flagged)

        order = self._create_order(
            self.vendor_small_local, [(self.laptop, 1, 100.0)], confirm=False
        )
        order.payment_term_id = self.vendor_small_local.property_supplier_payment_term_id
        self.assertTrue(order.pareto_payment_term_over_cap)
        orders = self.env["purchase.order"].search([("pareto_payment_term_over_cap", "=", True)])
        self.assertIn(order, orders)
        order.payment_term_id = self.term_45_eom
        self.assertFalse(order.pareto_payment_term_over_cap)


@tagged("post_install", "-at_install")
class TestDependency(PaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor_small_local.write({"pareto_turnover": 10000.0, "pareto_finance_year": 2025})
        cls._create_order(cls.vendor_small_local, [(cls.laptop, 4, 1000.0)])
        # Not in the last 12 months.
        old = cls._create_order(cls.vendor_small_local, [(cls.laptop, 1, 9000.0)])
        old.date_approve = fields.Datetime.now() - timedelta(days=400)
        cls.env.flush_all()

    def test_dependency_by_hand(self):
        vendor = self.vendor_small_local.with_user(self.manager)
        self.assertAlmostEqual(vendor.pareto_dependency, 40.0)
        self.assertTrue(vendor.pareto_dependency_known)
        self.assertTrue(vendor.pareto_is_dependent)
        self.assertIn(
            self.vendor_small_local,
            self.env["res.partner"]
            .with_user(self.manager)
            .search([("pareto_is_dependent", "=", True)]),
        )
        self.company.pareto_dependency_threshold = 50.0
        self.assertFalse(self.vendor_small_local.with_user(self.manager_1).pareto_is_dependent)
        unknown = self.vendor_micro_far.with_user(self.manager)
        self.assertFalse(unknown.pareto_dependency_known)
        self.assertFalse(unknown.pareto_is_dependent)

    def test_widget_projects_the_order(self):
        rfq = self._create_order(
            self.vendor_small_local, [(self.laptop, 1, 1000.0)], confirm=False
        ).with_user(self.manager)
        dependency = rfq.pareto_compliance["dependency"]
        self.assertAlmostEqual(dependency["share"], 40.0)
        self.assertAlmostEqual(dependency["projected_share"], 50.0)
        self.assertEqual(dependency["year"], 2025)
        self.assertTrue(dependency["dependent"])
        large = self._create_order(self.vendor_large, [(self.laptop, 1, 10.0)], confirm=False)
        self.assertIsNone(large.with_user(self.manager).pareto_compliance["dependency"])

    def test_dashboard_lists_dependent_vendors(self):
        data = (
            self.env["pareto.compliance.dashboard"]
            .with_user(self.manager)
            .get_dependent_vendors({"company_ids": [self.company.id]})
        )
        rows = {row["partner_id"]: row for row in data}
        row = rows[self.vendor_small_local.id]
        self.assertAlmostEqual(row["dependency"], 40.0)
        self.assertEqual(row["year"], 2025)
        self.assertNotIn(self.vendor_large.id, rows)
        # A company without purchases with it: no dependency.
        data = (
            self.env["pareto.compliance.dashboard"]
            .with_user(self.manager)
            .with_company(self.company_2)
            .get_dependent_vendors({"company_ids": [self.company_2.id]})
        )
        self.assertNotIn(self.vendor_small_local.id, [row["partner_id"] for row in data])
