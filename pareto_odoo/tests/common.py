from contextlib import contextmanager

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tests import common as odoo_test_common
from odoo.tools import SQL

from ..models.pareto_registry_slot import SLOT_ID

# Odoo waits 10 s for Chromium's DevTools port, then skips the tour. On a
# machine without outside network Chromium 156 sometimes takes longer to
# start (it tries Google's hosts first): the addon's tours (every one imports
# this module) wait up to 60 s instead of being skipped.
odoo_test_common.CHECK_BROWSER_ITERATIONS = max(odoo_test_common.CHECK_BROWSER_ITERATIONS, 600)

BUYER_GROUPS = "base.group_user,purchase.group_purchase_user"
MANAGER_GROUPS = "base.group_user,purchase.group_purchase_manager"
FRENCH = {"lang": "fr_FR", "tz": "Europe/Paris"}


def pareto_user(env, login, groups, companies, **values):
    """A test user working in ``companies``, the first one current."""
    return new_test_user(
        env,
        login=login,
        groups=groups,
        company_id=companies[0].id,
        company_ids=[Command.set(companies.ids)],
        **values,
    )


def activate_french(env):
    """French installed, with this addon's translations."""
    env["res.lang"]._activate_lang("fr_FR")
    env["ir.module.module"].search([("name", "=", "pareto_odoo")])._update_translations("fr_FR")


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
        companies = cls.company | cls.company_2
        cls.buyer = pareto_user(
            cls.env, "pareto_buyer", f"{BUYER_GROUPS},base.group_partner_manager", cls.company
        )
        cls.manager = pareto_user(cls.env, "pareto_manager", MANAGER_GROUPS, companies)
        # A procurement manager who works in the first company only.
        cls.manager_1 = pareto_user(cls.env, "pareto_manager_1", MANAGER_GROUPS, cls.company)
        cls.admin = pareto_user(
            cls.env, "pareto_admin", f"{MANAGER_GROUPS},base.group_system", companies
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

        cls.vendor_small_local = cls._create_vendor("Atelier Parisien", "75011", "small")
        cls.vendor_micro_far = cls._create_vendor("Lyon Services", "69003", "micro")
        cls.vendor_large = cls._create_vendor("Grand Groupe", "92400", "large")
        Partner = cls.env["res.partner"]
        cls.vendor_unknown = Partner.create({"name": "Inconnu SARL", "is_company": True})

    @classmethod
    def _create_vendor(cls, name, zip_code, size, **values):
        """A French vendor company of size class ``size``."""
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "zip": zip_code,
                "country_id": cls.france.id,
                "pareto_size": size,
                **values,
            }
        )

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

    @classmethod
    def _expense_account(cls, code, name=None, company=None):
        """The expense account ``code`` of the company (created if needed)."""
        company = company or cls.company
        Account = cls.env["account.account"].with_company(company)
        account = Account.search([("code", "=", code), ("company_ids", "in", company.ids)], limit=1)
        return account or Account.create(
            {
                "code": code,
                "name": name or f"Expenses {code}",
                "account_type": "expense",
                "company_ids": [Command.link(company.id)],
            }
        )

    @classmethod
    def _create_bill(
        cls, vendor, lines, date=None, refund=False, company=None, post=True, currency=None
    ):
        """A vendor bill (or refund) dated ``date`` (default today).
        ``lines``: (product or None, quantity, unit price[, account[, purchase line]])
        tuples; a line without product needs an account."""
        company = company or cls.company
        values = []
        for product, qty, price, *extra in lines:
            account, purchase_line = [*extra, None, None][:2]
            line = {"quantity": qty, "price_unit": price, "tax_ids": [Command.clear()]}
            if product:
                line["product_id"] = product.id
            else:
                line["name"] = account.name
            if account:
                line["account_id"] = account.id
            if purchase_line:
                line["purchase_line_id"] = purchase_line.id
            values.append(Command.create(line))
        bill = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "in_refund" if refund else "in_invoice",
                    "partner_id": vendor.id,
                    "company_id": company.id,
                    "invoice_date": date or fields.Date.context_today(cls.env.user),
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": values,
                }
            )
        )
        if post:
            bill.action_post()
        return bill

    @contextmanager
    def assertRaisesText(self, exception, text):
        """``assertRaises`` (which rolls back what the failing call wrote, as
        the JSON-RPC request's transaction would) whose message contains
        ``text``."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))


class AccessCase(ParetoCase):
    """Records of every Pareto model in both companies, and the roles that
    use them, for the access matrix: a buyer and a procurement manager of
    the first company, a procurement manager and an administrator of both
    (working in both, as the company switcher allows)."""

    ROLES = ("buyer", "manager_1", "manager", "admin")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family_1 = cls.env["pareto.family"].create(
            {"name": "Nord only", "code": "NORD", "company_id": cls.company.id}
        )
        cls.categ_2 = cls.env["product.category"].create(
            {"name": "Sud supplies", "pareto_family_id": cls.family_company_2.id}
        )
        cls.product_2 = cls.env["product.product"].create(
            {"name": "Sud item", "categ_id": cls.categ_2.id}
        )
        cls.contact_of_large = cls.env["res.partner"].create(
            {"name": "Paul Durand", "parent_id": cls.vendor_large.id}
        )
        cls.order_1 = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 1000.0)])
        cls.rfq_1 = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 500.0)], confirm=False)
        cls.order_2 = cls._create_order(
            cls.vendor_large, [(cls.product_2, 1, 300.0)], company=cls.company_2
        )
        cls.env.flush_all()
        # The confirmations above are in the aggregates; the next ones wait
        # in the change log.
        cls.env["pareto.spend.delta"]._merge()
        for company in (cls.company, cls.company_2):
            product = cls.laptop if company == cls.company else cls.product_2
            cls._create_order(cls.vendor_large, [(product, 1, 10.0)], company=company)
        cls.bill_1 = cls._create_bill(cls.vendor_large, [(cls.laptop, 1, 100.0)])
        cls.env.flush_all()
        cls.records = {
            "family_shared": cls.family_it,
            "family_1": cls.family_1,
            "family_2": cls.family_company_2,
            "vendor": cls.vendor_large,
            "contact": cls.contact_of_large,
            "rfq_1": cls.rfq_1,
            "line_1": cls.order_1.order_line,
            "categ_1": cls.categ_unmapped,
            "categ_2": cls.categ_2,
            "company_1": cls.company,
            "slot": cls._registry_slot(),
            "bill_1": cls.bill_1,
            "payment_1": cls.env["pareto.payment.report"].search([("move_id", "=", cls.bill_1.id)]),
        }
        Alert = cls.env["pareto.compliance.alert"].sudo()
        Job = cls.env["pareto.sirene.job"].sudo()
        Report = cls.env["pareto.spend.report"].sudo()
        Daily = cls.env["pareto.spend.daily"].sudo()
        Vendor = cls.env["pareto.spend.vendor"].sudo()
        Delta = cls.env["pareto.spend.delta"].sudo()
        VendorYear = cls.env["pareto.spend.vendor.year"].sudo()
        History = cls.env["pareto.spend.history"].sudo()
        for suffix, company, order in (
            ("1", cls.company, cls.order_1),
            ("2", cls.company_2, cls.order_2),
        ):
            family = order.order_line.pareto_family_id
            cls.records[f"alert_{suffix}"] = Alert.create(
                {
                    "company_id": company.id,
                    "family_id": family.id,
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                }
            )
            job = Job.create({"name": f"Sirene {suffix}", "company_id": company.id})
            cls.records[f"job_{suffix}"] = job
            cls.records[f"job_line_{suffix}"] = (
                cls.env["pareto.sirene.job.line"]
                .sudo()
                .create({"job_id": job.id, "kind": "closed", "siren": "552100554"})
            )
            cls.records[f"report_{suffix}"] = Report.search([("order_id", "=", order.id)])
            own = [("company_id", "=", company.id), ("family_id", "=", family.id)]
            cls.records[f"daily_{suffix}"] = Daily.search(own)
            cls.records[f"vendor_spend_{suffix}"] = Vendor.search(own)
            cls.records[f"delta_{suffix}"] = Delta.search(own)
            cls.records[f"vendor_year_{suffix}"] = VendorYear.search(own)
            cls.records[f"history_{suffix}"] = History.search(own)

    @classmethod
    def _registry_slot(cls):
        """The registry's request clock row (made on first use)."""
        cls.env.cr.execute(
            SQL(
                "INSERT INTO pareto_registry_slot (id, next_slot) VALUES (%s, 0) "
                "ON CONFLICT (id) DO NOTHING",
                SLOT_ID,
            )
        )
        return cls.env["pareto.registry.slot"].sudo().browse(SLOT_ID)

    @classmethod
    def user_env(cls, role):
        """The environment of ``role``, working in all its companies."""
        user = getattr(cls, role)
        return cls.env(user=user, context={"allowed_company_ids": user.company_ids.ids})
