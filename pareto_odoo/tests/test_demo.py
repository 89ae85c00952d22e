from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from stdnum.fr import siren, siret

from odoo import fields
from odoo.fields import Domain
from odoo.tests import TransactionCase, tagged

from ..engine import accounts, compliance, sizes, territory
from ..hooks import _release_demo_records


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """What a procurement head sees in the demo: 24 months of purchases in a
    French company when the database has one, families above and below their
    SME target, vendors of every size class in and out of Île-de-France with
    valid SIRET numbers, vendor bills with and without orders, payments early,
    on time and late. Runs only when the demo data is installed."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("pareto_odoo.demo_family_facility", raise_if_not_found=False):
            self.skipTest("The Pareto demo data is not installed.")
        self.company = self.env["pareto.demo"]._demo_company()
        self.today = fields.Date.context_today(self.env.user)
        self.vendors = self._demo_records("res.partner", "demo_vendor_")
        self.families = self._demo_records("pareto.family", "demo_family_")
        self.products = self._demo_records("product.product", "demo_product_")
        self.bills = self.env["account.move"].search(
            [
                ("company_id", "=", self.company.id),
                ("move_type", "in", ("in_invoice", "in_refund")),
                ("state", "=", "posted"),
                ("commercial_partner_id", "in", self.vendors.ids),
            ]
        )

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
            [
                ("partner_id", "in", self.vendors.ids),
                ("company_id", "=", self.company.id),
                ("state", "in", states),
            ]
        )

    def _utc_bounds(self, start, end):
        """Datetimes (UTC, naive) of the inclusive dates [start, end] taken in
        the user's timezone, as spend dates are."""
        tz = pytz.timezone(self.env.user.tz or "UTC")

        def utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.UTC)

        return utc(start).replace(tzinfo=None), utc(end + timedelta(days=1)).replace(tzinfo=None)

    def _family_spend(self, start, end, groupby="pareto_family_id"):
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
            domain, [groupby, "partner_id"], ["price_subtotal:sum"]
        )
        spend = defaultdict(lambda: [0.0, 0.0])
        for key, partner, amount in groups:
            spend[key][0] += amount
            if partner.commercial_partner_id.pareto_is_sme:
                spend[key][1] += amount
        return spend

    def _statuses(self, spend):
        margin = self.company.pareto_warning_margin
        return {
            family: compliance.status(compliance.share(sme, total), family.target_share, margin)
            for family, (total, sme) in spend.items()
        }

    def _current_period(self):
        return compliance.period_bounds(self.today, compliance.CALENDAR_YEAR)

    # Where the demo lands ------------------------------------------------------

    def test_lands_in_the_french_company_when_there_is_one(self):
        french = self.env["res.company"].search(
            [("partner_id.country_id.code", "=", "FR"), ("chart_template", "=", "fr")]
        )
        if french:
            self.assertIn(self.company, french)
            self.assertEqual(self.company.currency_id, self.env.ref("base.EUR"))
            self.assertEqual(self.env.ref("base.user_admin").company_id, self.company)
        else:
            self.assertEqual(self.company, self.env.ref("base.main_company"))
        orders = self.env["purchase.order"].search([("partner_id", "in", self.vendors.ids)])
        self.assertEqual(orders.company_id, self.company)
        self.assertEqual(self.bills.company_id, self.company)

    # Vendors, families, products -----------------------------------------------

    def test_vendors_are_credible_french_companies(self):
        france = self.env.ref("base.fr")
        french = self.vendors.filtered(lambda v: v.country_id == france)
        self.assertGreaterEqual(len(french), 30)
        self.assertEqual(len(set(self.vendors.mapped("name"))), len(self.vendors))
        # One foreign vendor, which bills in its own currency.
        self.assertEqual(len(self.vendors - french), 1)
        numbers = set()
        for vendor in french:
            with self.subTest(vendor=vendor.name):
                self.assertTrue(vendor.is_company)
                self.assertTrue(vendor.street and vendor.city and vendor.pareto_naf_code)
                self.assertTrue(siret.is_valid(vendor.company_registry), vendor.company_registry)
                self.assertEqual(vendor.pareto_siren, vendor.company_registry[:9])
                self.assertEqual(vendor.vat, "FR" + siren.to_tva(vendor.pareto_siren))
                self.assertEqual(
                    vendor.pareto_department, territory.department_from_zip(vendor.zip)
                )
                self.assertFalse(vendor.pareto_company_registry_warning)
                numbers.add(vendor.pareto_siren)
        self.assertEqual(len(numbers), len(french), "one SIREN per vendor")
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

    def test_families_mapped_to_categories_products_and_accounts(self):
        top = self.families.filtered(lambda f: not f.parent_id)
        self.assertGreaterEqual(len(top), 9)
        self.assertTrue(self.families - top, "a sub-family")
        for family in top:
            self.assertTrue(family.naf_codes, family.name)
        mapped = self.families.filtered("product_category_ids")
        self.assertGreaterEqual(len(mapped), 8)
        # Products have a family, except the general expenses ones: their bills
        # find a family by their expense account.
        overheads = self.env.ref("pareto_odoo.demo_categ_overheads")
        for product in self.products:
            family = product.pareto_family_id or product.categ_id.pareto_effective_family_id
            if product.categ_id == overheads:
                self.assertFalse(family, product.name)
            else:
                self.assertIn(family, self.families, product.name)
        self.assertTrue(self.products.filtered(lambda p: p.categ_id == overheads))
        with_prefixes = self.families.filtered("account_prefixes")
        self.assertGreaterEqual(len(with_prefixes), 4)
        self.assertTrue(with_prefixes - mapped, "a family of bills without order only")
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

    def test_french_names_with_english_source(self):
        """Families and products read French for a French user and English for
        an English one; categories (not translatable in Odoo) are French; the
        order lines are written in their vendor's language."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search([("name", "=", "pareto_odoo")])._update_translations(
            "fr_FR"
        )
        for record in [*self.families, *self.products.product_tmpl_id]:
            with self.subTest(record=record.name):
                self.assertNotEqual(record.with_context(lang="fr_FR").name, record.name)
        self.assertEqual(self.env.ref("pareto_odoo.demo_categ_cleaning").name, "Nettoyage")
        for line in self._demo_orders(["purchase", "draft"]).order_line[:60]:
            product = line.product_id.with_context(lang=line.partner_id.lang or "en_US")
            self.assertTrue(line.name.startswith(product.display_name), line.name)

    # Spend over 24 months --------------------------------------------------------

    def test_current_period_above_and_below_target(self):
        start, end = self._current_period()
        spend = self._family_spend(start, end)
        # Every family of the orders has spend in the current period.
        self.assertEqual(set(spend), set(self.families.filtered("product_category_ids")))
        shares = {f: compliance.share(sme, total) for f, (total, sme) in spend.items()}
        self.assertTrue([f for f, s in shares.items() if s >= 20.0], "a family above 20%")
        self.assertTrue([f for f, s in shares.items() if s < 20.0], "a family below 20%")
        statuses = set(self._statuses(spend).values())
        self.assertEqual(statuses, {compliance.OK, compliance.WARNING, compliance.BELOW})

        # The previous period has spend too, with other shares.
        previous = self._family_spend(*compliance.period_bounds(start - timedelta(days=1)))
        self.assertEqual(set(previous), set(spend))
        self.assertTrue(
            any(
                round(compliance.share(sme, total)) != round(shares[family])
                for family, (total, sme) in previous.items()
            )
        )
        if "pareto.spend.report" in self.env:
            # The spend report agrees with the lines.
            groups = self.env["pareto.spend.report"]._read_group(
                [
                    ("company_id", "=", self.company.id),
                    ("family_id", "in", self.families.ids),
                    ("date", ">=", start),
                    ("date", "<=", end),
                ],
                ["family_id"],
                ["amount:sum"],
            )
            self.assertEqual(
                {family: round(amount, 2) for family, amount in groups},
                {family: round(total, 2) for family, (total, _sme) in spend.items()},
            )

    def test_24_months_with_a_trend(self):
        """Every one of the last 12 months has spend, every other month of the
        year before; the SME share of facility services rises, that of
        transport falls."""
        first = self.today.replace(day=1) - relativedelta(months=23)
        recent = self.today.replace(day=1) - relativedelta(months=11)
        monthly = self._family_spend(first, self.today, groupby="order_id.date_approve:month")
        self.assertEqual(len(monthly), 18)
        self.assertEqual(
            len(self._family_spend(recent, self.today, "order_id.date_approve:month")), 12
        )
        facility = self.env.ref("pareto_odoo.demo_family_facility")
        transport = self.env.ref("pareto_odoo.demo_family_transport")

        def share(family, start, end):
            total, sme = self._family_spend(start, end)[family]
            return compliance.share(sme, total)

        old_end = first + relativedelta(months=6, days=-1)
        recent = recent + relativedelta(months=6)
        self.assertGreater(share(facility, recent, self.today), share(facility, first, old_end) + 8)
        self.assertLess(share(transport, recent, self.today), share(transport, first, old_end) - 8)

    def test_dates_keep_purchase_kpis_sane(self):
        """Created, then confirmed, then delivered; Odoo's own purchase
        dashboard shows positive days to order."""
        now = fields.Datetime.now()
        confirmed = self._demo_orders(["purchase"])
        self.assertGreaterEqual(len(confirmed), 300)
        for order in confirmed:
            self.assertLessEqual(order.create_date, order.date_approve, order.name)
            self.assertLessEqual(order.date_order, order.date_approve, order.name)
            self.assertLessEqual(order.date_approve, now, order.name)
            for line in order.order_line:
                self.assertGreaterEqual(line.date_planned, order.date_approve, order.name)
        dashboard = self.env["purchase.order"].retrieve_dashboard()
        self.assertGreater(float(dashboard["global"]["days_to_order"]), 0)
        late = self.env["purchase.order"].search_count(
            [("id", "in", confirmed.ids), ("is_late", "=", True)]
        )
        self.assertLess(late, len(confirmed) / 20, "few receipts late")
        drafts = self._demo_orders(["draft"])
        self.assertTrue(all(order.date_order > now for order in drafts))

    def test_draft_rfq_warns_and_has_sme_suggestions(self):
        statuses = self._statuses(self._family_spend(*self._current_period()))
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

    # Vendor bills and payments ----------------------------------------------------

    def test_vendor_bills_with_and_without_orders(self):
        invoices = self.bills.filtered(lambda b: b.move_type == "in_invoice")
        lines = invoices.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        from_orders = lines.filtered("purchase_line_id")
        self.assertGreaterEqual(len(from_orders.move_id), 250)
        self.assertEqual(
            from_orders.mapped(lambda line: line.purchase_line_id.product_id),
            from_orders.product_id,
        )
        # Some orders are not billed yet: the invoiced basis has other numbers.
        billed_orders = from_orders.purchase_line_id.order_id
        self.assertLess(len(billed_orders), len(self._demo_orders(["purchase"])))
        # Bills without order: fees, energy, subscriptions, on accounts whose
        # code a family's prefixes match (lines without product, or with a
        # product of no family).
        without = lines - from_orders
        self.assertTrue(without.filtered(lambda line: not line.product_id))
        self.assertTrue(
            without.filtered(
                lambda line: (
                    line.product_id and not line.product_id.categ_id.pareto_effective_family_id
                )
            )
        )
        prefixes = {
            family: accounts.parse_prefixes(family.account_prefixes)
            for family in self.families.filtered("account_prefixes")
        }
        matched = set()
        for account in without.account_id.with_company(self.company):
            found = [
                f for f, codes in prefixes.items() if any(account.code.startswith(c) for c in codes)
            ]
            self.assertTrue(found, account.code)
            matched.update(found)
        self.assertEqual(matched, set(prefixes))
        if "pareto_family_id" in self.env["account.move.line"]._fields:
            self.assertTrue(all(without.mapped("pareto_family_id")))
        # Over the 24 months, a refund, one bill in another currency.
        months = {(b.invoice_date.year, b.invoice_date.month) for b in invoices}
        self.assertGreaterEqual(len(months), 23)
        self.assertTrue(
            self.bills.filtered(lambda b: b.move_type == "in_refund").line_ids.purchase_line_id
        )
        foreign = self.bills.filtered(lambda b: b.currency_id != self.company.currency_id)
        self.assertEqual(len(foreign), 1)
        self.assertNotEqual(foreign.amount_total, abs(foreign.amount_total_signed))

    def _invoiced_spend(self, start, end):
        """{family: (total, SME total)} of the posted demo bills (refunds
        negative) dated between the inclusive dates, each line in the family of
        DESIGN.md: its purchase line's, else its product's, else the longest
        account prefix's. Grouped in SQL; the rule applies to the groups."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("move_id", "in", self.bills.ids),
                ("display_type", "=", "product"),
                ("move_id.invoice_date", ">=", start),
                ("move_id.invoice_date", "<=", end),
                ("partner_id.commercial_partner_id.pareto_excluded", "=", False),
            ],
            ["purchase_line_id", "product_id", "account_id", "partner_id"],
            ["balance:sum"],
        )
        prefixes = [
            (code, family)
            for family in self.families
            for code in accounts.parse_prefixes(family.account_prefixes)
        ]
        spend = defaultdict(lambda: [0.0, 0.0])
        for line, product, account, partner, balance in groups:
            code = account.with_company(self.company).code
            family = (
                line.pareto_family_id
                or product.pareto_family_id
                or product.categ_id.pareto_effective_family_id
                or max(
                    ((len(c), f) for c, f in prefixes if code.startswith(c)),
                    default=(0, None),
                    key=lambda item: item[0],
                )[1]
            )
            spend[family][0] += balance
            if partner.commercial_partner_id.pareto_is_sme:
                spend[family][1] += balance
        return spend

    def test_invoiced_basis_tells_the_same_story(self):
        """On the bills, the current year has families on target and below,
        the bills-only family has spend, and the numbers differ from the
        orders'."""
        start, end = self._current_period()
        invoiced = self._invoiced_spend(start, end)
        self.assertNotIn(None, invoiced, "every demo bill line finds a family")
        self.assertIn(self.env.ref("pareto_odoo.demo_family_energy"), invoiced)
        statuses = set(self._statuses(invoiced).values())
        self.assertLessEqual({compliance.OK, compliance.BELOW}, statuses)
        ordered = self._family_spend(start, end)
        self.assertTrue(
            any(
                round(invoiced[family][0]) != round(total)
                for family, (total, _s) in ordered.items()
            )
        )

    def test_payments_early_on_time_late_and_past_due(self):
        invoices = self.bills.filtered(lambda b: b.move_type == "in_invoice")
        delays = defaultdict(int)
        for bill in invoices.filtered(lambda b: b.payment_state in ("paid", "in_payment")):
            paid_on = max(bill._get_reconciled_payments().mapped("date"))
            days = (paid_on - bill.invoice_date_due).days
            delays["late" if days > 0 else "early" if days < -5 else "on time"] += 1
        self.assertTrue(all(delays[key] >= 10 for key in ("early", "on time", "late")), delays)
        self.assertTrue(
            self.bills.filtered(
                lambda b: b.payment_state in ("paid", "in_payment")
            ).partner_id.filtered("pareto_is_sme")
        )
        # Unpaid and past due, in each lateness bucket of the statutory table;
        # one bill disputed.
        open_bills = invoices.filtered(lambda b: b.payment_state in ("not_paid", "partial"))
        late_days = [(self.today - b.invoice_date_due).days for b in open_bills]
        for low, high in ((1, 30), (31, 60), (61, 90), (91, 10000)):
            self.assertTrue([d for d in late_days if low <= d <= high], (low, high))
        self.assertEqual(len(invoices.filtered(lambda b: b.payment_state == "blocked")), 1)
        table = self.company.get_pareto_late_payment_table(self.today)
        self.assertTrue(all(bucket["count"] for bucket in table["buckets"]), table)
        self.assertEqual(table["disputed"]["count"], 1)
        # The payment report: SMEs wait longer past the due date than large vendors.
        groups = self.env["pareto.payment.report"].formatted_read_group(
            [("move_type", "=", "in_invoice"), ("company_id", "=", self.company.id)],
            ["is_sme"],
            ["late_days:avg"],
        )
        late = {group["is_sme"]: group["late_days:avg"] for group in groups}
        self.assertGreater(late[True], late[False])
        # An SME vendor whose payment term exceeds the legal cap.
        over_cap = self.env["res.partner"].search([("pareto_payment_term_over_cap", "=", True)])
        self.assertIn(self.env.ref("pareto_odoo.demo_vendor_normandie"), over_cap)

    def test_dependent_sme_and_social_economy_vendors(self):
        """One micro-enterprise gets more than the company's dependency threshold
        of its turnover from us over 12 months; some vendors are ESS or SIAE."""
        start = self.today - relativedelta(months=12) + timedelta(days=1)
        date_from, date_to = self._utc_bounds(start, self.today)
        spend = dict(
            self.env["purchase.order.line"]._read_group(
                [
                    ("order_id.state", "=", "purchase"),
                    ("partner_id", "in", self.vendors.ids),
                    ("order_id.date_approve", ">=", date_from),
                    ("order_id.date_approve", "<", date_to),
                ],
                ["partner_id"],
                ["price_subtotal:sum"],
            )
        )
        threshold = self.company.pareto_dependency_threshold
        dependent = self.vendors.filtered(
            lambda v: (
                v.pareto_is_sme
                and v.pareto_turnover
                and spend.get(v, 0) / v.pareto_turnover * 100 > threshold
            )
        )
        self.assertEqual(dependent, self.env.ref("pareto_odoo.demo_vendor_reparinfo"))
        self.assertTrue(dependent.pareto_finance_year)
        self.assertGreater(dependent.with_company(self.company).pareto_dependency, threshold)
        self.assertTrue(dependent.with_company(self.company).pareto_is_dependent)
        for flag in ("pareto_is_ess", "pareto_is_siae"):
            flagged = self.vendors.filtered(flag)
            self.assertTrue(flagged, flag)
            self.assertTrue(set(flagged) & set(spend), flag)

    # Uninstall ---------------------------------------------------------------------

    def test_history_survives_uninstall(self):
        """The demo's orders, bills and payments are the company's history, not
        the addon's data: no external ID of the addon points to them, and the
        uninstall hook hands the vendors, products and categories they refer to
        over to the company, while the families go with the addon."""
        self.assertTrue(self._demo_orders(["purchase"]))
        for model in ("purchase.order", "account.move", "account.payment"):
            self.assertFalse(
                self.env["ir.model.data"].search_count(
                    [("module", "=", "pareto_odoo"), ("model", "=", model)]
                ),
                model,
            )
        vendors, products, families = self.vendors, self.products, self.families
        _release_demo_records(self.env)
        self.assertFalse(self._demo_records("res.partner", "demo_"))
        self.assertFalse(self._demo_records("product.template", "demo_"))
        self.assertFalse(self._demo_records("product.category", "demo_"))
        self.assertTrue(vendors.exists() == vendors and products.exists() == products)
        self.assertEqual(self._demo_records("pareto.family", "demo_family_"), families)
