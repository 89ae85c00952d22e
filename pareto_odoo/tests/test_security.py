from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestSecurity(ParetoCase):
    def test_buyer_reads_families_but_cannot_change_targets(self):
        family = self.family_it.with_user(self.buyer)
        self.assertEqual(family.target_share, 20.0)
        with self.assertRaises(AccessError):
            family.target_share = 5.0
        with self.assertRaises(AccessError):
            self.env["pareto.family"].with_user(self.buyer).create({"name": "X", "code": "X"})
        with self.assertRaises(AccessError):
            family.unlink()

    def test_manager_edits_families_and_mappings(self):
        family = self.family_it.with_user(self.manager)
        family.target_share = 35.0
        self.assertEqual(self.family_it.target_share, 35.0)
        self.env["pareto.family"].with_user(self.manager).create({"name": "New", "code": "NEW"})
        self.family_it.with_user(self.manager).product_category_ids = [
            Command.link(self.categ_unmapped.id)
        ]
        self.assertEqual(self.categ_unmapped.pareto_family_id, self.family_it)

    def test_only_procurement_managers_map_products(self):
        catalog_manager = new_test_user(
            self.env,
            login="catalog_manager",
            groups="base.group_user,product.group_product_manager,purchase.group_purchase_user",
        )
        template = self.laptop.product_tmpl_id
        template.with_user(catalog_manager).name = "Laptop 14"
        with self.assertRaisesRegex(AccessError, "Only procurement managers"):
            template.with_user(catalog_manager).pareto_family_id = self.family_facility
        with self.assertRaisesRegex(AccessError, "Only procurement managers"):
            self.categ_unmapped.with_user(catalog_manager).pareto_family_id = self.family_it
        with self.assertRaises(AccessError):
            self.family_it.with_user(self.buyer).product_category_ids = [
                Command.link(self.categ_unmapped.id)
            ]
        self.assertFalse(self.categ_unmapped.pareto_family_id)

    def test_buyer_cannot_change_vendor_size(self):
        vendor = self.vendor_large.with_user(self.buyer)
        self.assertEqual(vendor.pareto_size, "large")
        for vals in (
            {"pareto_size": "small"},
            {"pareto_headcount": 12},
            {"pareto_excluded": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                vendor.write(vals)
        # Writing the same value, or other fields, is fine.
        vendor.write({"pareto_size": "large", "city": "Nanterre"})
        # A buyer creates a vendor without a size; sizes are for managers.
        new_vendor = self.env["res.partner"].with_user(self.buyer).create({"name": "New vendor"})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.buyer).create(
                {"name": "Sized", "pareto_size": "micro"}
            )
        # A buyer attaching a contact to a classified company is fine (sync as superuser).
        new_vendor.parent_id = self.vendor_large
        self.assertEqual(new_vendor.pareto_size, "large")

    def test_manager_changes_vendor_size(self):
        self.vendor_large.with_user(self.manager).write({"pareto_size": "intermediate"})
        self.assertEqual(self.vendor_large.pareto_size, "intermediate")
        self.assertEqual(self.vendor_large.pareto_size_source, "manual")

    def test_multi_company_rule(self):
        Family = self.env["pareto.family"]
        # The buyer only has the first company: the second company's family is invisible.
        visible = Family.with_user(self.buyer).search([])
        self.assertIn(self.family_it, visible)
        self.assertNotIn(self.family_company_2, visible)
        with self.assertRaises(AccessError):
            self.family_company_2.with_user(self.buyer).read(["name"])
        # The manager sees it only with the second company allowed.
        manager_env = Family.with_user(self.manager)
        self.assertNotIn(
            self.family_company_2,
            manager_env.with_context(allowed_company_ids=[self.company.id]).search([]),
        )
        self.assertIn(
            self.family_company_2,
            manager_env.with_context(
                allowed_company_ids=[self.company.id, self.company_2.id]
            ).search([]),
        )

    def test_only_administrators_change_settings(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create(
                {"pareto_default_target": 50.0}
            )
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).pareto_default_target = 50.0
        self.env["res.config.settings"].with_user(self.admin).create(
            {"pareto_default_target": 30.0}
        ).execute()
        self.assertEqual(self.company.pareto_default_target, 30.0)
