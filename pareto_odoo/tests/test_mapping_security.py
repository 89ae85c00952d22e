"""Nobody moves spend between families or companies by hand (issue 11,
items 3 and 4): a line's family and an order's status are derived, and the
mappings that derive them check the companies of the families concerned."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestBuyersCannotMoveSpend(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 1000.0)])
        cls.rfq = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 50_000.0)], confirm=False)

    def test_line_family_status_and_other_company_family(self):
        line = self.order.order_line.with_user(self.buyer)
        for family in (self.family_facility, self.family_company_2):
            with self.subTest(family=family.name), self.assertRaises(AccessError):
                line.write({"pareto_family_id": family.id})
        with self.assertRaises(AccessError):
            self.rfq.with_user(self.buyer).write({"pareto_status": "ok"})
        with self.assertRaises(AccessError):
            self.env["purchase.order.line"].with_user(self.buyer).create(
                {
                    "order_id": self.rfq.id,
                    "product_id": self.misc.id,
                    "product_qty": 1,
                    "pareto_family_id": self.family_it.id,
                }
            )
        self.assertEqual(self.order.order_line.pareto_family_id, self.family_it)
        self.assertEqual(self.rfq.pareto_status, "below")

    def test_catalog_managers_cannot_map_products(self):
        """They create products and categories, but mappings move spend."""
        catalog_manager = new_test_user(
            self.env,
            login="pareto_catalog",
            groups="base.group_user,product.group_product_manager,purchase.group_purchase_user",
        )
        Product = self.env["product.product"].with_user(catalog_manager)
        Category = self.env["product.category"].with_user(catalog_manager)
        with self.assertRaisesRegex(AccessError, "Only procurement managers"):
            Product.create({"name": "Mapped", "pareto_family_id": self.family_facility.id})
        with self.assertRaisesRegex(AccessError, "Only procurement managers"):
            Category.create({"name": "Mapped", "pareto_family_id": self.family_facility.id})
        Product.create({"name": "Not mapped", "categ_id": self.categ_cleaning.id})
        Category.create({"name": "Not mapped", "parent_id": self.categ_it.id})


@tagged("post_install", "-at_install")
class TestMappingsAcrossCompanies(ParetoCase):
    """A manager of the first company only (manager_1) and the second
    company's family (family_company_2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.categ_sud = Category.create(
            {"name": "Sud supplies", "pareto_family_id": cls.family_company_2.id}
        )
        cls.sud_product = cls.env["product.product"].create(
            {"name": "Sud item", "categ_id": cls.categ_sud.id}
        )
        cls.sud_order = cls._create_order(
            cls.vendor_large, [(cls.sud_product, 1, 100.0)], company=cls.company_2
        )
        cls.family_a = cls.env["pareto.family"].create(
            {"name": "A only", "code": "A", "company_id": cls.company.id}
        )

    def assertSudUnchanged(self):
        self.assertEqual(self.categ_sud.pareto_family_id, self.family_company_2)
        self.assertEqual(self.sud_order.order_line.pareto_family_id, self.family_company_2)

    def test_cannot_link_or_unlink_another_companys_category(self):
        family = self.family_a.with_user(self.manager_1)
        for commands in (
            [Command.link(self.categ_sud.id)],
            [Command.set([self.categ_sud.id])],
        ):
            with (
                self.subTest(commands=commands),
                self.assertRaisesRegex(AccessError, "Sud supplies cannot be mapped"),
            ):
                family.write({"product_category_ids": commands})
        with self.assertRaisesRegex(UserError, "not mapped to this purchasing family"):
            family.write({"product_category_ids": [Command.unlink(self.categ_sud.id)]})
        # Through a shared family as well.
        with self.assertRaises(UserError):
            self.family_it.with_user(self.manager_1).write(
                {"product_category_ids": [Command.unlink(self.categ_sud.id)]}
            )
        with self.assertRaises(AccessError):
            self.env["pareto.family"].with_user(self.manager_1).create(
                {
                    "name": "New",
                    "code": "NEW",
                    "product_category_ids": [Command.link(self.categ_sud.id)],
                }
            )
        self.assertSudUnchanged()

    def test_cannot_edit_or_delete_categories_through_a_family(self):
        """Only linking and unlinking is done as superuser."""
        family = self.family_it.with_user(self.manager_1)
        for command in (
            Command.update(self.categ_sud.id, {"name": "Renamed", "parent_id": False}),
            Command.delete(self.categ_sud.id),
            Command.create({"name": "Created"}),
        ):
            with self.subTest(command=command[0]), self.assertRaises(AccessError):
                family.write({"product_category_ids": [command]})
        self.assertEqual(self.categ_sud.name, "Sud supplies")
        self.assertSudUnchanged()

    def test_direct_mapping_checks_both_families(self):
        categ = self.categ_sud.with_user(self.manager_1)
        with self.assertRaisesRegex(AccessError, "cannot be mapped"):
            categ.write({"pareto_family_id": self.family_a.id})
        with self.assertRaisesRegex(AccessError, "cannot be mapped"):
            categ.write({"pareto_family_id": False})
        with self.assertRaisesRegex(AccessError, "cannot be mapped"):
            self.categ_unmapped.with_user(self.manager_1).write(
                {"pareto_family_id": self.family_company_2.id}
            )
        with self.assertRaisesRegex(AccessError, "cannot be mapped"):
            self.sud_product.product_tmpl_id.with_user(self.manager_1).write(
                {"pareto_family_id": self.family_it.id}
            )
        with self.assertRaisesText(AccessError, "nothing can be mapped to it"):
            self.env["product.category"].with_user(self.manager_1).create(
                {"name": "New", "pareto_family_id": self.family_company_2.id}
            )
        self.assertSudUnchanged()

    def test_manager_of_both_companies_may(self):
        both = [self.company.id, self.company_2.id]
        self.family_a.with_user(self.manager).with_context(allowed_company_ids=both).write(
            {"product_category_ids": [Command.link(self.categ_sud.id)]}
        )
        self.assertEqual(self.categ_sud.pareto_family_id, self.family_a)
        # A family of the first company does not apply to the second's lines.
        self.assertFalse(self.sud_order.order_line.pareto_family_id)
        # Own categories are linked and unlinked as before.
        family = self.family_a.with_user(self.manager_1)
        family.write({"product_category_ids": [Command.link(self.categ_unmapped.id)]})
        self.assertEqual(self.categ_unmapped.pareto_family_id, self.family_a)
        family.write({"product_category_ids": [Command.unlink(self.categ_unmapped.id)]})
        self.assertFalse(self.categ_unmapped.pareto_family_id)

    def test_product_of_a_company_takes_a_family_of_that_company(self):
        template = self.env["product.template"].create(
            {"name": "Company product", "company_id": self.company.id}
        )
        with self.assertRaisesRegex(ValidationError, "must be shared or of its company"):
            template.pareto_family_id = self.family_company_2
        template.pareto_family_id = self.family_a
        template.pareto_family_id = self.family_it  # shared

    def test_changing_a_familys_company_reclassifies_its_lines(self):
        # The shared family IT classifies the second company's lines too.
        order_2 = self._create_order(
            self.vendor_large, [(self.laptop, 1, 100.0)], company=self.company_2
        )
        self.assertEqual(order_2.order_line.pareto_family_id, self.family_it)
        with self.assertRaisesRegex(AccessError, "can only be changed by a user working"):
            self.family_it.with_user(self.manager_1).write({"company_id": self.company.id})
        with self.assertRaisesRegex(AccessError, "can only be changed"):
            self.family_a.with_user(self.manager_1).write({"company_id": self.company_2.id})
        # A manager of both companies may; the lines follow.
        both = [self.company.id, self.company_2.id]
        family = self.family_it.with_user(self.manager).with_context(allowed_company_ids=both)
        family.write({"company_id": self.company.id})
        self.assertFalse(order_2.order_line.pareto_family_id)
        family.write({"company_id": self.company_2.id})
        self.assertEqual(order_2.order_line.pareto_family_id, self.family_it)
        order_1 = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)])
        self.assertFalse(order_1.order_line.pareto_family_id)
