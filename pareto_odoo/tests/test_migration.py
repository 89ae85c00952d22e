"""Upgrade to 19.0.1.1.0 (issue 11, item 7): sizes turned "manual" by the
registry refresh or by the sync to contacts get their source back, on a
crafted history; real changes by hand stay manual."""

import importlib.util
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from ..tools.size_source_repair import restore_size_sources
from .common import ParetoCase

MIGRATION = "pareto_odoo/migrations/19.0.1.1.0/post-migrate.py"
PRE_MIGRATION = "pareto_odoo/migrations/19.0.1.1.0/pre-migrate.py"


def load_migration(path):
    spec = importlib.util.spec_from_file_location("pareto_migration", file_path(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestSizeSourceMigration(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        fields = cls.env["ir.model.fields"]
        cls.source_field = fields._get("res.partner", "pareto_size_source")
        cls.size_field = fields._get("res.partner", "pareto_size")

        def vendor(name, **values):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "pareto_size": "medium",
                    "pareto_size_source": "manual",
                    "pareto_registry_date": "2025-06-01",
                    **values,
                }
            )

        cls.refreshed = vendor("Refreshed by the registry")
        cls.refreshed_fr = vendor("Rafraîchi par le registre")
        cls.by_hand = vendor("Changed by hand")
        cls.by_hand_later = vendor("Refreshed, then changed by hand")
        cls.never_refreshed = vendor("No registry date", pareto_registry_date=False)
        cls.imported = vendor("Imported", pareto_size_source="import")
        cls.registry_company = vendor("Registry company", pareto_size_source="registry")

        def contact(name, parent, size="medium"):
            partner = Partner.create({"name": name, "parent_id": parent.id})
            # What the sync wrote before the fix: the size alone, then "manual".
            partner.write({"pareto_size": size, "pareto_size_source": "manual"})
            return partner

        cls.refreshed_contact = contact("Contact of refreshed", cls.refreshed)
        cls.imported_contact = contact("Contact of imported", cls.imported)
        cls.registry_contact = contact("Contact of registry", cls.registry_company)
        cls.other_size_contact = contact("Other size", cls.registry_company, size="small")
        cls.by_hand_contact = contact("Contact of by hand", cls.by_hand)

        # Histories: a registry refresh writes the size alone (source
        # registry → manual) and posts its note in the same transaction.
        cls.env.flush_all()
        cls.now = cls.env.cr.now()
        cls._flip(cls.refreshed, "National registry", "Set by hand")
        cls._note(cls.refreshed, cls.now)
        cls._flip(cls.refreshed_fr, "Registre national", "Saisie manuellement")
        cls._note(cls.refreshed_fr, cls.now)
        cls._flip(cls.by_hand, "National registry", "Set by hand")
        cls._note(cls.by_hand, cls.now - timedelta(days=3))  # another request
        cls._flip(cls.by_hand_later, "National registry", "Set by hand")
        cls._note(cls.by_hand_later, cls.now)
        cls._size_change(cls.by_hand_later, cls.now + timedelta(days=30))
        cls._flip(cls.never_refreshed, "National registry", "Set by hand")
        cls._note(cls.never_refreshed, cls.now)

    @classmethod
    def _message(cls, partner, date, message_type, tracking=()):
        message = (
            cls.env["mail.message"]
            .sudo()
            .create(
                {
                    "model": "res.partner",
                    "res_id": partner.id,
                    "message_type": message_type,
                    "body": "Updated from the company registry." if tracking == () else "",
                    "tracking_value_ids": [Command.create(values) for values in tracking],
                }
            )
        )
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL("UPDATE mail_message SET create_date = %s WHERE id = %s", date, message.id)
        )
        return message

    @classmethod
    def _flip(cls, partner, old, new):
        cls._message(
            partner,
            cls.now,
            "notification",
            [
                {
                    "field_id": cls.source_field.id,
                    "old_value_char": old,
                    "new_value_char": new,
                },
                {
                    "field_id": cls.size_field.id,
                    "old_value_char": "Small enterprise (PE)",
                    "new_value_char": "Medium-sized enterprise (ME)",
                },
            ],
        )

    @classmethod
    def _note(cls, partner, date):
        cls._message(partner, date, "comment")

    @classmethod
    def _size_change(cls, partner, date):
        cls._message(
            partner,
            date,
            "notification",
            [
                {
                    "field_id": cls.size_field.id,
                    "old_value_char": "Small enterprise (PE)",
                    "new_value_char": "Medium-sized enterprise (ME)",
                }
            ],
        )

    def test_upgrade_restores_the_sources_the_history_shows(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "pareto_odoo")])._update_translations(
            "fr_FR"
        )
        load_migration(MIGRATION).migrate(self.env.cr, "19.0.1.0.0")
        expected = {
            self.refreshed: "registry",
            self.refreshed_fr: "registry",
            self.refreshed_contact: "registry",
            self.by_hand: "manual",
            self.by_hand_contact: "manual",
            self.by_hand_later: "manual",
            self.never_refreshed: "manual",
            self.imported_contact: "import",
            self.registry_contact: "registry",
            self.other_size_contact: "manual",
            self.imported: "import",
        }
        for partner, source in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.pareto_size_source, source)
        # Nothing left to restore: running it again changes nothing.
        self.assertEqual(restore_size_sources(self.env), ([], []))

    def test_fresh_install_runs_nothing(self):
        load_migration(MIGRATION).migrate(self.env.cr, None)
        self.assertEqual(self.refreshed.pareto_size_source, "manual")

    def test_pre_migration_clears_a_radius_that_is_not_a_number(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL("ALTER TABLE res_company DROP CONSTRAINT res_company_pareto_local_radius_positive")
        )
        self.env.cr.execute(
            SQL(
                "UPDATE res_company SET pareto_local_radius_km = 'NaN' WHERE id = %s",
                self.company.id,
            )
        )
        load_migration(PRE_MIGRATION).migrate(self.env.cr, "19.0.1.0.0")
        self.env.cr.execute(
            SQL("SELECT pareto_local_radius_km FROM res_company WHERE id = %s", self.company.id)
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0.0)
