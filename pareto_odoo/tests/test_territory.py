from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestTerritory(ParetoCase):
    def test_department_from_zip(self):
        Partner = self.env["res.partner"]
        cases = {
            ("75011", "base.fr"): "75",
            ("20000", "base.fr"): "2A",
            ("20200", "base.fr"): "2B",
            ("97400", "base.re"): "974",
            ("97100", "base.gp"): "971",
            ("98000", "base.mc"): False,
            ("7501", "base.fr"): False,
            ("ABCDE", "base.fr"): False,
            ("10115", "base.de"): False,
        }
        for (zip_code, country), expected in cases.items():
            with self.subTest(zip=zip_code, country=country):
                partner = Partner.create(
                    {"name": "P", "zip": zip_code, "country_id": self.env.ref(country).id}
                )
                self.assertEqual(partner.pareto_department, expected)

    def test_local_by_department(self):
        self.assertTrue(self.vendor_small_local.pareto_is_local)
        self.assertFalse(self.vendor_micro_far.pareto_is_local)
        found = self.env["res.partner"].search(
            [("pareto_is_local", "=", True), ("id", "in", self._vendors().ids)]
        )
        self.assertEqual(found, self.vendor_small_local | self.vendor_large)
        not_local = self.env["res.partner"].search(
            [("pareto_is_local", "=", False), ("id", "in", self._vendors().ids)]
        )
        self.assertEqual(not_local, self.vendor_micro_far | self.vendor_unknown)
        # Contacts are local when their company is.
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": self.vendor_small_local.id, "zip": "69001"}
        )
        self.assertTrue(contact.pareto_is_local)

    def test_local_depends_on_current_company(self):
        self.company_2.pareto_local_departments = "69, 2a"
        vendor = self.vendor_micro_far.with_company(self.company_2)
        self.assertTrue(vendor.pareto_is_local)
        self.assertFalse(self.vendor_micro_far.with_company(self.company).pareto_is_local)
        self.assertEqual(
            self.env["res.partner"]
            .with_company(self.company_2)
            .search([("pareto_is_local", "=", True), ("id", "in", self._vendors().ids)]),
            self.vendor_micro_far,
        )

    def test_local_by_radius(self):
        # The company in Paris; a vendor in Beauvais (Oise, 60), about 70 km away.
        self.company.partner_id.write({"partner_latitude": 48.8566, "partner_longitude": 2.3522})
        beauvais = self.env["res.partner"].create(
            {
                "name": "Beauvais Emballages",
                "is_company": True,
                "zip": "60000",
                "partner_latitude": 49.4300,
                "partner_longitude": 2.0800,
            }
        )
        self.assertFalse(beauvais.pareto_is_local)
        self.company.pareto_local_radius_km = 50
        beauvais.invalidate_recordset(["pareto_is_local"])
        self.assertFalse(beauvais.pareto_is_local)
        self.company.pareto_local_radius_km = 80
        beauvais.invalidate_recordset(["pareto_is_local"])
        self.assertTrue(beauvais.pareto_is_local)
        local = self.env["res.partner"].search([("pareto_is_local", "=", True)])
        self.assertIn(beauvais, local)
        self.assertIn(self.vendor_small_local, local)
        self.assertNotIn(self.vendor_micro_far, local)

    def test_settings_validation(self):
        with self.assertRaisesRegex(ValidationError, "“99” is not a French département"):
            self.company.pareto_local_departments = "75, 99"
        self.company.pareto_local_departments = "75 2B 974"
        self.assertEqual(self.company._pareto_local_department_codes(), ["75", "2B", "974"])

    def test_settings_page(self):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.admin)
            .create({"pareto_local_departments": "13,83", "pareto_warning_margin": 3.0})
        )
        settings.execute()
        self.assertEqual(self.company.pareto_local_departments, "13,83")
        self.assertEqual(self.company.pareto_warning_margin, 3.0)
        self.assertEqual(self.company.pareto_period, "calendar_year")
        self.assertEqual(self.company.pareto_local_radius_km, 0.0)

    def _vendors(self):
        return (
            self.vendor_small_local
            | self.vendor_micro_far
            | self.vendor_large
            | self.vendor_unknown
        )
