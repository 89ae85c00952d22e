from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from stdnum.fr import siren, siret

from odoo import fields
from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged

from ..engine import compliance, sizes, territory


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """What a procurement head sees in the demo: families above and below
    their SME target in the current period, vendors of every size class in
    and out of Île-de-France with valid SIRET numbers, one intra-group vendor.
    Runs only when the demo data is installed."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("pareto_odoo.demo_family_facility", raise_if_not_found=False):
            self.skipTest("The Pareto demo data is not installed.")
        self.company = self.env.ref("base.main_company")
        self.vendors = self._demo_records("res.partner", "demo_vendor_")
        self.families = self._demo_records("pareto.family", "demo_family_")
        self.products = self._demo_records("product.product", "demo_product_")

    def _demo_records(self, model, prefix):
        data = self.env["ir.model.data"].search(
            [
                ("module", "=", "pareto_odoo"),
                ("model", "=", model),
                ("name", "=like", prefix.replace("_", "\\_") + "%"),
            ]
        )
        return self.env[model].browse(data.mapped("res_id"))

    def _demo_orders(self, states):
        return self.env["purchase.order"].search(
            [("partner_id", "in", self.vendors.ids), ("state", "in", states)]
        )

    def _utc_bounds(self, start, end):
        """Datetimes (UTC, naive) of the inclusive dates [start, end] taken in
        the user's timezone, as spend dates are."""
        tz = pytz.timezone(self.env.user.tz or "UTC")

        def utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.UTC)

        return utc(start).replace(tzinfo=None), utc(end + timedelta(days=1)).replace(tzinfo=None)

    def _family_spend(self, start, end):
        """{family: (total, SME total)} of confirmed demo spend between the
        inclusive dates, intra-group vendors left out: one SQL aggregate."""
        date_from, date_to = self._utc_bounds(start, end)
        domain = Domain(
            [
                ("order_id.state", "=", "purchase"),
                ("company_id", "=", self.company.id),
                ("display_type", "=", False),
                ("is_downpayment", "=", False),
                ("pareto_family_id", "in", self.families.ids),
                ("order_id.date_approve", ">=", date_from),
                ("order_id.date_approve", "<", date_to),
                ("partner_id.commercial_partner_id.pareto_excluded", "=", False),
            ]
        )
        # The demo's orders are in the company's currency: no conversion.
        self.assertFalse(
            self.env["purchase.order.line"].search_count(
                domain & Domain("order_id.currency_id", "!=", self.company.currency_id.id)
            )
        )
        groups = self.env["purchase.order.line"]._read_group(
            domain, ["pareto_family_id", "partner_id"], ["price_subtotal:sum"]
        )
        spend = defaultdict(lambda: [0.0, 0.0])
        for family, partner, amount in groups:
            spend[family][0] += amount
            if partner.commercial_partner_id.pareto_is_sme:
                spend[family][1] += amount
        return spend

    def _statuses(self, spend):
        margin = self.company.pareto_warning_margin
        return {
            family: compliance.status(compliance.share(sme, total), family.target_share, margin)
            for family, (total, sme) in spend.items()
        }

    def test_vendors_are_credible_french_companies(self):
        self.assertGreaterEqual(len(self.vendors), 25)
        self.assertEqual(len(set(self.vendors.mapped("name"))), len(self.vendors))
        france = self.env.ref("base.fr")
        numbers = set()
        for vendor in self.vendors:
            with self.subTest(vendor=vendor.name):
                self.assertTrue(vendor.is_company)
                self.assertEqual(vendor.country_id, france)
                self.assertTrue(vendor.street and vendor.city and vendor.pareto_naf_code)
                self.assertTrue(siret.is_valid(vendor.company_registry), vendor.company_registry)
                self.assertEqual(vendor.pareto_siren, vendor.company_registry[:9])
                self.assertEqual(vendor.vat, "FR" + siren.to_tva(vendor.pareto_siren))
                self.assertEqual(
                    vendor.pareto_department, territory.department_from_zip(vendor.zip)
                )
                self.assertFalse(vendor.pareto_company_registry_warning)
                numbers.add(vendor.pareto_siren)
        self.assertEqual(len(numbers), len(self.vendors), "one SIREN per vendor")
        # In and out of Île-de-France, and local for the demo company.
        local = self.vendors.with_company(self.company).filtered("pareto_is_local")
        self.assertTrue(local)
        self.assertTrue(self.vendors - local)
        self.assertTrue(
            all(v.pareto_department in territory.ILE_DE_FRANCE for v in local),
        )
        self.assertTrue(self.vendors.filtered("partner_latitude"))

    def test_every_size_class_and_source(self):
        present = set(self.vendors.mapped("pareto_size"))
        self.assertLessEqual(set(sizes.SIZES), present)
        self.assertIn(False, present, "one vendor of unknown size")
        self.assertLessEqual(
            {"figures", "registry", "manual", "import"},
            set(self.vendors.mapped("pareto_size_source")),
        )
        for vendor in self.vendors.filtered(lambda v: v.pareto_size_source == "figures"):
            with self.subTest(vendor=vendor.name):
                self.assertEqual(
                    vendor.pareto_size,
                    sizes.size_from_figures(
                        vendor.pareto_headcount, vendor.pareto_turnover, vendor.pareto_balance_sheet
                    ),
                )
        for vendor in self.vendors.filtered("pareto_size"):
            self.assertTrue(vendor.pareto_size_year, vendor.name)
        # Contacts show their company's size.
        contacts = self._demo_records("res.partner", "demo_contact_")
        self.assertTrue(contacts)
        for contact in contacts:
            self.assertEqual(contact.pareto_size, contact.parent_id.pareto_size)

    def test_one_intra_group_vendor_with_spend(self):
        excluded = self.vendors.filtered("pareto_excluded")
        self.assertEqual(len(excluded), 1)
        self.assertTrue(
            self._demo_orders(["purchase"]).filtered(lambda o: o.partner_id == excluded)
        )

    def test_families_mapped_to_categories_and_products(self):
        top = self.families.filtered(lambda f: not f.parent_id)
        self.assertGreaterEqual(len(top), 8)
        self.assertTrue(self.families - top, "a sub-family")
        for family in top:
            self.assertTrue(family.product_category_ids, family.name)
            self.assertTrue(family.naf_codes, family.name)
        for product in self.products:
            family = product.pareto_family_id or product.categ_id.pareto_effective_family_id
            self.assertIn(family, self.families, product.name)
        # A category inherits its parent's family; a product may override it.
        categories = self._demo_records("product.category", "demo_categ_")
        self.assertTrue(
            categories.filtered(
                lambda c: not c.pareto_family_id and c.pareto_effective_family_id in self.families
            )
        )
        override = self.products.filtered("pareto_family_id")
        self.assertTrue(override)
        self.assertNotEqual(
            override[0].pareto_family_id, override[0].categ_id.pareto_effective_family_id
        )
        # SMEs supply products, so that SME suggestions have something to show.
        supplierinfo = self.env["product.supplierinfo"].search(
            [("product_tmpl_id", "in", self.products.product_tmpl_id.ids)]
        )
        self.assertTrue(supplierinfo.filtered(lambda s: s.partner_id.pareto_is_sme))

    def test_current_period_above_and_below_target(self):
        today = fields.Date.context_today(self.env.user)
        start, end = compliance.period_bounds(today, compliance.CALENDAR_YEAR)
        spend = self._family_spend(start, end)
        # Every family has spend in the current period.
        self.assertEqual(set(spend), set(self.families))
        shares = {f: compliance.share(sme, total) for f, (total, sme) in spend.items()}
        self.assertTrue([f for f, s in shares.items() if s >= 20.0], "a family above 20%")
        self.assertTrue([f for f, s in shares.items() if s < 20.0], "a family below 20%")
        statuses = set(self._statuses(spend).values())
        self.assertEqual(statuses, {compliance.OK, compliance.WARNING, compliance.BELOW})

        # The previous period has spend too, with other shares: a trend.
        previous = self._family_spend(*compliance.period_bounds(start - timedelta(days=1)))
        self.assertGreaterEqual(len(previous), len(spend) - 2)
        self.assertTrue(
            any(
                compliance.share(sme, total) != shares[family]
                for family, (total, sme) in previous.items()
            )
        )
        # Nothing is dated after today (beyond the noon of January 1st clamp).
        confirmed = self._demo_orders(["purchase"])
        latest = max(confirmed.mapped("date_approve"))
        self.assertLess(latest, max(fields.Datetime.now(), datetime(today.year, 1, 2)))

        if "pareto.spend.report" in self.env:
            # The spend report agrees with the lines.
            date_from, date_to = start, end
            groups = self.env["pareto.spend.report"]._read_group(
                [
                    ("company_id", "=", self.company.id),
                    ("family_id", "in", self.families.ids),
                    ("date", ">=", date_from),
                    ("date", "<=", date_to),
                ],
                ["family_id"],
                ["amount:sum"],
            )
            self.assertEqual(
                {family: round(amount, 2) for family, amount in groups},
                {family: round(total, 2) for family, (total, _sme) in spend.items()},
            )

    def test_draft_rfq_warns_and_has_sme_suggestions(self):
        today = fields.Date.context_today(self.env.user)
        statuses = self._statuses(
            self._family_spend(*compliance.period_bounds(today, compliance.CALENDAR_YEAR))
        )
        below = {family for family, status in statuses.items() if status == compliance.BELOW}
        drafts = self._demo_orders(["draft"])
        self.assertGreaterEqual(len(drafts), 2)
        rfq = drafts.filtered(
            lambda o: not o.partner_id.pareto_is_sme and set(o.order_line.pareto_family_id) & below
        )
        self.assertTrue(rfq, "an RFQ to a non-SME vendor in a family below target")
        rfq = rfq[0]
        products = rfq.order_line.product_id.product_tmpl_id
        sme_sellers = products.seller_ids.partner_id.filtered(
            lambda p: p.pareto_is_sme and not p.pareto_excluded
        )
        self.assertTrue(sme_sellers, "an SME supplies a product of that RFQ")
        if hasattr(rfq, "get_pareto_compliance"):
            result = {row["family_id"]: row for row in rfq.get_pareto_compliance()}
            self.assertIn(
                compliance.BELOW,
                {result[family.id]["status"] for family in below if family.id in result},
            )
        if hasattr(rfq, "get_pareto_suggestions"):
            suggested = {row["partner_id"] for row in rfq.get_pareto_suggestions()}
            self.assertTrue(suggested & set(sme_sellers.ids))

    def test_orders_survive_uninstall(self):
        """The demo's orders are the company's history, not the addon's data:
        no external ID of the addon points to them."""
        self.assertTrue(self._demo_orders(["purchase"]))
        self.assertFalse(
            self.env["ir.model.data"].search_count(
                [("module", "=", "pareto_odoo"), ("model", "=", "purchase.order")]
            )
        )
