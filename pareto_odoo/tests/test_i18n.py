import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


@tagged("post_install", "-at_install")
class TestFrenchTranslation(TransactionCase):
    def test_every_term_has_a_french_translation(self):
        """Every translatable term of the addon (code, views, data) is in fr.po."""
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in TranslationModuleReader(
                self.env.cr, modules=["pareto_odoo"]
            )
            if module == "pareto_odoo" and source.strip()
        }
        catalog = polib.pofile(file_path("pareto_odoo/i18n/fr.po"))
        translated = {
            entry.msgid
            for entry in catalog
            if entry.msgstr.strip() and not entry.obsolete and "fuzzy" not in entry.flags
        }
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"{len(missing)} terms lack a French translation: {missing[:20]}")

    def test_french_user_sees_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "pareto_odoo")])._update_translations(
            "fr_FR"
        )
        fields = self.env["res.partner"].with_context(lang="fr_FR").fields_get(["pareto_size"])
        self.assertEqual(fields["pareto_size"]["string"], "Taille de l'entreprise")
        labels = dict(fields["pareto_size"]["selection"])
        self.assertEqual(labels["micro"], "Microentreprise (TPE)")
        family = self.env["pareto.family"].with_context(lang="fr_FR")
        self.assertEqual(family._description, "Purchasing Family")
        self.assertEqual(
            self.env["ir.model"]._get("pareto.family").with_context(lang="fr_FR").name,
            "Famille d'achat",
        )
