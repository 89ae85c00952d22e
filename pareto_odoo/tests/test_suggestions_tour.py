from odoo.tests import HttpCase, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestSuggestionsTour(HttpCase, ParetoCase):
    """In the browser, as a buyer: open an RFQ, see the SME suggestions,
    request a quotation from a suggested SME."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.write({"partner_latitude": 48.8720, "partner_longitude": 2.3100})
        cls.local_sme = cls._create_vendor(
            "Atelier Tour Local",
            "75011",
            "micro",
            partner_latitude=48.8580,
            partner_longitude=2.3800,
        )
        cls.far_sme = cls._create_vendor("Lyon Tour Distant", "69003", "small")
        for vendor, price in ((cls.far_sme, 500.0), (cls.local_sme, 900.0)):
            cls.env["product.supplierinfo"].create(
                {
                    "partner_id": vendor.id,
                    "product_tmpl_id": cls.laptop.product_tmpl_id.id,
                    "price": price,
                }
            )
        cls.order = cls._create_order(cls.vendor_large, [(cls.laptop, 2, 1000.0)], confirm=False)
        cls.order.name = "PARETO-TOUR-1"

    def test_request_quotation_from_a_suggestion(self):
        self.start_tour(
            f"/odoo/purchase/{self.order.id}", "pareto_suggestions_tour", login=self.buyer.login
        )
        alternative = self.order.pareto_alternative_ids
        self.assertEqual(len(alternative), 1)
        self.assertEqual(alternative.partner_id, self.local_sme)
        self.assertEqual(alternative.state, "draft")
        self.assertEqual(alternative.order_line.product_id, self.laptop)
        self.assertEqual(alternative.order_line.product_qty, 2)
        self.assertEqual(alternative.order_line.price_unit, 900.0)
