from odoo.tests import Form, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestPartnerSize(ParetoCase):
    def test_size_from_figures(self):
        vendor = self.env["res.partner"].create({"name": "Figures SAS", "is_company": True})
        cases = [
            # headcount, turnover, balance sheet, expected size
            (9, 2_000_000.0, 0.0, "micro"),
            (10, 2_000_000.0, 0.0, "small"),
            (49, 10_000_001.0, 10_000_000.0, "small"),
            (50, 0.0, 0.0, "medium"),
            (249, 50_000_001.0, 43_000_000.0, "medium"),
            (249, 50_000_001.0, 43_000_001.0, "intermediate"),
            (250, 1_000_000.0, 0.0, "intermediate"),
            (4_999, 1_500_000_001.0, 2_000_000_001.0, "large"),
            (5_000, 0.0, 0.0, "large"),
        ]
        for headcount, turnover, balance, expected in cases:
            with self.subTest(headcount=headcount, turnover=turnover, balance=balance):
                vendor.write(
                    {
                        "pareto_headcount": headcount,
                        "pareto_turnover": turnover,
                        "pareto_balance_sheet": balance,
                    }
                )
                self.assertEqual(vendor.pareto_size, expected)
                self.assertEqual(vendor.pareto_size_source, "figures")
                self.assertEqual(vendor.pareto_is_sme, expected in ("micro", "small", "medium"))

    def test_manual_size_and_unknown(self):
        self.assertEqual(self.vendor_small_local.pareto_size_source, "manual")
        self.assertTrue(self.vendor_small_local.pareto_is_sme)
        self.assertFalse(self.vendor_unknown.pareto_size)
        self.assertFalse(self.vendor_unknown.pareto_is_sme, "unknown size counts as non-SME")
        # Without headcount, figures say nothing and the manual size stays.
        self.vendor_small_local.pareto_turnover = 90_000_000.0
        self.assertEqual(self.vendor_small_local.pareto_size, "small")
        self.assertEqual(self.vendor_small_local.pareto_size_source, "manual")
        # An explicit source is kept (registry, import).
        self.vendor_unknown.write({"pareto_size": "medium", "pareto_size_source": "registry"})
        self.assertEqual(self.vendor_unknown.pareto_size_source, "registry")

    def test_contacts_follow_their_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Jeanne Martin", "parent_id": self.vendor_small_local.id}
        )
        self.assertEqual(contact.pareto_size, "small")
        self.assertTrue(contact.pareto_is_sme)
        self.vendor_small_local.pareto_size = "medium"
        self.assertEqual(contact.pareto_size, "medium")
        self.vendor_small_local.write({"pareto_excluded": True})
        self.assertTrue(contact.pareto_excluded)

    def test_size_change_tracked_in_chatter(self):
        vendor = self.vendor_large
        # Tracking compares with the values of the last flush: create first.
        self.env.cr.flush()
        vendor.pareto_size = "intermediate"
        self.env.flush_all()
        self.env.cr.flush()
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "=", vendor.id),
                ("field_id.name", "=", "pareto_size"),
            ]
        )
        self.assertTrue(tracked)
        self.assertEqual(tracked[0].new_value_char, "Intermediate-sized enterprise (ETI)")

    def test_siren_siret_validation_never_blocks_saving(self):
        vendor = self.vendor_unknown
        vendor.country_id = self.france
        vendor.company_registry = "552 100 554 00013"
        self.assertFalse(vendor.pareto_company_registry_warning)
        self.assertEqual(vendor.pareto_siren, "552100554")
        vendor.company_registry = "552100555"
        self.assertIn("check digit", vendor.pareto_company_registry_warning)
        self.assertFalse(vendor.pareto_siren)
        vendor.company_registry = "12345"
        self.assertIn("9 digits", vendor.pareto_company_registry_warning)
        vendor.company_registry = "ABC123456"
        self.assertIn("only digits", vendor.pareto_company_registry_warning)
        # Saving through the form still works with an invalid number.
        with Form(vendor) as form:
            form.company_registry = "552100555"
        self.assertEqual(vendor.company_registry, "552100555")
        # Foreign registries are not French numbers.
        vendor.country_id = self.env.ref("base.de")
        self.assertFalse(vendor.pareto_company_registry_warning)
