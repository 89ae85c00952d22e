"""Who classifies vendors (issue 11, item 1) and what keeps the source of a
size (item 7): only procurement managers change a classification, on
companies and contacts; code writing the registry's or an import's values
keeps their source; contacts carry their company's whole classification."""

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..engine.registry import RegistryCompany
from ..models.res_partner import PARETO_MANAGED_FIELDS
from .common import ParetoCase

# A value of each classification field that differs from a new vendor's.
CLASSIFICATION_VALUES = {
    "pareto_size": "micro",
    "pareto_size_source": "registry",
    "pareto_size_year": 2024,
    "pareto_headcount": 3,
    "pareto_turnover": 250_000.0,
    "pareto_balance_sheet": 100_000.0,
    "pareto_excluded": True,
    "pareto_naf_code": "62.01Z",
    "pareto_net_result": 12_000.0,
    "pareto_finance_year": 2024,
    "pareto_is_ess": True,
    "pareto_is_siae": True,
    "pareto_is_mission": True,
    "pareto_registry_date": "2099-01-01",
}


@tagged("post_install", "-at_install")
class TestClassificationRights(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {"name": "Paul Durand", "parent_id": cls.vendor_large.id}
        )

    def test_every_managed_field_is_for_managers_only(self):
        managed = [fname for fname in PARETO_MANAGED_FIELDS if fname in self.vendor_large._fields]
        self.assertLessEqual(
            {"pareto_size", "pareto_naf_code", "pareto_registry_date", "pareto_excluded"},
            set(managed),
        )
        for fname in managed:
            value = CLASSIFICATION_VALUES[fname]
            for partner in (self.vendor_large, self.contact):
                with (
                    self.subTest(field=fname, partner=partner.name),
                    self.assertRaisesRegex(AccessError, "Only procurement managers"),
                ):
                    partner.with_user(self.buyer).write({fname: value})
            with self.subTest(field=fname, create=True), self.assertRaises(AccessError):
                self.env["res.partner"].with_user(self.buyer).create({"name": "X", fname: value})
        # Managers may.
        values = {fname: CLASSIFICATION_VALUES[fname] for fname in managed}
        self.vendor_unknown.with_user(self.manager).write(values)
        self.assertEqual(self.vendor_unknown.pareto_naf_code, "62.01Z")
        self.assertEqual(self.vendor_unknown.pareto_size_source, "registry")

    def test_a_buyer_cannot_move_a_vendor_under_an_sme(self):
        """Contacts carry their company's size: moving a contact or a company
        that has orders under an SME would count its spend as SME spend."""
        order = self._create_order(self.contact, [(self.laptop, 1, 1000.0)])
        with self.assertRaisesText(AccessError, "move Paul Durand under another company"):
            self.contact.with_user(self.buyer).parent_id = self.vendor_micro_far
        with self.assertRaisesText(AccessError, "move Grand Groupe under"):
            self.vendor_large.with_user(self.buyer).write(
                {"is_company": False, "parent_id": self.vendor_micro_far.id}
            )
        self.assertEqual(self.contact.parent_id, self.vendor_large)
        self.assertFalse(self.vendor_large.parent_id)
        self.assertFalse(order.partner_id.commercial_partner_id.pareto_is_sme)
        # A partner without orders, or a move that keeps the classification, is fine.
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "parent_id": self.vendor_large.id}
        )
        newcomer.with_user(self.buyer).parent_id = self.vendor_micro_far
        self.assertEqual(newcomer.pareto_size, "micro")
        other_large = self.env["res.partner"].create(
            {"name": "Autre Groupe", "is_company": True, "pareto_size": "large"}
        )
        self.contact.with_user(self.buyer).parent_id = other_large
        self.assertEqual(order.partner_id.commercial_partner_id, other_large)
        # Managers may move vendors.
        self.contact.with_user(self.manager).parent_id = self.vendor_micro_far
        self.assertTrue(order.partner_id.commercial_partner_id.pareto_is_sme)


@tagged("post_install", "-at_install")
class TestSizeSource(ParetoCase):
    """Issue 11, item 7: the registry's or an import's source stays theirs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Atelier Registre",
                "is_company": True,
                "company_registry": "842153678",
                "supplier_rank": 1,
                "pareto_size": "small",
                "pareto_size_source": "registry",
                "pareto_size_year": 2022,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Marie Curie", "parent_id": cls.vendor.id}
        )

    def _registry_company(self, size):
        return RegistryCompany(siren="842153678", size=size, size_year=2024, is_active=True)

    def assertSource(self, size, source):
        for partner in (self.vendor, self.contact):
            self.assertRecordValues(partner, [{"pareto_size": size, "pareto_size_source": source}])

    def test_contact_starts_with_its_company_classification(self):
        self.assertSource("small", "registry")
        self.assertEqual(self.contact.pareto_size_year, 2022)

    def test_scheduled_refresh_keeps_the_registry_source(self):
        # What the refresh cron does for each due vendor (pareto.registry).
        Registry = self.env["pareto.registry"]
        Registry._apply_company(self.vendor.sudo(), self._registry_company("medium"), False)
        self.assertSource("medium", "registry")
        self.assertEqual(self.contact.pareto_size_year, 2024)
        # Still refreshed afterwards: its source is not "manual".
        Registry._apply_company(self.vendor.sudo(), self._registry_company("small"), False)
        self.assertSource("small", "registry")

    def test_update_button_keeps_the_registry_source(self):
        company = self._registry_company("medium")
        with patch.object(
            self.registry["pareto.registry"],
            "_registry_request",
            lambda model, method, *args: company,
        ):
            self.vendor.with_user(self.buyer).action_pareto_registry_update()
        self.assertSource("medium", "registry")

    def test_import_keeps_its_source_on_contacts(self):
        self.vendor.write({"pareto_size_source": "import"})
        self.assertSource("small", "import")
        # An import writes the size with its (unchanged) source.
        self.vendor.with_user(self.manager).write(
            {"pareto_size": "micro", "pareto_size_source": "import", "pareto_size_year": 2023}
        )
        self.assertSource("micro", "import")
        self.assertEqual(self.contact.pareto_size_year, 2023)

    def test_manager_keeping_the_source_keeps_it_on_contacts(self):
        self.vendor.with_user(self.manager).write(
            {"pareto_size": "medium", "pareto_size_source": "registry"}
        )
        self.assertSource("medium", "registry")

    def test_a_user_setting_a_size_sets_it_by_hand(self):
        self.vendor.with_user(self.manager).write({"pareto_size": "medium"})
        self.assertSource("medium", "manual")
        # ... and clearing it clears its source.
        self.vendor.with_user(self.manager).write({"pareto_size": False})
        self.assertSource(False, False)
        # Code (superuser) giving a size to a vendor without a source: by hand too.
        self.vendor.write({"pareto_size": "large"})
        self.assertSource("large", "manual")
