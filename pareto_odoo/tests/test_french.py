"""French from end to end (issue 14, items 6, 7 and 8): a French procurement
team reads its family names, statuses, numbers and dates in French on every
screen and export, and each manager's alert activity is written in the
manager's language although the nightly check runs without one."""

import io
import re
from html import unescape

import openpyxl

from odoo import fields
from odoo.tests import tagged

from .common import FRENCH, MANAGER_GROUPS, activate_french, pareto_user
from .test_spend_report import DAY, YEAR, SpendCase

NBSP = "\N{NO-BREAK SPACE}"
FRENCH_NAMES = {
    "family_it": "Informatique",
    "family_software": "Logiciels",
    "family_facility": "Services généraux",
}


class FrenchCase(SpendCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_french(cls.env)
        for attribute, name in FRENCH_NAMES.items():
            getattr(cls, attribute).with_context(lang="fr_FR").name = name
        cls.french_manager = pareto_user(
            cls.env, "pareto_manager_fr", MANAGER_GROUPS, cls.company, **FRENCH
        )
        # As the web client calls the server for this user.
        cls.fr = cls.env(user=cls.french_manager, context=FRENCH)
        cls.Dashboard = cls.fr["pareto.compliance.dashboard"]


@tagged("post_install", "-at_install")
class TestFrenchScreens(FrenchCase):
    def test_dashboard_names_statuses_and_scope(self):
        data = self.Dashboard.get_dashboard_data({"day": fields.Date.to_string(DAY)})
        rows = {row["family_id"]: row for row in data["families"]}
        self.assertEqual(rows[self.family_it.id]["name"], "Informatique")
        self.assertEqual(rows[self.family_software.id]["name"], "Informatique / Logiciels")
        facility = rows[self.family_facility.id]
        self.assertEqual(facility["name"], "Services généraux")
        self.assertEqual(facility["status_label"], "Proche de l'objectif")
        self.assertEqual(rows[self.family_it.id]["status_label"], "Objectif atteint")
        self.assertEqual(rows[False]["name"], "Non classé")
        self.assertRegex(data["total"]["status_label"], r"^1 / \d+ familles proches de l'objectif$")
        self.assertEqual(data["status_labels"]["no_spend"], "Aucune dépense")
        self.assertEqual(data["size_labels"]["medium"], "Moyenne entreprise (ME)")
        self.assertNotIn("IT", {row["name"] for row in data["families"]})
        # A French user finds a family by its French name.
        fixture = (self.family_it | self.family_software | self.family_facility).ids
        found = self.fr["pareto.family"].name_search("Services gén", [("id", "in", fixture)])
        self.assertEqual([family_id for family_id, _name in found], self.family_facility.ids)
        self.assertEqual(found[0][1], "Services généraux")

    def test_widget_and_suggestions(self):
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.vendor_micro_far.id,
                "product_tmpl_id": self.cleaning.product_tmpl_id.id,
                "price": 90.0,
                "company_id": self.company.id,
            }
        )
        order = self._create_order(
            self.vendor_large, [(self.laptop, 1, 900.0), (self.cleaning, 1, 100.0)], confirm=False
        ).with_env(self.fr)
        data = order.pareto_compliance
        names = {row["family_name"]: row for row in data["families"]}
        self.assertEqual(set(names), {"Informatique", "Services généraux"})
        self.assertEqual(data["status_labels"]["below"], "Sous l'objectif")
        # No spend yet this year: the order pushes both families below target.
        self.assertEqual(data["warning"]["keeps"], [])
        self.assertEqual(sorted(data["warning"]["pushes"]), ["Informatique", "Services généraux"])
        self.assertEqual(
            {row["family_name"] for row in order.get_pareto_compliance()},
            {"Informatique", "Services généraux"},
        )
        panel = order.get_pareto_suggestions_panel()
        suggestion = next(
            row for row in panel["suggestions"] if row["partner_id"] == self.vendor_micro_far.id
        )
        self.assertEqual(suggestion["family_name"], "Services généraux")
        self.assertEqual(suggestion["size_label"], "Microentreprise (TPE)")
        self.assertEqual(suggestion["reason_label"], "Fournit un produit de la commande")

    def test_pivot_labels(self):
        described = self.fr["pareto.spend.report"].fields_get(["pareto_size", "family_id"])
        self.assertEqual(described["pareto_size"]["falsy_value_label"], "Taille inconnue")
        self.assertEqual(described["family_id"]["falsy_value_label"], "Non classé")


@tagged("post_install", "-at_install")
class TestFrenchExports(FrenchCase):
    def test_xlsx(self):
        content = self.Dashboard._xlsx_content(self.Dashboard._scope({"day": str(DAY)}))
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        self.assertEqual(
            workbook.sheetnames,
            ["Tableau de bord", "Détail par famille", "Tendance", "Fournisseurs"],
        )
        sheet = workbook["Tableau de bord"]
        self.assertEqual(sheet["A1"].value, f"Conformité PME : {self.company.name}")
        self.assertIn(f"01/01/{YEAR} – 31/12/{YEAR}", sheet["A2"].value)
        self.assertIn("lignes de commandes d'achat confirmées", sheet["A3"].value)
        headers = [cell.value for cell in sheet[5]]
        self.assertEqual(
            headers[:5], ["Famille", "Dépenses", "Dépenses PME", "Dépenses PME locales", "Part PME"]
        )
        rows = {
            row[0].value: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=6)
        }
        facility = rows["Services généraux"]
        self.assertEqual(facility["Statut"].value, "Proche de l'objectif")
        self.assertEqual(facility["Part PME"].number_format, "0.0%")  # 25,0 % in a French Excel
        self.assertAlmostEqual(facility["Part PME"].value, 0.25)
        self.assertIn("Total", rows)
        self.assertIn("Non classé", rows)
        trend = [cell.value for cell in workbook["Tendance"][5]]
        self.assertIn(f"mars {YEAR}", trend)
        detail = workbook["Détail par famille"]
        sizes = {row[1].value: row[2].value for row in detail.iter_rows(min_row=6)}
        self.assertEqual(sizes["Inconnu SARL"], "Taille inconnue")
        self.assertEqual(sizes["Grand Groupe"], "Grande entreprise (GE)")

    def test_pdf(self):
        html = self._summary_html(self.fr)
        html = unescape(html)
        self.assertIn("Part PME des achats", html)
        self.assertIn(f"01/01/{YEAR}", html)  # French dates
        self.assertIn(f"31/12/{YEAR}", html)
        self.assertIn(f"25,0{NBSP}%", html)  # French numbers: Services généraux
        self.assertIn("Services généraux", html)
        self.assertIn("Informatique / Logiciels", html)
        self.assertIn("Proche de l'objectif", html)
        self.assertRegex(html, r"14\s?300,00")  # the total spend
        self.assertNotIn("Facility services", html)


@tagged("post_install", "-at_install")
class TestFrenchAlerts(FrenchCase):
    def test_activities_in_each_managers_language(self):
        self.manager.lang = "en_US"
        # The nightly check runs without a language.
        alert = (
            self.env["pareto.compliance.dashboard"]
            .with_context(lang=None)
            ._cron_check_targets(day=DAY)
        )
        self.assertEqual(alert.family_id, self.family_facility)
        activities = {activity.user_id: activity for activity in alert.activity_ids}
        french = activities[self.french_manager]
        self.assertEqual(french.summary, "Part PME sous l'objectif : Services généraux")
        note = unescape(french.note)
        self.assertIn("La part PME de Services généraux", note)
        self.assertIn(f"25,0{NBSP}%", note)
        self.assertIn(f"01/01/{YEAR} – 31/12/{YEAR}", note)
        english = activities[self.manager]
        self.assertEqual(english.summary, "SME share below target: Facility services")
        note = unescape(english.note)
        self.assertIn(f"25.0{NBSP}%", note)
        self.assertIn(f"01/01/{YEAR} – 12/31/{YEAR}", note)
        # The alert itself reads in its reader's language.
        self.assertEqual(
            alert.with_env(self.fr).display_name,
            f"Services généraux sous son objectif PME (01/01/{YEAR} – 31/12/{YEAR})",
        )
        self.assertTrue(re.search(r"Facility services below its SME target", alert.display_name))
