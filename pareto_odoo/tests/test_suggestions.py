from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from ..engine import territory
from ..engine.suggestions import FAMILY_HISTORY, RESULT_KEYS, SUPPLIES_PRODUCT
from .common import ParetoCase

# Coordinates (latitude, longitude) of the places used below.
PARIS_8 = (48.8720, 2.3100)
PARIS_11 = (48.8580, 2.3800)
MONTREUIL = (48.8610, 2.4430)
LYON = (45.7600, 4.8500)
CHARTRES = (48.4470, 1.4890)
PARIS_1 = (48.8600, 2.3400)


@tagged("post_install", "-at_install")
class TestSuggestions(ParetoCase):
    """Ranking and filtering of ``purchase.order.get_pareto_suggestions()`` on
    a dataset with one vendor per rule: an SME that must come at a given place,
    or a vendor that must never be suggested."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.write(
            {"partner_latitude": PARIS_8[0], "partner_longitude": PARIS_8[1]}
        )
        cls.company.pareto_local_radius_km = 0.0

        # Ranked SMEs, in the order the rules put them.
        cls.sme_paris = cls._vendor("Paris Onze", "small", "75011", PARIS_11)
        cls.sme_montreuil = cls._vendor("Montreuil Net", "micro", "93100", MONTREUIL)
        cls.sme_versailles = cls._vendor("Versailles Info", "medium", "78000")
        cls.sme_versailles_contact = cls.env["res.partner"].create(
            {"name": "Claire Martin", "parent_id": cls.sme_versailles.id}
        )
        cls.sme_evry = cls._vendor("Evry Conseil", "small", "91000")
        cls.sme_lyon = cls._vendor("Lyon Matériel", "small", "69003", LYON)
        cls.sme_lille = cls._vendor("Lille Postes", "micro", "59000")
        cls.sme_nantes = cls._vendor("Nantes Bureautique", "micro", "44000")
        cls.sme_bordeaux = cls._vendor("Bordeaux Propreté", "small", "33000")
        cls.ranked = (
            cls.sme_paris,  # local, supplies a product, 5 km
            cls.sme_montreuil,  # local, supplies a product, 10 km
            cls.sme_versailles,  # local, supplies a product (via a contact), no distance
            cls.sme_evry,  # local, family history only
            cls.sme_lyon,  # not local, supplies a product, 390 km
            cls.sme_lille,  # not local, supplies a product, no distance, price 600
            cls.sme_nantes,  # not local, supplies a product, no distance, price 650
            cls.sme_bordeaux,  # not local, family history only
        )
        cls._supply(cls.sme_paris, cls.laptop, 950.0, delay=3)
        cls._supply(cls.sme_montreuil, cls.cleaning, 100.0, delay=2)
        cls._supply(cls.sme_versailles_contact, cls.laptop, 900.0)
        cls._supply(cls.sme_lyon, cls.laptop, 700.0)
        cls._supply(cls.sme_lille, cls.laptop, 600.0)
        cls._supply(cls.sme_nantes, cls.laptop, 650.0)

        # Never suggested, although each is local, close and cheap.
        cls.never = {
            "large": cls._vendor("Paris Grand", "large", "75001", PARIS_1),
            "intermediate": cls._vendor("Paris ETI", "intermediate", "75001", PARIS_1),
            "unknown size": cls._vendor("Paris Inconnu", False, "75001", PARIS_1),
            "archived": cls._vendor("Paris Archivé", "micro", "75001", PARIS_1),
            "other company's": cls._vendor("Paris Sud", "micro", "75001", PARIS_1),
            "excluded": cls._vendor("Paris Intra-groupe", "micro", "75001", PARIS_1),
            "other company's price list": cls._vendor("Paris Tarif Sud", "micro", "75001"),
            "expired price list": cls._vendor("Paris Ancien Tarif", "micro", "75001"),
            "other family": cls._vendor("Paris Logiciel", "micro", "75001", PARIS_1),
            "history over 24 months": cls._vendor("Paris Ancien", "micro", "75001", PARIS_1),
            "other company's history": cls._vendor("Paris Sud Achats", "micro", "75001"),
            "cancelled history": cls._vendor("Paris Annulé", "micro", "75001", PARIS_1),
            "draft history": cls._vendor("Paris Brouillon", "micro", "75001", PARIS_1),
        }
        for name in ("large", "intermediate", "unknown size", "archived", "excluded"):
            cls._supply(cls.never[name], cls.laptop, 1.0)
        # A shared price list, but the vendor belongs to the other company.
        cls.env["product.supplierinfo"].create(
            {
                "partner_id": cls.never["other company's"].id,
                "product_tmpl_id": cls.laptop.product_tmpl_id.id,
                "price": 1.0,
                "company_id": False,
            }
        )
        cls.never["other company's"].company_id = cls.company_2
        cls._supply(cls.never["other company's price list"], cls.laptop, 1.0, company=cls.company_2)
        cls._supply(
            cls.never["expired price list"],
            cls.laptop,
            1.0,
            date_end=fields.Date.today() - relativedelta(days=1),
        )
        cls.never["excluded"].pareto_excluded = True

        # Purchase history, on other products of the same families: confirming an
        # order adds its vendor to the product's price list (when it has fewer
        # than 10 vendors), which would make it a supplier of the order's product.
        cls.docking_station = cls.env["product.product"].create(
            {"name": "Docking station", "categ_id": cls.categ_laptops.id}
        )
        cls.window_cleaning = cls.env["product.product"].create(
            {"name": "Window cleaning", "categ_id": cls.categ_cleaning.id}
        )
        dock = cls.docking_station
        now = fields.Datetime.now()
        cls.currency = cls.env["res.currency"].create(
            {"name": "PTC", "symbol": "¤", "rounding": 0.01, "active": True}
        )
        cls.env["res.currency.rate"].create(
            {
                "name": "2000-01-01",
                "rate": 2.0,
                "currency_id": cls.currency.id,
                "company_id": cls.company.id,
            }
        )
        cls.history_paris = cls._create_order(cls.sme_paris, [(cls.laptop, 1, 800.0)])
        cls.history_evry = cls._create_order(cls.sme_evry, [(dock, 2, 1000.0)])
        cls.history_evry_foreign = cls._history_in_currency(cls.sme_evry, dock, 3, 500.0)
        # Ordered from a contact of the vendor: the vendor's spend all the same.
        evry_contact = cls.env["res.partner"].create(
            {"name": "Jean Durand", "parent_id": cls.sme_evry.id}
        )
        cls.history_evry_contact = cls._create_order(evry_contact, [(dock, 1, 700.0)])
        cls.history_evry_old = cls._create_order(cls.sme_evry, [(dock, 1, 9000.0)])
        cls.history_evry_old.date_approve = now - relativedelta(months=25)
        cls.history_bordeaux = cls._create_order(
            cls.sme_bordeaux, [(cls.window_cleaning, 4, 250.0)]
        )
        cls._create_order(cls.never["other family"], [(cls.licence, 1, 100.0)])
        old = cls._create_order(cls.never["history over 24 months"], [(dock, 1, 100.0)])
        old.date_approve = now - relativedelta(months=24, days=1)
        cls._create_order(
            cls.never["other company's history"], [(dock, 1, 100.0)], company=cls.company_2
        )
        cancelled = cls._create_order(cls.never["cancelled history"], [(dock, 1, 100.0)])
        cancelled.button_cancel()
        cls._create_order(cls.never["draft history"], [(dock, 1, 100.0)], confirm=False)
        cls.never["archived"].action_archive()

        # The RFQ: a non-SME vendor, a laptop (IT) and office cleaning (facility).
        cls.order = cls._create_order(
            cls.vendor_large, [(cls.laptop, 2, 1000.0), (cls.cleaning, 1, 300.0)], confirm=False
        )

    @classmethod
    def _vendor(cls, name, size, zip_code, coordinates=(0.0, 0.0)):
        latitude, longitude = coordinates
        return cls._create_vendor(
            name, zip_code, size, partner_latitude=latitude, partner_longitude=longitude
        )

    @classmethod
    def _supply(cls, partner, product, price, delay=1, company=None, date_end=False):
        return cls.env["product.supplierinfo"].create(
            {
                "partner_id": partner.id,
                "product_tmpl_id": product.product_tmpl_id.id,
                "price": price,
                "delay": delay,
                "company_id": (company or cls.company).id,
                "date_end": date_end,
            }
        )

    @classmethod
    def _history_in_currency(cls, vendor, product, quantity, price):
        order = cls._create_order(vendor, [(product, quantity, price)], confirm=False)
        order.currency_id = cls.currency
        order.order_line.price_unit = price
        order.button_confirm()
        return order

    def _ids(self, results):
        return [result["partner_id"] for result in results]

    def _volume(self, *orders):
        return sum(order.amount_untaxed / order.currency_rate for order in orders)

    def test_ranking_follows_the_rules(self):
        results = self.order.get_pareto_suggestions(limit=50)
        self.assertEqual(self._ids(results), [partner.id for partner in self.ranked])
        for result in results:
            self.assertEqual(tuple(result), RESULT_KEYS)
        scores = [result["score"] for result in results]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertEqual(len(set(scores)), len(scores), "scores must be strictly decreasing")

    def test_reasons_locality_and_families(self):
        results = {r["partner_id"]: r for r in self.order.get_pareto_suggestions(limit=50)}
        expected = {
            self.sme_paris: (True, SUPPLIES_PRODUCT, self.family_it),
            self.sme_montreuil: (True, SUPPLIES_PRODUCT, self.family_facility),
            self.sme_versailles: (True, SUPPLIES_PRODUCT, self.family_it),
            self.sme_evry: (True, FAMILY_HISTORY, self.family_it),
            self.sme_lyon: (False, SUPPLIES_PRODUCT, self.family_it),
            self.sme_bordeaux: (False, FAMILY_HISTORY, self.family_facility),
        }
        for partner, (is_local, reason, family) in expected.items():
            result = results[partner.id]
            self.assertEqual(result["is_local"], is_local, partner.name)
            # The same answer as the company's own (Python) rule.
            self.assertEqual(result["is_local"], self.company._pareto_is_local(partner))
            self.assertEqual(result["reason"], reason, partner.name)
            self.assertEqual(result["family_id"], family.id, partner.name)
            self.assertEqual(result["name"], partner.name)
            self.assertEqual(result["pareto_size"], partner.pareto_size)

    def test_distance_price_delay_and_volume(self):
        results = {r["partner_id"]: r for r in self.order.get_pareto_suggestions(limit=50)}
        for partner, place in ((self.sme_paris, PARIS_11), (self.sme_lyon, LYON)):
            self.assertAlmostEqual(
                results[partner.id]["distance_km"],
                territory.distance_km(*PARIS_8, *place),
                places=3,
            )
        for partner in (self.sme_versailles, self.sme_evry, self.sme_lille):
            self.assertIsNone(results[partner.id]["distance_km"], partner.name)

        paris = results[self.sme_paris.id]
        self.assertEqual((paris["price"], paris["delay"]), (950.0, 3))
        self.assertAlmostEqual(paris["volume"], self._volume(self.history_paris), places=2)
        self.assertEqual(results[self.sme_montreuil.id]["price"], 100.0)
        self.assertEqual(results[self.sme_versailles.id]["price"], 900.0)

        evry = results[self.sme_evry.id]
        self.assertIsNone(evry["price"])
        self.assertIsNone(evry["delay"])
        # Confirmed orders of the last 24 months, in company currency.
        self.assertNotEqual(self.history_evry_foreign.currency_rate, 1.0)
        self.assertAlmostEqual(
            evry["volume"],
            self._volume(self.history_evry, self.history_evry_foreign, self.history_evry_contact),
            places=2,
        )
        self.assertAlmostEqual(
            results[self.sme_bordeaux.id]["volume"],
            self._volume(self.history_bordeaux),
            places=2,
        )
        self.assertEqual(results[self.sme_lille.id]["volume"], 0.0)

    def test_never_suggested(self):
        suggested = set(self._ids(self.order.get_pareto_suggestions(limit=1000)))
        for reason, partner in self.never.items():
            self.assertNotIn(partner.id, suggested, f"{reason} vendor suggested")

    def test_never_the_order_vendor(self):
        order = self._create_order(
            self.sme_versailles_contact, [(self.laptop, 1, 900.0)], confirm=False
        )
        suggested = self._ids(order.get_pareto_suggestions(limit=50))
        self.assertNotIn(self.sme_versailles.id, suggested)
        self.assertIn(self.sme_paris.id, suggested)

    def test_limit_applies_to_all(self):
        full = self.order.get_pareto_suggestions(limit=50)
        self.assertEqual(self.order.get_pareto_suggestions(limit=3), full[:3])
        self.assertEqual(self.order.get_pareto_suggestions(), full[:5])
        self.assertEqual(self.order.get_pareto_suggestions(limit=0), [])

    def test_only_the_families_of_the_order(self):
        order = self._create_order(self.vendor_large, [(self.cleaning, 1, 10.0)], confirm=False)
        self.assertEqual(
            self._ids(order.get_pareto_suggestions(limit=50)),
            [self.sme_montreuil.id, self.sme_bordeaux.id],
        )

    def test_order_without_family(self):
        order = self._create_order(self.vendor_large, [(self.misc, 1, 10.0)], confirm=False)
        # A product without family gives nothing, even with an SME supplying it.
        self._supply(self.sme_paris, self.misc, 5.0)
        self.assertEqual(order.get_pareto_suggestions(), [])
        empty = self.env["purchase.order"].create({"partner_id": self.vendor_large.id})
        self.assertEqual(empty.get_pareto_suggestions(), [])
        # An unsaved order: the suggestions come from the saved lines.
        unsaved = self.env["purchase.order"].new(
            {
                "partner_id": self.vendor_large.id,
                "order_line": [Command.create({"product_id": self.laptop.id, "product_qty": 1})],
            }
        )
        self.assertEqual(unsaved.get_pareto_suggestions(), [])

    def test_local_radius(self):
        chartres = self._vendor("Chartres Services", "small", "28000", CHARTRES)
        self._supply(chartres, self.laptop, 800.0)
        distance = territory.distance_km(*PARIS_8, *CHARTRES)
        result = self._result_of(chartres)
        self.assertFalse(result["is_local"])
        self.company.pareto_local_radius_km = distance + 1
        self.assertTrue(self._result_of(chartres)["is_local"])
        self.assertTrue(self.company._pareto_is_local(chartres))
        self.company.pareto_local_radius_km = distance - 1
        self.assertFalse(self._result_of(chartres)["is_local"])

    def _result_of(self, partner):
        results = self.order.get_pareto_suggestions(limit=50)
        return next(result for result in results if result["partner_id"] == partner.id)

    def test_local_departments_of_the_order_company(self):
        # Lyon becomes local for a company whose territory is the Rhône.
        self.company.pareto_local_departments = "69"
        results = self.order.get_pareto_suggestions(limit=50)
        self.assertEqual(results[0]["partner_id"], self.sme_lyon.id)
        self.assertTrue(results[0]["is_local"])

    def test_other_company_order(self):
        # The other company's vendor is a suggestion for that company only.
        own = self.never["other company's"]
        order = self._create_order(
            self.vendor_large, [(self.laptop, 1, 10.0)], company=self.company_2, confirm=False
        )
        suggested = self._ids(order.get_pareto_suggestions(limit=50))
        self.assertIn(own.id, suggested)
        self.assertIn(self.never["other company's history"].id, suggested)
        # Price lists of company 1 do not apply; its history does not count.
        self.assertNotIn(self.sme_paris.id, suggested)
        self.assertNotIn(self.sme_evry.id, suggested)

    def test_buyer_access(self):
        results = self.order.with_user(self.buyer).get_pareto_suggestions()
        self.assertEqual(results, self.order.get_pareto_suggestions())
        order_2 = self._create_order(
            self.vendor_large, [(self.laptop, 1, 10.0)], company=self.company_2, confirm=False
        )
        with self.assertRaises(AccessError):
            order_2.with_user(self.buyer).get_pareto_suggestions()

    def test_panel_data(self):
        data = self.order.with_user(self.buyer).get_pareto_suggestions_panel()
        self.assertTrue(data["has_family"])
        self.assertTrue(data["can_replace"])
        self.assertTrue(data["can_request"])
        self.assertEqual(data["currency_id"], self.order.currency_id.id)
        first = data["suggestions"][0]
        self.assertEqual(first["partner_id"], self.sme_paris.id)
        self.assertEqual(first["family_name"], self.family_it.display_name)
        self.assertEqual(first["size_label"], "Small enterprise (PE)")
        self.assertTrue(first["reason_label"])
        self.order.button_confirm()
        data = self.order.get_pareto_suggestions_panel()
        self.assertFalse(data["can_replace"])
        self.assertFalse(data["can_request"])

    # Actions -----------------------------------------------------------------

    def test_request_quotation(self):
        order = self.order.with_user(self.buyer)
        order.write(
            {
                "order_line": [
                    Command.create(
                        {"display_type": "line_note", "name": "Deliver at gate B", "product_qty": 0}
                    )
                ]
            }
        )
        action = order.action_pareto_request_quotation(self.sme_paris.id)
        alternative = self.env["purchase.order"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "purchase.order")
        self.assertEqual(alternative.partner_id, self.sme_paris)
        self.assertEqual(alternative.state, "draft")
        self.assertEqual(alternative.company_id, self.order.company_id)
        self.assertEqual(alternative.pareto_origin_order_id, self.order)
        self.assertEqual(self.order.pareto_alternative_ids, alternative)
        self.assertEqual(
            [
                (line.product_id, line.product_qty, line.display_type)
                for line in alternative.order_line
            ],
            [
                (line.product_id, line.product_qty, line.display_type)
                for line in self.order.order_line
            ],
        )
        self.assertEqual(alternative.order_line[-1].name, "Deliver at gate B")
        # The new vendor's price list applies.
        laptop_line = alternative.order_line.filtered(lambda line: line.product_id == self.laptop)
        self.assertEqual(laptop_line.price_unit, 950.0)
        # An alternative of the alternative joins the same group.
        action = alternative.action_pareto_request_quotation(self.sme_lyon.id)
        second = self.env["purchase.order"].browse(action["res_id"])
        self.assertEqual(second.pareto_origin_order_id, self.order)
        self.assertEqual(len(self.order.pareto_alternative_ids), 2)
        self.assertEqual(self.order.state, "draft")
        self.assertEqual(self.order.partner_id, self.vendor_large)

    def test_price_follows_odoo_seller_selection(self):
        """Minimum quantity, discount and validity: the entry Odoo picks."""

        def price():
            rows = self.order.get_pareto_suggestions(limit=50)
            return {row["partner_id"]: row["price"] for row in rows}[self.sme_montreuil.id]

        bulk = self._supply(self.sme_montreuil, self.cleaning, 90.0)
        bulk.write({"min_qty": 5.0, "discount": 10.0})
        self.assertEqual(price(), 100.0)  # 1 unit ordered: below the minimum of 5
        self.order.order_line.filtered(
            lambda line: line.product_id == self.cleaning
        ).product_qty = 6
        self.assertAlmostEqual(price(), 81.0)  # 90 less 10%
        bulk.date_end = fields.Date.subtract(fields.Date.context_today(self.order), days=1)
        self.assertEqual(price(), 100.0)  # expired

    def test_alternatives_join_purchase_requisition_groups_when_installed(self):
        Order = type(self.env["purchase.order"])
        self.assertTrue(self.order.pareto_alternatives_tab)  # no purchase_requisition here
        contexts = []
        create = Order.create

        def spy(records, vals_list):
            contexts.append(dict(records.env.context))
            return create(records, vals_list)

        with (
            patch.object(Order, "_pareto_requisition_alternatives", lambda self: True),
            patch.object(Order, "create", spy),
        ):
            self.order.action_pareto_request_quotation(self.sme_paris.id)
            self.order.invalidate_recordset(["pareto_alternatives_tab"])
            self.assertFalse(self.order.pareto_alternatives_tab)
        # purchase_requisition groups orders created with origin_po_id.
        self.assertEqual(contexts[0].get("origin_po_id"), self.order.id)

    def test_request_quotation_refused(self):
        with self.assertRaises(UserError):
            self.order.action_pareto_request_quotation(self.never["large"].id)
        with self.assertRaises(UserError):
            self.order.action_pareto_request_quotation(self.never["other company's"].id)
        with self.assertRaises(UserError):
            self.order.action_pareto_request_quotation(self.never["archived"].id)
        self.order.button_confirm()
        with self.assertRaises(UserError):
            self.order.action_pareto_request_quotation(self.sme_paris.id)
        self.assertFalse(self.order.pareto_alternative_ids)

    def test_replace_vendor(self):
        order = self.order.with_user(self.buyer)
        self.assertTrue(order.action_pareto_replace_vendor(self.sme_paris.id))
        self.assertEqual(self.order.partner_id, self.sme_paris)
        # The new vendor's price list applies, as when changing the vendor by hand.
        laptop_line = self.order.order_line.filtered(lambda line: line.product_id == self.laptop)
        self.assertEqual(laptop_line.price_unit, 950.0)
        self.assertNotIn(self.sme_paris.id, self._ids(self.order.get_pareto_suggestions()))
        with self.assertRaises(UserError):
            order.action_pareto_replace_vendor(self.sme_paris.id)
        with self.assertRaises(UserError):
            order.action_pareto_replace_vendor(self.never["unknown size"].id)
        self.assertEqual(self.order.partner_id, self.sme_paris)

    def test_replace_vendor_draft_only(self):
        self.order.write({"state": "sent"})
        with self.assertRaises(UserError):
            self.order.action_pareto_replace_vendor(self.sme_paris.id)
        self.assertEqual(self.order.partner_id, self.vendor_large)
