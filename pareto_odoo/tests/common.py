from contextlib import contextmanager

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class ParetoCase(TransactionCase):
    """Two companies, buyers and managers, a small family tree mapped to
    categories, products and vendors of every size class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.france = cls.env.ref("base.fr")
        cls.company = cls.env.company
        cls.company.partner_id.write({"zip": "75008", "city": "Paris", "country_id": cls.france.id})
        cls.company_2 = cls.env["res.company"].create(
            {"name": "Pareto Sud", "country_id": cls.france.id}
        )
        companies = [Command.set([cls.company.id, cls.company_2.id])]
        cls.buyer = new_test_user(
            cls.env,
            login="pareto_buyer",
            groups="base.group_user,base.group_partner_manager,purchase.group_purchase_user",
            company_id=cls.company.id,
            company_ids=[Command.set([cls.company.id])],
        )
        cls.manager = new_test_user(
            cls.env,
            login="pareto_manager",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
            company_ids=companies,
        )
        # A procurement manager who works in the first company only.
        cls.manager_1 = new_test_user(
            cls.env,
            login="pareto_manager_1",
            groups="base.group_user,purchase.group_purchase_manager",
            company_id=cls.company.id,
            company_ids=[Command.set([cls.company.id])],
        )
        cls.admin = new_test_user(
            cls.env,
            login="pareto_admin",
            groups="base.group_user,base.group_system,purchase.group_purchase_manager",
            company_id=cls.company.id,
            company_ids=companies,
        )

        Family = cls.env["pareto.family"]
        cls.family_it = Family.create({"name": "IT", "code": "IT", "target_share": 20.0})
        cls.family_software = Family.create(
            {"name": "Software", "code": "IT-SW", "parent_id": cls.family_it.id}
        )
        cls.family_facility = Family.create(
            {"name": "Facility services", "code": "FAC", "target_share": 30.0}
        )
        cls.family_company_2 = Family.create(
            {"name": "Sud only", "code": "SUD", "company_id": cls.company_2.id}
        )

        Category = cls.env["product.category"]
        cls.categ_it = Category.create({"name": "IT", "pareto_family_id": cls.family_it.id})
        cls.categ_laptops = Category.create({"name": "Laptops", "parent_id": cls.categ_it.id})
        cls.categ_cleaning = Category.create(
            {"name": "Cleaning", "pareto_family_id": cls.family_facility.id}
        )
        cls.categ_unmapped = Category.create({"name": "Misc"})

        Product = cls.env["product.product"]
        cls.laptop = Product.create(
            {"name": "Laptop", "categ_id": cls.categ_laptops.id, "standard_price": 1000.0}
        )
        cls.licence = Product.create(
            {
                "name": "Licence",
                "categ_id": cls.categ_laptops.id,
                "pareto_family_id": cls.family_software.id,
            }
        )
        cls.cleaning = Product.create(
            {"name": "Office cleaning", "categ_id": cls.categ_cleaning.id}
        )
        cls.misc = Product.create({"name": "Misc item", "categ_id": cls.categ_unmapped.id})

        Partner = cls.env["res.partner"]
        cls.vendor_small_local = Partner.create(
            {
                "name": "Atelier Parisien",
                "is_company": True,
                "zip": "75011",
                "country_id": cls.france.id,
                "pareto_size": "small",
            }
        )
        cls.vendor_micro_far = Partner.create(
            {
                "name": "Lyon Services",
                "is_company": True,
                "zip": "69003",
                "country_id": cls.france.id,
                "pareto_size": "micro",
            }
        )
        cls.vendor_large = Partner.create(
            {
                "name": "Grand Groupe",
                "is_company": True,
                "zip": "92400",
                "country_id": cls.france.id,
                "pareto_size": "large",
            }
        )
        cls.vendor_unknown = Partner.create({"name": "Inconnu SARL", "is_company": True})

    @classmethod
    def _create_order(cls, vendor, lines, company=None, confirm=True):
        """``lines``: (product, quantity, unit price) tuples."""
        order = (
            cls.env["purchase.order"]
            .with_company(company or cls.company)
            .create(
                {
                    "partner_id": vendor.id,
                    "company_id": (company or cls.company).id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_qty": qty, "price_unit": price}
                        )
                        for product, qty, price in lines
                    ],
                }
            )
        )
        if confirm:
            order.button_confirm()
        return order

    @contextmanager
    def assertRaisesText(self, exception, text):
        """``assertRaises`` (which rolls back what the failing call wrote, as
        the JSON-RPC request's transaction would) whose message contains
        ``text``."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))
