from contextlib import contextmanager

from odoo import fields
from odoo.tests import tagged

from ..engine import compliance
from .test_bills import BillCase


@tagged("post_install", "-at_install")
class TestReadOnlyReads(BillCase):
    """The reporting reads are marked read-only, so that Odoo may run them
    on a PostgreSQL replica: they must work on a read-only transaction."""

    @contextmanager
    def read_only(self):
        """A read-only transaction (as on a replica) for the block: any
        write raises; undone afterwards."""
        self.env.flush_all()
        savepoint = self.env.cr.savepoint(flush=False)
        try:
            self.env.cr.execute("SET LOCAL transaction_read_only = on")
            yield
            self.env.flush_all()  # what the block left pending could not be written
            self.env.cr.execute("SHOW transaction_read_only")
            self.assertEqual(self.env.cr.fetchone()[0], "on")
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def test_reports_run_on_a_read_only_cursor(self):
        order = self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        self._create_bill(self.vendor_large, [(self.laptop, 1, 50.0)])
        rfq = self._create_order(self.vendor_large, [(self.laptop, 1, 10.0)], confirm=False)
        Dashboard = self.env["pareto.compliance.dashboard"]
        for basis in (compliance.ORDERED, compliance.INVOICED):
            self.company.pareto_spend_basis = basis
            with self.read_only():
                self.assertTrue(rfq.get_pareto_compliance())
                rfq.get_pareto_suggestions()
                rfq.get_pareto_suggestions_panel()
                data = Dashboard.get_dashboard_data({"company_ids": self.company.ids})
                self.assertGreater(data["total"]["total"], 0)
                Dashboard._xlsx_content(Dashboard._scope({"company_ids": self.company.ids}))
                self.env["pareto.spend.report"].formatted_read_group(
                    [("company_id", "=", self.company.id)], ["family_id"], ["amount:sum"]
                )
                self.env["pareto.spend.vendor"]._vendor_spend(
                    self.company, order.date_approve.date(), order.date_approve.date()
                )
                Dashboard.get_dependent_vendors({"company_ids": self.company.ids})
                self.env["pareto.payment.report"].formatted_read_group(
                    [], ["is_sme"], ["delay_days:avg", "late_days:avg"]
                )
                self.company.get_pareto_late_payment_table(fields.Date.today())
                self.vendor_small_local.read(["pareto_dependency", "pareto_is_dependent"])

    def test_reads_are_marked_read_only(self):
        Order = type(self.env["purchase.order"])
        for method in (
            Order.get_pareto_compliance,
            Order.get_pareto_suggestions,
            Order.get_pareto_suggestions_panel,
            type(self.env["pareto.compliance.dashboard"]).get_dashboard_data,
            type(self.env["pareto.compliance.dashboard"]).get_dependent_vendors,
            type(self.env["res.company"]).get_pareto_late_payment_table,
        ):
            self.assertTrue(getattr(method, "_readonly", False), method.__name__)
