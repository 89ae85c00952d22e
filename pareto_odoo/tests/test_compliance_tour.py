from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestComplianceTour(HttpCase, ParetoCase):
    """In Chromium, as a buyer, on data made here (not the demo, whose figures
    move with the date): open an RFQ, add a line, read the figures and colours
    of the compliance widget while editing, confirm and justify."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "pareto_period": "calendar_year",
                "pareto_warning_margin": 5.0,
                "pareto_require_justification": True,
            }
        )
        family = cls.env["pareto.family"].create(
            {"name": "Tour Office Equipment", "code": "TOUR", "target_share": 20.0}
        )
        category = cls.env["product.category"].create(
            {"name": "Tour equipment", "pareto_family_id": family.id}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Tour Workstation", "categ_id": category.id, "purchase_ok": True}
        )
        # 100 of SME spend confirmed this year in the family: current share 100%.
        cls._create_order(cls.vendor_small_local, [(cls.product, 1, 100.0)])
        cls.order = cls.env["purchase.order"].create(
            {"partner_id": cls.vendor_large.id, "company_id": cls.company.id}
        )
        cls.order.name = "PARETO-COMPLIANCE-TOUR"

    def test_compliance_widget_and_justification(self):
        self.assertFalse(self.order.order_line)
        self.start_tour(
            f"/odoo/action-purchase.purchase_rfq/{self.order.id}",
            "pareto_compliance_tour",
            login=self.buyer.login,
        )
        self.assertEqual(self.order.state, "purchase")
        self.assertEqual(self.order.order_line.price_unit, 900.0)
        self.assertEqual(self.order.pareto_justification, "No SME can deliver this week")
        self.assertTrue(
            any(
                "No SME can deliver this week" in (message.body or "")
                for message in self.order.message_ids
            )
        )

    def test_warning_without_justification(self):
        self.company.pareto_require_justification = False
        self.order.order_line = [
            Command.create({"product_id": self.product.id, "product_qty": 1, "price_unit": 900.0})
        ]
        self.start_tour(
            f"/odoo/action-purchase.purchase_rfq/{self.order.id}",
            "pareto_compliance_confirm_anyway_tour",
            login=self.buyer.login,
        )
        self.assertEqual(self.order.state, "purchase")
        self.assertFalse(self.order.pareto_justification)
