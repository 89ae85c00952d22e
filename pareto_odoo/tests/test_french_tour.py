from odoo.tests import HttpCase, tagged

from .common import BUYER_GROUPS, FRENCH, MANAGER_GROUPS, ParetoCase, activate_french, pareto_user


@tagged("post_install", "-at_install")
class TestFrenchTours(HttpCase, ParetoCase):
    """In Chromium, 1440 px wide, as French users: the compliance widget of an
    RFQ and the dashboard, in French words, numbers and dates."""

    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_french(cls.env)
        cls.company.write({"pareto_period": "calendar_year", "pareto_warning_margin": 5.0})
        cls.french_buyer = pareto_user(
            cls.env, "pareto_acheteur", BUYER_GROUPS, cls.company, **FRENCH
        )
        cls.french_manager = pareto_user(
            cls.env, "pareto_responsable", MANAGER_GROUPS, cls.company, **FRENCH
        )
        family = cls.env["pareto.family"].create(
            {"name": "Office furniture and equipment", "code": "TOUR-FR", "target_share": 20.0}
        )
        family.with_context(lang="fr_FR").name = "Mobilier et équipement de bureau"
        cls.family_facility.with_context(lang="fr_FR").name = "Services généraux"
        category = cls.env["product.category"].create(
            {"name": "Tour furniture", "pareto_family_id": family.id}
        )
        product = cls.env["product.product"].create(
            {"name": "Tour desk", "categ_id": category.id, "purchase_ok": True}
        )
        # This year: 100 of SME spend in each family; facility services also
        # 900 with a large vendor (10 %).
        cls._create_order(cls.vendor_small_local, [(product, 1, 100.0), (cls.cleaning, 1, 100.0)])
        cls._create_order(cls.vendor_large, [(cls.cleaning, 1, 900.0)])
        cls.rfq = cls._create_order(cls.vendor_large, [(product, 1, 900.0)], confirm=False)

    def test_widget_in_french_at_1440_px(self):
        self.start_tour(
            f"/odoo/action-purchase.purchase_rfq/{self.rfq.id}",
            "pareto_compliance_french_tour",
            login=self.french_buyer.login,
        )

    def test_dashboard_in_french(self):
        self.start_tour(
            "/odoo/action-pareto_odoo.action_pareto_compliance_dashboard",
            "pareto_compliance_dashboard_french_tour",
            login=self.french_manager.login,
        )
