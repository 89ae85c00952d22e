"""The demo's purchase history: 24 months of orders, vendor bills and payments.

Called once by ``demo/pareto_demo_history.xml`` when the demo data is installed
(the file is ``noupdate``: an update does not build it again). It lands in a
French company when the database has one (Odoo's "FR Company" of the French
localisation's demo, in euros with the French chart of accounts), else in the
main company, so that the test tier's demo database (no French localisation)
loads it too. Everything is relative to the install day.

The orders, bills and payments are the company's history, not the addon's
data: they carry no external ID, so uninstalling Pareto keeps them (the
uninstall hook hands the vendors, products and categories they refer to over
to the company as well).
"""

import logging
import random
import time as timer
from collections import defaultdict
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Command
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MONTHS = 24

# Per family: monthly spend (company currency), SME share (percent) 23 months
# ago and this month (a straight line between them: the trend the dashboard's
# sparklines show), then the flows (vendor, product, weight) of the SME part
# and of the rest. The first vendor of each part is ordered from every month,
# the others every third month, each in its own month (this month: all of
# them); the first vendor takes what the others leave, so that every month's
# share is the planned one. In the last twelve months every family stays in one
# status band, so that the current calendar year shows families on target, in
# the warning band and below whatever the day of the year.
FAMILY_PLANS = (
    (
        "facility",
        52000,
        (6.0, 40.0),
        (("clairval", "cleaning", 6), ("vigie", "guarding", 2), ("jardins", "greenspace", 1)),
        (("hexagone", "cleaning", 5), ("hexagone", "guarding", 3), ("restauval", "meal", 2)),
    ),
    (
        "it",
        48000,
        (14.0, 6.0),
        (("reparinfo", "laptop_refurb", 1),),
        (("distrinum", "laptop", 6), ("distrinum", "monitor", 2)),
    ),
    (
        "software",
        36000,
        (5.0, 35.0),
        (("octet", "devday", 4), ("numeriq", "devday", 1)),
        (("helioserv", "hosting", 4), ("logiprisme", "licence", 1)),
    ),
    (
        "intellectual",
        34000,
        (16.0, 19.5),
        (("strategia", "consulting", 4), ("marceau", "legal", 1)),
        (("varenne", "consulting", 1),),
    ),
    (
        "office",
        11000,
        (20.0, 50.0),
        (("fournoise", "paper", 3), ("papeterie", "stationery", 1)),
        (
            ("bureauexpress", "paper", 4),
            ("bureauexpress", "toner", 2),
            ("imprimerie", "printing", 1),
        ),
    ),
    (
        "transport",
        30000,
        (36.0, 4.0),
        (("briards", "truckload", 4), ("coursiers", "courier", 1)),
        (("lnr", "truckload", 5), ("rapidis", "parcel", 1)),
    ),
    (
        "maintenance",
        26000,
        (10.0, 34.0),
        (("calorie", "hvac", 4), ("dufresne", "electrical", 1), ("normandie", "overhaul", 1)),
        (("hexagone", "hvac", 3), ("ascenseurs", "lift", 1)),
    ),
    (
        "raw",
        110000,
        (2.0, 4.5),
        (("alupicarde", "aluminium", 1),),
        (("acieries", "steel", 5), ("polymeres", "polypropylene", 1)),
    ),
    (
        "packaging",
        19000,
        (28.0, 16.0),
        (("cartonnages", "boxes", 3), ("boisajaccien", "pallet", 1)),
        (("emballages", "boxes", 3), ("emballages", "film", 2)),
    ),
)
# The intra-group vendor's quarterly fees: counted in no share.
INTRA_GROUP_FLOWS = (("gie", "facility_fee", 15000), ("gie", "it_fee", 14400))

# Vendor bills without purchase order, on expense accounts mapped to families by
# their account prefixes: (vendor, account prefix, product or None, monthly
# amount 23 months ago and this month, every N months, label).
BILL_PLANS = (
    ("energies", "6061", None, (17000, 15000), 1, "electricity"),
    ("enercoop", "6061", None, (3000, 10000), 2, "green_electricity"),
    ("marceau", "6226", None, (5000, 7000), 2, "legal_fees"),
    ("notaires", "6227", None, (4000, 4500), 3, "deed_fees"),
    ("varenne", "6226", None, (9000, 9500), 6, "audit_fees"),
    ("logiprisme", "6156", "software_maintenance", (12000, 12600), 3, None),
    ("bureauexpress", "6135", "copier_rental", (8100, 8100), 3, None),
)
# Expense accounts created when the chart has none with the prefix (the
# generic chart's codes are not the French ones).
ACCOUNT_NAMES = {
    "6061": "Non-inventoriable supplies (water, energy)",
    "6135": "Movable property rental",
    "6156": "Maintenance",
    "6226": "Fees",
    "6227": "Legal and litigation fees",
}
# Vendor payment terms (Odoo's own): large companies at 45 days, most SMEs at
# 30 days, one SME at 90 days (beyond the legal cap of art. L.441-10).
PAYMENT_TERMS = {
    "account.account_payment_term_45days": (
        "hexagone restauval distrinum logiprisme helioserv varenne bureauexpress lnr rapidis "
        "ascenseurs acieries polymeres emballages energies gie alpensoft"
    ),
    "account.account_payment_term_end_following_month": "vigie strategia ingerhone alupicarde",
    "account.account_payment_term_90days_on_the_10th": "normandie",
}
DEFAULT_PAYMENT_TERM = "account.account_payment_term_30days"
# The day of the month of the company's payment run, when it pays early.
PAYMENT_RUN_DAY = 25


class ParetoDemo(models.AbstractModel):
    _name = "pareto.demo"
    _description = "Pareto demo data builder"

    @api.model
    def _demo_company(self):
        """The French company when there is one (in euros, with the French chart),
        else the main company."""
        main = self.env.ref("base.main_company")
        french = self.env["res.company"].search(
            [("partner_id.country_id.code", "=", "FR"), ("chart_template", "=", "fr")], order="id"
        )
        if main in french:
            return main
        return french[:1] or main

    @api.model
    def _load_demo(self):
        company = self._demo_company()
        env = self.with_company(company).with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            pareto_skip_warning=True,
        )
        started = timer.monotonic()
        env._prepare_vendors(company)
        orders = env._create_orders(company)
        _logger.info("Pareto demo: %d orders in %.0f s", len(orders), timer.monotonic() - started)
        bills = env._create_order_bills(orders)
        bills |= env._create_bills_without_order(company)
        bills |= env._create_refund_and_foreign_bill(company, orders)
        _logger.info("Pareto demo: %d bills in %.0f s", len(bills), timer.monotonic() - started)
        env._pay_bills(company, bills)
        env._create_rfqs(company)
        env._open_demo_company(company)
        _logger.info(
            "Pareto demo: history of %s built in %.0f s", company.name, timer.monotonic() - started
        )

    # Master data -------------------------------------------------------------

    def _ref(self, kind, key):
        return self.env.ref(f"pareto_odoo.demo_{kind}_{key}")

    def _prepare_vendors(self, company):
        """French vendors write in French when French is installed (their RFQ
        lines are written in their language), and get their payment terms."""
        vendors = self.env["res.partner"].browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "pareto_odoo"),
                    ("model", "=", "res.partner"),
                    ("name", "=like", "demo\\_vendor\\_%"),
                ]
            )
            .mapped("res_id")
        )
        installed = dict(self.env["res.lang"].get_installed())
        if "fr_FR" in installed:
            # The addon's French terms load after its demo data: load them now,
            # so that the lines of the orders built below read French names.
            self.env["ir.module.module"]._load_module_terms(["pareto_odoo"], ["fr_FR"])
            vendors.write({"lang": "fr_FR"})
        terms = {key: xmlid for xmlid, keys in PAYMENT_TERMS.items() for key in keys.split()}
        for vendor_key in (
            {key for plan in FAMILY_PLANS for flows in plan[3:] for key, *_ in flows}
            | {key for key, *_ in BILL_PLANS}
            | set(terms)
        ):
            term = self.env.ref(terms.get(vendor_key, DEFAULT_PAYMENT_TERM))
            self._ref("vendor", vendor_key).with_company(
                company
            ).property_supplier_payment_term_id = term

    def _account(self, company, prefix):
        """The company's expense account whose code starts with the prefix; one is
        created when the chart has none (the generic chart has no 6226)."""
        accounts = self.env["account.account"].with_company(company)
        account = accounts.search(
            [*accounts._check_company_domain(company), ("code", "=like", prefix + "%")],
            order="code",
            limit=1,
        )
        return account or accounts.create(
            {
                "code": prefix,
                "name": ACCOUNT_NAMES[prefix],
                "account_type": "expense",
                "company_ids": [Command.link(company.id)],
            }
        )

    # Orders --------------------------------------------------------------------

    def _months(self):
        """(months ago, first day of that month) from 23 months ago to this month."""
        first = fields.Date.context_today(self).replace(day=1)
        return [(m, first - relativedelta(months=m)) for m in range(MONTHS - 1, -1, -1)]

    @staticmethod
    def _along(values, months_ago):
        """The value of a straight line from values[0] (23 months ago) to values[1] (now)."""
        start, end = values
        return end + (start - end) * months_ago / (MONTHS - 1)

    @staticmethod
    def _season(month_start):
        """Less spend in August, more in December."""
        return {8: 0.6, 12: 1.15}.get(month_start.month, 1.0)

    def _order_day(self, month_start, key):
        """A day of the month, different for each vendor, never after today."""
        day = month_start + timedelta(days=2 + sum(map(ord, key)) % 22)
        moment = datetime.combine(day, time(9, 30))
        latest = fields.Datetime.now() - timedelta(hours=1)
        return max(min(moment, latest), datetime.combine(month_start, time(0, 1)))

    def _planned_lines(self):
        """{(months ago, vendor): [(product, amount)]} of the whole history."""
        planned = defaultdict(list)
        for months_ago, month_start in self._months():
            growth = self._season(month_start) * (1 + 0.01 * (MONTHS - 1 - months_ago))
            for _key, total, shares, sme_flows, other_flows in FAMILY_PLANS:
                share = self._along(shares, months_ago) / 100
                for flows, part in ((sme_flows, share), (other_flows, 1 - share)):
                    for vendor, product, amount in self._split(
                        flows, total * growth * part, months_ago
                    ):
                        planned[self._order_month(months_ago), vendor].append((product, amount))
            for vendor, product, amount in INTRA_GROUP_FLOWS:
                if not months_ago % 3:
                    planned[months_ago, vendor].append((product, amount))
        return planned

    @staticmethod
    def _order_month(months_ago):
        """The month of the order: the previous year's spend is ordered every
        other month (two months' worth), the last twelve months every month."""
        return months_ago if months_ago < 12 else months_ago | 1

    @staticmethod
    def _split(flows, amount, months_ago):
        """[(vendor, product, amount)] of one month's part of a family: the other
        vendors every third month, each in its own month (a quarter's worth),
        all of them this month (a month's worth); the first vendor the rest."""
        weights = sum(weight for _v, _p, weight in flows)
        first = flows[0][0]
        others = list(dict.fromkeys(vendor for vendor, _p, _w in flows if vendor != first))
        split, rest = [], amount
        for vendor, product, weight in flows:
            if vendor == first:
                continue
            if months_ago and months_ago % 3 != others.index(vendor) % 3:
                continue
            share = amount * weight / weights * (1 if not months_ago else 3)
            split.append((vendor, product, share))
            rest -= share
        main = [(v, p, w) for v, p, w in flows if v == first]
        main_weights = sum(weight for _v, _p, weight in main)
        return split + [(v, p, rest * w / main_weights) for v, p, w in main]

    @staticmethod
    def _merge(lines):
        """One line per product."""
        merged = defaultdict(float)
        for product, amount in lines:
            merged[product] += amount
        return merged.items()

    def _line_values(self, product_key, amount, vendor, taxes):
        product = self._ref("product", product_key)
        seller = product.seller_ids.filtered(lambda s: s.partner_id == vendor)[:1]
        list_price = seller.price or product.standard_price or 1.0
        quantity = max(1, round(amount / list_price))
        return {
            "product_id": product.id,
            "product_qty": quantity,
            "price_unit": round(amount / quantity, 2),
            "tax_ids": [Command.set(taxes.ids)],
        }

    def _create_orders(self, company):
        """Confirmed orders of the 24 months, dated as Odoo would have dated them:
        created a few days before their confirmation, delivered after it."""
        taxes = company.account_purchase_tax_id
        values, dates = [], []
        for (months_ago, vendor_key), lines in sorted(self._planned_lines().items()):
            vendor = self._ref("vendor", vendor_key)
            approved = self._order_day(self._months()[MONTHS - 1 - months_ago][1], vendor_key)
            values.append(
                {
                    "partner_id": vendor.id,
                    "company_id": company.id,
                    "user_id": self.env.ref("base.user_admin").id,
                    "payment_term_id": vendor.property_supplier_payment_term_id.id,
                    "date_order": approved - timedelta(days=1),
                    "order_line": [
                        Command.create(self._line_values(product, amount, vendor, taxes))
                        for product, amount in self._merge(lines)
                    ],
                }
            )
            dates.append(approved)
        orders = self.env["purchase.order"].create(values)
        orders.button_confirm()
        self._date_orders(orders, dates)
        return orders

    def _date_orders(self, orders, dates):
        now = fields.Datetime.now()
        for order, approved in zip(orders, dates, strict=True):
            delay = max(order.order_line.selected_seller_id.mapped("delay") or [5])
            planned = approved + timedelta(days=max(delay, 1))
            order.write(
                {"date_approve": approved, "acknowledged": approved < now - timedelta(days=7)}
            )
            order.order_line.write({"date_planned": planned})
            if planned < now - timedelta(days=1):
                for line in order.order_line.filtered(
                    lambda line: line.qty_received_method == "manual"
                ):
                    line.qty_received = line.product_qty
        # The RFQs were created three days before their confirmation.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE purchase_order SET create_date = date_approve - interval '3 days'"
                " WHERE id IN %s",
                tuple(orders.ids),
            )
        )
        orders.invalidate_recordset(["create_date"])

    # Bills ---------------------------------------------------------------------

    def _create_order_bills(self, orders):
        """The bills of the received orders, from their lines (so that they carry
        purchase_line_id), a week or two after delivery; one order in twenty is
        not billed yet."""
        today = fields.Date.context_today(self)
        values = []
        for index, order in enumerate(orders):
            received = order.order_line.filtered(lambda line: line.qty_received >= line.product_qty)
            if len(received) < len(order.order_line) or index % 20 == 3:
                continue
            invoice_date = order.date_approve.date() + timedelta(days=10 + index % 12)
            if invoice_date >= today:
                continue
            move = order._prepare_invoice()
            move.update(
                invoice_date=invoice_date,
                ref=f"F-{order.partner_id.id:03d}-{index:05d}",
                invoice_line_ids=[
                    Command.create(line._prepare_account_move_line()) for line in order.order_line
                ],
            )
            values.append(move)
        return self._post(values)

    def _post(self, values):
        moves = self.env["account.move"].create(sorted(values, key=lambda v: v["invoice_date"]))
        moves.action_post()
        return moves

    def _bill_labels(self, vendor):
        """Labels of the bills without product, in the vendor's language."""
        env = self.with_context(lang=vendor.lang).env
        return {
            "electricity": env._("Electricity: supply and delivery"),
            "green_electricity": env._("Electricity from renewable sources"),
            "legal_fees": env._("Fees: legal counsel"),
            "deed_fees": env._("Notarial deed fees"),
            "audit_fees": env._("Fees: statutory audit"),
            "licence": env._("Annual licence: planning software"),
        }

    def _create_bills_without_order(self, company):
        """Energy, fees and subscriptions: billed every month (or quarter) without
        any purchase order, lines without product or with a product of no family."""
        taxes = company.account_purchase_tax_id
        today = fields.Date.context_today(self)
        values = []
        for vendor_key, prefix, product_key, amounts, every, label in BILL_PLANS:
            vendor = self._ref("vendor", vendor_key)
            account = self._account(company, prefix)
            product = product_key and self._ref("product", product_key)
            if product:
                product.with_company(company).property_account_expense_id = account
            for months_ago, month_start in self._months():
                invoice_date = month_start + timedelta(days=4)
                if months_ago % every or month_start + timedelta(days=4) > today:
                    continue
                amount = round(self._along(amounts, months_ago) * self._season(month_start), 2)
                line = {
                    "account_id": account.id,
                    "price_unit": amount,
                    "tax_ids": [Command.set(taxes.ids)],
                }
                if product:
                    line.update(product_id=product.id, quantity=1)
                else:
                    line["name"] = f"{self._bill_labels(vendor)[label]} – {month_start:%m/%Y}"
                values.append(
                    {
                        "move_type": "in_invoice",
                        "partner_id": vendor.id,
                        "company_id": company.id,
                        "invoice_date": invoice_date,
                        "ref": f"{vendor_key[:3].upper()}-{month_start:%Y%m}",
                        "invoice_line_ids": [Command.create(line)],
                    }
                )
        return self._post(values)

    def _create_refund_and_foreign_bill(self, company, orders):
        """A credit note for laptops sent back, and a software licence billed in
        Swiss francs."""
        today = fields.Date.context_today(self)
        laptop = self._ref("product", "laptop")
        lines = orders.order_line.filtered(
            lambda line: (
                line.product_id == laptop
                and line.qty_invoiced
                and line.order_id.date_approve.date() < today - timedelta(days=90)
            )
        )
        line = lines[-1:]
        refund = {
            "move_type": "in_refund",
            "partner_id": line.order_id.partner_id.id,
            "company_id": company.id,
            "invoice_date": line.order_id.date_approve.date() + timedelta(days=40),
            "ref": "AVOIR-RETOUR-PORTABLES",
            "invoice_line_ids": [
                Command.create(
                    dict(line._prepare_account_move_line(), quantity=min(5, line.product_qty))
                )
            ],
        }
        currency = self._swiss_franc(company)
        invoice_date = today - relativedelta(months=10)
        foreign = {
            "move_type": "in_invoice",
            "partner_id": self._ref("vendor", "alpensoft").id,
            "company_id": company.id,
            "currency_id": currency.id,
            "invoice_date": invoice_date,
            "ref": "ALP-LIC-ANNUELLE",
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self._bill_labels(self._ref("vendor", "alpensoft"))["licence"],
                        "account_id": self._account(company, "6156").id,
                        "price_unit": 18000.0,
                    }
                )
            ],
        }
        return self._post([refund, foreign])

    def _swiss_franc(self, company):
        """Swiss francs, active, with a rate for each month of the history."""
        currency = self.env.ref("base.CHF")
        currency.active = True
        rate = {"EUR": 0.94, "USD": 0.88}.get(company.currency_id.name, 1.0)
        existing = set(
            currency.rate_ids.filtered(lambda r: r.company_id == company.root_id).mapped("name")
        )
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "company_id": company.root_id.id,
                    "name": month_start,
                    "rate": round(rate * (1 + 0.002 * (months_ago % 5)), 4),
                }
                for months_ago, month_start in self._months()
                if month_start not in existing
            ]
        )
        return currency

    # Payments ------------------------------------------------------------------

    @staticmethod
    def _payment_date(bill, chance):
        """When the bill is paid: large vendors on the due date; SMEs early (in
        the first payment run), on time or late, by up to three months (a large
        buyer's habit that the relationship report shows)."""
        due = bill.invoice_date_due
        if not bill.partner_id.commercial_partner_id.pareto_is_sme or chance < 0.4:
            return due
        if chance < 0.7:
            run = bill.invoice_date + timedelta(days=5)
            run += (
                relativedelta(day=PAYMENT_RUN_DAY)
                if run.day <= PAYMENT_RUN_DAY
                else relativedelta(months=1, day=PAYMENT_RUN_DAY)
            )
            return min(run, due)
        return due + timedelta(days=5 + int((chance - 0.7) * 300))

    def _pay_bills(self, company, bills):
        """Payment runs up to today; a few bills past due stay unpaid, one of
        them disputed (blocked), for the statutory late-payment table."""
        today = fields.Date.context_today(self)
        chance = random.Random(20)
        unpaid = self._unpaid_past_due(bills.filtered(lambda b: b.move_type == "in_invoice"), today)
        by_run = defaultdict(lambda: self.env["account.move"])
        for bill in bills.sorted("invoice_date"):
            paid_on = self._payment_date(bill, chance.random())
            if bill not in unpaid and paid_on <= today:
                by_run[paid_on] |= bill
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "bank")],
            limit=1,
        )
        for paid_on, run in sorted(by_run.items()):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=run.ids
            ).create({"payment_date": paid_on, "journal_id": journal.id})._create_payments()
        disputed = unpaid[-1:]
        disputed.action_toggle_block_payment()
        admin = self.with_context(lang=self.env.ref("base.user_admin").lang)
        disputed.message_post(body=admin.env._("Disputed: part of the delivery was missing."))

    @staticmethod
    def _unpaid_past_due(bills, today):
        """One bill in each lateness bucket (1-30, 31-60, 61-90, 91+ days), and
        one more (the last), to be disputed."""
        unpaid = bills.browse()
        for late_days in (12, 45, 75, 130, 25):
            due = today - timedelta(days=late_days)
            candidates = (bills - unpaid).filtered_domain([("invoice_date_due", "<=", due)])
            if candidates:
                unpaid |= max(candidates, key=lambda b: (b.invoice_date_due, b.id))
        return unpaid

    # Requests for quotation ----------------------------------------------------

    def _create_rfqs(self, company):
        """Open requests for quotation: one to a large vendor in a family below
        target, whose products SMEs also supply."""
        taxes = company.account_purchase_tax_id
        deadline = fields.Datetime.now() + timedelta(days=7)
        rfqs = (
            ("distrinum", (("laptop", 21000), ("monitor", 4800))),
            ("lnr", (("truckload", 12000),)),
            ("clairval", (("cleaning", 21000),)),
        )
        self.env["purchase.order"].create(
            [
                {
                    "partner_id": self._ref("vendor", vendor_key).id,
                    "company_id": company.id,
                    "user_id": self.env.ref("base.user_admin").id,
                    "date_order": deadline,
                    "order_line": [
                        Command.create(
                            self._line_values(
                                product, amount, self._ref("vendor", vendor_key), taxes
                            )
                        )
                        for product, amount in lines
                    ],
                }
                for vendor_key, lines in rfqs
            ]
        )

    def _open_demo_company(self, company):
        """The administrator opens the database on the demo's company."""
        admin = self.env.ref("base.user_admin")
        if admin.company_id != company:
            admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
