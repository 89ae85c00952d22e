from odoo import Command
from odoo.tests import tagged

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestLineFamily(ParetoCase):
    def test_category_inheritance(self):
        self.assertEqual(self.categ_it.pareto_effective_family_id, self.family_it)
        self.assertEqual(self.categ_laptops.pareto_effective_family_id, self.family_it)
        sub_laptops = self.env["product.category"].create(
            {"name": "Gaming", "parent_id": self.categ_laptops.id}
        )
        self.assertEqual(sub_laptops.pareto_effective_family_id, self.family_it)
        # A mapping on the middle category wins over the ancestor's.
        self.categ_laptops.pareto_family_id = self.family_facility
        self.assertEqual(sub_laptops.pareto_effective_family_id, self.family_facility)
        self.assertEqual(self.categ_unmapped.pareto_effective_family_id.id, False)

    def test_line_family_on_create(self):
        order = self._create_order(
            self.vendor_small_local,
            [(self.laptop, 1, 900.0), (self.licence, 2, 50.0), (self.misc, 1, 10.0)],
            confirm=False,
        )
        order.order_line = [
            Command.create({"display_type": "line_section", "name": "Section", "product_qty": 0})
        ]
        families = {line.product_id: line.pareto_family_id for line in order.order_line}
        self.assertEqual(families[self.laptop], self.family_it)
        self.assertEqual(families[self.licence], self.family_software, "product override")
        self.assertFalse(families[self.misc])
        section = order.order_line.filtered("display_type")
        self.assertFalse(section.pareto_family_id)

    def test_existing_lines_follow_category_change_in_one_statement(self):
        orders = [
            self._create_order(
                self.vendor_large, [(self.laptop, 1, 100.0), (self.cleaning, 1, 5.0)]
            )
            for _ in range(5)
        ]
        laptop_lines = self.env["purchase.order.line"].search(
            [("order_id", "in", [o.id for o in orders]), ("product_id", "=", self.laptop.id)]
        )
        self.assertEqual(laptop_lines.pareto_family_id, self.family_it)
        # The query count does not depend on the number of lines.
        with self.assertQueryCount(__system__=20):
            self.categ_it.pareto_family_id = self.family_facility
        self.assertEqual(laptop_lines.pareto_family_id, self.family_facility)
        self.categ_it.pareto_family_id = False
        self.assertFalse(laptop_lines.pareto_family_id)
        cleaning_lines = self.env["purchase.order.line"].search(
            [("product_id", "=", self.cleaning.id)]
        )
        self.assertEqual(cleaning_lines.pareto_family_id, self.family_facility)

    def test_existing_lines_follow_parent_change(self):
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)])
        self.categ_laptops.parent_id = self.categ_cleaning
        self.assertEqual(order.order_line.pareto_family_id, self.family_facility)

    def test_existing_lines_follow_product_override(self):
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)])
        self.laptop.product_tmpl_id.pareto_family_id = self.family_software
        self.assertEqual(order.order_line.pareto_family_id, self.family_software)
        self.laptop.product_tmpl_id.pareto_family_id = False
        self.assertEqual(order.order_line.pareto_family_id, self.family_it)

    def test_family_of_another_company_does_not_apply(self):
        self.categ_unmapped.pareto_family_id = self.family_company_2
        order_1 = self._create_order(self.vendor_large, [(self.misc, 1, 10.0)])
        order_2 = self._create_order(
            self.vendor_large, [(self.misc, 1, 10.0)], company=self.company_2
        )
        self.assertFalse(order_1.order_line.pareto_family_id)
        self.assertEqual(order_2.order_line.pareto_family_id, self.family_company_2)
        # Same rule for the set-based refresh.
        self.categ_unmapped.pareto_family_id = False
        self.categ_unmapped.pareto_family_id = self.family_company_2
        self.assertFalse(order_1.order_line.pareto_family_id)
        self.assertEqual(order_2.order_line.pareto_family_id, self.family_company_2)
