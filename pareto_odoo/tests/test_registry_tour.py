from odoo.tests import HttpCase, tagged

from .test_registry import RegistryCase, Reply, Sirens, fixture


@tagged("post_install", "-at_install")
class TestRegistryDiscoveryTour(HttpCase, RegistryCase):
    """In the browser, as a buyer: on an RFQ, find local SMEs in the company
    registry (served on 127.0.0.1) and create one as a vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family_it.naf_codes = "18.12Z, 17.23Z"
        cls.order = cls._create_order(cls.vendor_large, [(cls.laptop, 2, 1000.0)], confirm=False)
        cls._vendor("Papeteries", Sirens.PAPETERIES)

    def test_find_local_smes_and_create_a_vendor(self):
        self.fake.reply("/search", Reply(body=fixture("search_page1")), page="1")
        self.fake.reply("/search", Reply(body=fixture("search_page2")), page="2")
        self.start_tour(
            f"/odoo/purchase/{self.order.id}",
            "pareto_registry_discovery_tour",
            login=self.buyer.login,
        )
        vendor = self.env["res.partner"].search([("pareto_siren", "=", "842153678")])
        self.assertRecordValues(
            vendor,
            [{"name": "ATELIER GRAPHIQUE DU PARISIS", "pareto_size": "small", "supplier_rank": 1}],
        )
        self.assertEqual(vendor.create_uid, self.buyer)
