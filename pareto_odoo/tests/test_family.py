from psycopg2.errors import CheckViolation, UniqueViolation

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ParetoCase


@tagged("post_install", "-at_install")
class TestParetoFamily(ParetoCase):
    def test_default_target_from_company(self):
        self.company.pareto_default_target = 25.0
        family = self.env["pareto.family"].create({"name": "Transport", "code": "TRA"})
        self.assertEqual(family.target_share, 25.0)
        self.assertEqual(self.company_2.pareto_default_target, 20.0)

    def test_hierarchy_names_and_recursion(self):
        self.assertEqual(self.family_software.complete_name, "IT / Software")
        self.assertIn(self.family_software, self.family_it.child_ids)
        with self.assertRaises(UserError):
            self.family_it.parent_id = self.family_software

    @mute_logger("odoo.sql_db")
    def test_code_unique_per_company(self):
        Family = self.env["pareto.family"]
        # The same code in another company is fine...
        Family.create({"name": "IT Sud", "code": "IT", "company_id": self.company_2.id})
        # ...but not twice among shared families, nor twice in one company.
        with self.assertRaises(UniqueViolation), self.cr.savepoint():
            Family.create({"name": "IT again", "code": "IT"})
        with self.assertRaises(UniqueViolation), self.cr.savepoint():
            Family.create({"name": "Sud again", "code": "SUD", "company_id": self.company_2.id})

    def test_account_prefixes_are_validated(self):
        self.family_it.account_prefixes = "6226, 6227"
        self.assertEqual(self.family_it.account_prefixes, "6226, 6227")
        with self.assertRaisesRegex(ValidationError, "62-27"):
            self.family_it.account_prefixes = "6226,62-27"

    @mute_logger("odoo.sql_db")
    def test_target_share_range(self):
        for bad_target in (-1.0, 100.5):
            with self.assertRaises(CheckViolation), self.cr.savepoint():
                self.family_it.target_share = bad_target
                self.family_it.flush_recordset()
        self.family_it.target_share = 100.0
        self.family_it.flush_recordset()

    def test_category_mapping_from_family_form(self):
        # Procurement managers are not product managers: the mapping still works.
        self.family_facility.with_user(self.manager).product_category_ids = [
            Command.link(self.categ_unmapped.id)
        ]
        self.assertEqual(self.categ_unmapped.pareto_family_id, self.family_facility)
        self.assertEqual(self.categ_unmapped.pareto_effective_family_id, self.family_facility)
