import datetime

from odoo import fields
from odoo.tests import tagged

from ..engine import compliance
from .test_compliance import ComplianceCase


class BillCase(ComplianceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.family_services = cls.env["pareto.family"].create(
            {"name": "Intellectual services", "code": "INT", "account_prefixes": "62991,62992"}
        )
        cls.family_fees = cls.env["pareto.family"].create(
            {"name": "Fees", "code": "FEE", "account_prefixes": "6299"}
        )
        cls.account_lawyers = cls._expense_account("629910", "Honoraires")
        cls.account_fees = cls._expense_account("629950", "Commissions")
        cls.account_other = cls._expense_account("629700", "Cotisations")

    def _invoiced(self):
        self.company.pareto_spend_basis = compliance.INVOICED


@tagged("post_install", "-at_install")
class TestBillFamily(BillCase):
    def test_fee_bill_without_product_lands_by_account_prefix(self):
        bill = self._create_bill(
            self.vendor_small_local,
            [
                (None, 1, 500.0, self.account_lawyers),
                (None, 1, 200.0, self.account_fees),
                (None, 1, 50.0, self.account_other),
            ],
        )
        lines = bill.invoice_line_ids.sorted("price_unit")
        # 629910: "62991" is longer than "6299"; 629950: only "6299"; 629700: none.
        self.assertEqual(lines.mapped("pareto_family_id"), self.family_fees | self.family_services)
        self.assertFalse(lines[0].pareto_family_id)
        self.assertEqual(lines[1].pareto_family_id, self.family_fees)
        self.assertEqual(lines[2].pareto_family_id, self.family_services)

    def test_purchase_line_then_product_then_account(self):
        order = self._confirmed(self.vendor_large, [(self.laptop, 1, 100.0)])
        bill = self._create_bill(
            self.vendor_large,
            [
                # From the order line: its family (IT), whatever the account.
                (self.laptop, 1, 100.0, self.account_lawyers, order.order_line),
                # A product mapped by override (Software) on a fee account.
                (self.licence, 1, 30.0, self.account_lawyers),
                # An unmapped product falls back to the account prefix.
                (self.misc, 1, 10.0, self.account_lawyers),
            ],
        )
        families = {line.price_unit: line.pareto_family_id for line in bill.invoice_line_ids}
        self.assertEqual(families[100.0], self.family_it)
        self.assertEqual(families[30.0], self.family_software)
        self.assertEqual(families[10.0], self.family_services)

    def test_mapping_changes_follow_in_sql_as_the_compute(self):
        bill = self._create_bill(
            self.vendor_large,
            [(self.misc, 1, 10.0, self.account_other), (None, 1, 5.0, self.account_other)],
        )
        self.assertFalse(bill.invoice_line_ids.pareto_family_id)
        self.family_services.account_prefixes = "6297"
        self.assertEqual(bill.invoice_line_ids.pareto_family_id, self.family_services)
        self.categ_unmapped.pareto_family_id = self.family_facility
        by_price = {line.price_unit: line.pareto_family_id for line in bill.invoice_line_ids}
        self.assertEqual(by_price[10.0], self.family_facility)
        self.assertEqual(by_price[5.0], self.family_services)
        # The set-based refresh and the ORM compute give the same families.
        lines = self.env["account.move.line"].search([("move_id.move_type", "=", "in_invoice")])
        stored = {line.id: line.pareto_family_id for line in lines}
        self.env.add_to_compute(lines._fields["pareto_family_id"], lines)
        lines._recompute_recordset(["pareto_family_id"])
        self.assertEqual(stored, {line.id: line.pareto_family_id for line in lines})

    def test_other_company_family_does_not_apply(self):
        self.family_company_2.account_prefixes = "62960"
        account = self._expense_account("629600", "Sud")
        bill = self._create_bill(self.vendor_large, [(None, 1, 5.0, account)])
        self.assertFalse(bill.invoice_line_ids.pareto_family_id)


@tagged("post_install", "-at_install")
class TestInvoicedCompliance(BillCase):
    def test_invoiced_basis_counts_bills_minus_refunds(self):
        self._invoiced()
        self._create_bill(self.vendor_small_local, [(self.laptop, 3, 100.0)])
        self._create_bill(self.vendor_large, [(self.laptop, 7, 100.0)])
        self._create_bill(self.vendor_large, [(self.laptop, 1, 100.0)], refund=True)
        # Draft bills, other years and confirmed orders do not count.
        self._create_bill(self.vendor_large, [(self.laptop, 1, 999.0)], post=False)
        self._create_bill(
            self.vendor_large, [(self.laptop, 1, 888.0)], date=datetime.date(2001, 6, 1)
        )
        self._confirmed(self.vendor_large, [(self.laptop, 1, 777.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 900.0)
        self.assertAlmostEqual(row["sme_total"], 300.0)
        self.assertAlmostEqual(row["projected_total"], 1000.0)
        self.assertAlmostEqual(row["projected_share"], 30.0)
        self.assertEqual(row["status"], compliance.OK)

    def test_bills_of_the_order_are_not_counted_twice(self):
        self._invoiced()
        self._create_bill(self.vendor_small_local, [(self.laptop, 1, 300.0)])
        order = self._confirmed(self.vendor_large, [(self.laptop, 2, 500.0)])
        # Half of the order is billed: the bill line is the order's own.
        self._create_bill(self.vendor_large, [(self.laptop, 1, 500.0, None, order.order_line)])
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 300.0)
        self.assertAlmostEqual(row["projected_total"], 1300.0)
        # Another order sees the bill.
        other = self._create_order(self.vendor_large, [(self.laptop, 1, 1.0)], confirm=False)
        self.assertAlmostEqual(other.get_pareto_compliance()[0]["total"], 800.0)

    def test_status_and_warning_follow_the_basis(self):
        self._create_bill(self.vendor_large, [(self.laptop, 1, 1000.0)])
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 1000.0)])
        rfq = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        self.assertEqual(rfq.pareto_status, compliance.OK)  # ordered: 1000 SME of 1100
        self._invoiced()
        rfq.order_line.price_unit = 101.0  # any change recomputes the status
        self.assertEqual(rfq.pareto_status, compliance.BELOW)  # invoiced: 0 of 1101
        self.assertTrue(rfq._pareto_lowered_families())

    def test_foreign_currency_bill_counts_in_company_currency(self):
        self._invoiced()
        currency = self.env["res.currency"].create(
            {"name": "PRB", "symbol": "B", "rounding": 0.01, "active": True}
        )
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": "2000-01-01", "rate": 4.0}
        )
        self._create_bill(self.vendor_small_local, [(self.laptop, 1, 400.0)], currency=currency)
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 1.0)], confirm=False)
        self.assertAlmostEqual(order.get_pareto_compliance()[0]["total"], 100.0)


@tagged("post_install", "-at_install")
class TestBillAggregate(BillCase):
    """The aggregates stay exact through every change of bills."""

    def assertAggregateExact(self):
        maintained = self._spend_rows()
        self.env["pareto.spend.delta"]._merge()
        self.assertEqual(maintained, self._spend_rows())
        self.env["pareto.spend.delta"]._rebuild()
        self.assertEqual(maintained, self._spend_rows())
        return maintained

    def test_triggers_keep_bills_exact(self):
        order = self._confirmed(self.vendor_large, [(self.laptop, 2, 100.0)])
        bill = self._create_bill(
            self.vendor_large,
            [(self.laptop, 1, 100.0, None, order.order_line), (None, 1, 40.0, self.account_fees)],
        )
        refund = self._create_bill(self.vendor_small_local, [(self.cleaning, 1, 30.0)], refund=True)
        families, _vendors = self.assertAggregateExact()
        self.assertIn(compliance.SOURCE_BILL, {row[3] for row in families})
        bill.button_draft()
        self.assertAggregateExact()
        bill.invoice_line_ids[0].price_unit = 90.0
        bill.write({"name": False, "invoice_date": self.today - datetime.timedelta(days=40)})
        bill.action_post()
        self.assertAggregateExact()
        # Vendors reclassified, excluded, and a mapping change.
        self.vendor_large.pareto_size = "small"
        self.assertAggregateExact()
        self.vendor_small_local.pareto_excluded = True
        self.assertAggregateExact()
        self.family_fees.account_prefixes = "62995"
        self.categ_cleaning.pareto_family_id = self.family_it
        self.assertAggregateExact()
        refund.button_draft()
        refund.unlink()
        self.assertAggregateExact()
        # Bulk plans (a statement of many rows merges at once).
        self.env["pareto.spend.delta"]._create_functions(bulk_rows=0)
        bill.button_draft()
        bill.action_post()
        self.assertAggregateExact()


@tagged("post_install", "-at_install")
class TestBillReport(BillCase):
    def test_report_follows_the_basis_and_equals_the_widget(self):
        order = self._confirmed(self.vendor_small_local, [(self.laptop, 2, 150.0)])
        self._confirmed(self.vendor_large, [(self.laptop, 1, 700.0)])
        bill = self._create_bill(
            self.vendor_small_local, [(self.laptop, 2, 150.0, None, order.order_line)]
        )
        self._create_bill(self.vendor_large, [(self.laptop, 1, 250.0)])
        refund = self._create_bill(self.vendor_large, [(self.laptop, 1, 50.0)], refund=True)
        Report = self.env["pareto.spend.report"]
        rfq = self._create_order(self.vendor_large, [(self.laptop, 1, 1.0)], confirm=False)
        for basis, source, total, sme in (
            (compliance.ORDERED, compliance.SOURCE_ORDER, 1000.0, 300.0),
            (compliance.INVOICED, compliance.SOURCE_BILL, 500.0, 300.0),
        ):
            self.company.pareto_spend_basis = basis
            row = rfq.get_pareto_compliance()[0]
            domain = [
                ("company_id", "=", self.company.id),
                ("family_id", "=", self.family_it.id),
                ("date", ">=", row["period_start"]),
                ("date", "<=", row["period_end"]),
            ]
            rows = Report.search(domain)
            self.assertEqual(set(rows.mapped("source")), {source})
            self.assertAlmostEqual(row["total"], total)
            self.assertAlmostEqual(row["sme_total"], sme)
            self.assertAlmostEqual(sum(rows.mapped("amount")), row["total"])
            self.assertAlmostEqual(sum(rows.mapped("sme_amount")), row["sme_total"])
        refund_row = Report.search([("move_id", "=", refund.id)])
        self.assertAlmostEqual(refund_row.amount, -50.0)
        self.assertEqual(Report.search([("move_id", "=", bill.id)]).order_id, order)


@tagged("post_install", "-at_install")
class TestInvoicedSuggestions(BillCase):
    def test_history_volume_follows_the_basis(self):
        self._confirmed(self.vendor_micro_far, [(self.laptop, 1, 400.0)])
        self._create_bill(self.vendor_micro_far, [(self.laptop, 1, 250.0)])
        self._create_bill(self.vendor_micro_far, [(self.laptop, 1, 50.0)], refund=True)
        rfq = self._create_order(self.vendor_large, [(self.laptop, 1, 10.0)], confirm=False)

        def volume():
            rows = rfq.get_pareto_suggestions(limit=10)
            return {row["partner_id"]: row["volume"] for row in rows}[self.vendor_micro_far.id]

        self.assertAlmostEqual(volume(), 400.0)
        self._invoiced()
        self.assertAlmostEqual(volume(), 200.0)
