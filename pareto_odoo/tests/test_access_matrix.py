"""Who may do what, as one readable table (issue 11, item 6): a buyer and a
procurement manager of the first company (``buyer``, ``manager_1``), a
procurement manager and an administrator of both (``manager``, ``admin``),
against every Pareto model and the fields that matter, in both companies.
The fixtures are in :class:`.common.AccessCase`."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AccessCase

ROLES = AccessCase.ROLES

# What each role may do on a record: r(ead), w(rite), c(reate, for a record
# like this one: same company), u(nlink). "_1" records belong to the first
# company, "_2" ones to the second.
MODEL_MATRIX = [
    # model                      record           buyer  manager_1  manager  admin
    ("pareto.family",            "family_shared", "r",   "rwcu",    "rwcu",  "rwcu"),
    ("pareto.family",            "family_1",      "r",   "rwcu",    "rwcu",  "rwcu"),
    ("pareto.family",            "family_2",      "",    "",        "rwcu",  "rwcu"),
    ("pareto.compliance.alert",  "alert_1",       "",    "rw",      "rw",    "rw"),
    ("pareto.compliance.alert",  "alert_2",       "",    "",        "rw",    "rw"),
    ("pareto.spend.report",      "report_1",      "r",   "r",       "r",     "r"),
    ("pareto.spend.report",      "report_2",      "",    "",        "r",     "r"),
    ("pareto.spend.daily",       "daily_1",       "r",   "r",       "r",     "r"),
    ("pareto.spend.daily",       "daily_2",       "",    "",        "r",     "r"),
    ("pareto.spend.vendor",      "vendor_spend_1", "r",  "r",       "r",     "r"),
    ("pareto.spend.vendor",      "vendor_spend_2", "",   "",        "r",     "r"),
    ("pareto.spend.vendor.year", "vendor_year_1", "r",   "r",       "r",     "r"),
    ("pareto.spend.vendor.year", "vendor_year_2", "",    "",        "r",     "r"),
    ("pareto.spend.history",     "history_1",     "r",   "r",       "r",     "r"),
    ("pareto.spend.history",     "history_2",     "",    "",        "r",     "r"),
    ("pareto.spend.delta",       "delta_1",       "r",   "r",       "r",     "r"),
    ("pareto.spend.delta",       "delta_2",       "",    "",        "r",     "r"),
    ("pareto.sirene.job",        "job_1",         "",    "rwcu",    "rwcu",  "rwcu"),
    ("pareto.sirene.job",        "job_2",         "",    "",        "rwcu",  "rwcu"),
    ("pareto.sirene.job.line",   "job_line_1",    "",    "r",       "r",     "r"),
    ("pareto.sirene.job.line",   "job_line_2",    "",    "",        "r",     "r"),
    # Payment delays: procurement managers (and accountants), of their companies.
    ("pareto.payment.report",    "payment_1",     "",    "r",       "r",     "r"),
    # The registry's request clock (no company: one row for the database).
    ("pareto.registry.slot",     "slot",          "",    "",        "",      "r"),
]  # fmt: skip

# Wizards (transient models: each user only sees their own): which roles may
# open them at all.
WIZARD_MATRIX = [
    # model                               buyer  manager_1  manager  admin
    ("pareto.vendor.import",              "",    "rwcu",    "rwcu",  "rwcu"),
    ("pareto.vendor.import.line",         "",    "rwcu",    "rwcu",  "rwcu"),
    ("pareto.registry.discovery",         "rwcu", "rwcu",   "rwcu",  "rwcu"),
    ("pareto.registry.discovery.line",    "r",   "r",       "r",     "r"),
    ("pareto.confirm.warning",            "rwc", "rwc",     "rwc",   "rwc"),
    ("pareto.late.payment.table",         "",    "rwc",     "rwc",   "rwc"),
]  # fmt: skip

# Who may write these values (True) and who is refused (False); nothing
# changes when refused.
FIELD_MATRIX = [
    # record, values, buyer, manager_1, manager, admin
    # Vendor classification: procurement managers, on companies and contacts.
    ("vendor", {"pareto_size": "small"}, False, True, True, True),
    ("contact", {"pareto_size": "small"}, False, True, True, True),
    ("vendor", {"pareto_excluded": True}, False, True, True, True),
    ("vendor", {"pareto_headcount": 12, "pareto_turnover": 1e6}, False, True, True, True),
    ("vendor", {"pareto_naf_code": "62.01Z"}, False, True, True, True),
    ("vendor", {"pareto_registry_date": "2099-01-01"}, False, True, True, True),
    ("vendor", {"pareto_size_source": "registry"}, False, True, True, True),
    # Derived: nobody.
    ("vendor", {"pareto_is_sme": True}, False, False, False, False),
    ("contact", {"pareto_is_sme": True}, False, False, False, False),
    ("vendor", {"pareto_department": "75"}, False, False, False, False),
    ("vendor", {"pareto_siren": "552100554"}, False, False, False, False),
    ("rfq_1", {"pareto_status": "ok"}, False, False, False, False),
    ("line_1", {"pareto_family_id": "family_2"}, False, False, False, False),
    ("line_1", {"pareto_family_id": "family_shared"}, False, False, False, False),
    # Families and targets: procurement managers, of the family's company.
    ("family_shared", {"target_share": 35.0}, False, True, True, True),
    ("family_1", {"target_share": 35.0}, False, True, True, True),
    ("family_2", {"target_share": 35.0}, False, False, True, True),
    ("family_1", {"target_share": float("nan")}, False, False, False, False),
    # Mappings: only categories whose families the user works with.
    ("family_1", {"product_category_ids": [Command.link("categ_1")]}, False, True, True, True),
    ("family_1", {"product_category_ids": [Command.link("categ_2")]}, False, False, True, True),
    ("family_1", {"product_category_ids": [Command.unlink("categ_2")]}, False, False, False, False),
    # Company settings: administrators.
    ("company_1", {"pareto_default_target": 30.0}, False, False, False, True),
    ("company_1", {"pareto_local_radius_km": 25.0}, False, False, False, True),
    ("company_1", {"pareto_local_radius_km": float("nan")}, False, False, False, False),
    # A bill's payment date follows its reconciliations.
    ("bill_1", {"pareto_payment_date": "2026-01-01"}, False, False, False, False),
    # Alerts record what was measured.
    ("alert_1", {"share": 99.0}, False, False, False, False),
]

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessCase):
    def test_fixtures_cover_every_model_of_the_addon(self):
        covered = {row[0] for row in MODEL_MATRIX} | {row[0] for row in WIZARD_MATRIX}
        for model_name in self.env.registry:
            model = self.env[model_name]
            if model._abstract or not model_name.startswith("pareto."):
                continue
            with self.subTest(model=model_name):
                self.assertIn(model_name, covered)
        for key in (
            "report_1", "report_2", "daily_1", "daily_2", "vendor_spend_1", "vendor_spend_2",
            "delta_1", "delta_2", "payment_1",
        ):  # fmt: skip
            self.assertTrue(self.records[key], f"fixture {key} is empty")

    def test_models(self):
        for model, key, *expected in MODEL_MATRIX:
            record = self.records[key]
            for role, allowed in zip(ROLES, expected, strict=True):
                mine = record.with_env(self.user_env(role))
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, record=key, role=role, operation=operation):
                        self.assertEqual(mine.has_access(operation), letter in allowed)

    def test_wizards(self):
        for model, *expected in WIZARD_MATRIX:
            for role, allowed in zip(ROLES, expected, strict=True):
                wizards = self.user_env(role)[model]
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(wizards.has_access(operation), letter in allowed)

    def test_fields(self):
        for key, values, *expected in FIELD_MATRIX:
            for role, allowed in zip(ROLES, expected, strict=True):
                record = self.records[key].with_env(self.user_env(role))
                vals = self._resolve(values)
                with self.subTest(record=key, values=values, role=role):
                    self._check_write(record, vals, allowed)

    def _resolve(self, values):
        """Record keys in ``values`` (many2one values, commands) as ids."""

        def resolve(value):
            if isinstance(value, str) and value in self.records:
                return self.records[value].id
            if isinstance(value, tuple):
                return tuple(resolve(item) for item in value)
            if isinstance(value, list):
                return [resolve(item) for item in value]
            return value

        return {fname: resolve(value) for fname, value in values.items()}

    def _check_write(self, record, vals, allowed):
        fnames = [fname for fname in vals if fname != "product_category_ids"]
        before = record.sudo().read(fnames) if fnames else None
        categories = self.env["product.category"].search_read([], ["pareto_family_id"])
        if allowed:
            with self.env.cr.savepoint(flush=True) as savepoint:
                record.write(vals)
                record.env.flush_all()
                savepoint.rollback()
            self.env.invalidate_all()
            return
        with self.assertRaises(UserError):  # AccessError and ValidationError too
            record.write(vals)
            record.env.flush_all()
        self.env.invalidate_all()
        if fnames:
            self.assertEqual(record.sudo().read(fnames), before)
        self.assertEqual(
            self.env["product.category"].search_read([], ["pareto_family_id"]), categories
        )
