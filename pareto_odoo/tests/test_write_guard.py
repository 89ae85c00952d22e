"""Derived fields are never written, numbers are finite (tools/write_guard.py),
tried as the web client's JSON-RPC calls do: create / write with the values a
client sends, as a buyer, a manager, an administrator and the superuser."""

import math

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..tools import write_guard
from .common import ParetoCase

# The derived fields the issue names, and the others of the addon: the guard
# finds them from the field definitions; this list checks that it does.
EXPECTED_DERIVED = {
    "res.partner": {"pareto_is_sme", "pareto_department", "pareto_siren"},
    "purchase.order": {"pareto_status"},
    "purchase.order.line": {"pareto_family_id"},
    "product.category": {"pareto_effective_family_id"},
    "pareto.family": {"complete_name"},
    "pareto.compliance.alert": {"name"},
}
NOT_NUMBERS = (float("nan"), float("inf"), float("-inf"), "nan", "Infinity", "1e400", "abc")


@tagged("post_install", "-at_install")
class TestDerivedFields(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_order(cls.vendor_large, [(cls.laptop, 1, 1000.0)], confirm=False)
        cls.confirmed = cls._create_order(cls.vendor_large, [(cls.laptop, 2, 1000.0)])
        cls.alert = (
            cls.env["pareto.compliance.alert"]
            .sudo()
            .create(
                {
                    "company_id": cls.company.id,
                    "family_id": cls.family_it.id,
                    "period_start": "2026-01-01",
                    "period_end": "2026-12-31",
                }
            )
        )

    def _records(self):
        return {
            "res.partner": self.vendor_large,
            "purchase.order": self.order,
            "purchase.order.line": self.confirmed.order_line,
            "product.category": self.categ_laptops,
            "pareto.family": self.family_it,
            "pareto.compliance.alert": self.alert,
        }

    def test_the_guard_finds_every_derived_field_from_the_definitions(self):
        for model, expected in EXPECTED_DERIVED.items():
            with self.subTest(model=model):
                self.assertLessEqual(expected, write_guard.derived_fields(self.env[model]))
        # Classification fields are computed but editable: not derived.
        partner_derived = write_guard.derived_fields(self.env["res.partner"])
        self.assertNotIn("pareto_size", partner_derived)
        self.assertNotIn("pareto_size_source", partner_derived)
        # Odoo's own fields keep Odoo's behaviour.
        self.assertNotIn("commercial_partner_id", partner_derived)

    def test_every_model_with_derived_fields_carries_the_guard(self):
        for model_name in self.env.registry:
            model = self.env[model_name]
            if model._abstract or not model._auto:
                continue
            if write_guard.derived_fields(model):
                with self.subTest(model=model_name):
                    self.assertIn("pareto.write.guard", model._inherit_module)

    def test_nobody_writes_a_derived_field(self):
        values = {
            "res.partner": {"pareto_is_sme": True, "pareto_department": "75", "pareto_siren": "1"},
            "purchase.order": {"pareto_status": "ok"},
            "purchase.order.line": {"pareto_family_id": self.family_facility.id},
            "product.category": {"pareto_effective_family_id": self.family_facility.id},
            "pareto.family": {"complete_name": "Renamed"},
            "pareto.compliance.alert": {"name": "Renamed"},
        }
        records = self._records()
        users = {
            "buyer": self.buyer,
            "manager": self.manager,
            "admin": self.admin,
            "superuser": self.env.ref("base.user_root"),
        }
        for model, model_values in values.items():
            record = records[model]
            before = {fname: record[fname] for fname in model_values}
            for role, user in users.items():
                for fname, value in model_values.items():
                    # Those who may write the record are told why; the others
                    # may not write it at all.
                    message = "computed by Pareto" if role != "buyer" else ""
                    with (
                        self.subTest(model=model, field=fname, role=role),
                        self.assertRaisesRegex(AccessError, message),
                    ):
                        record.with_user(user).write({fname: value})
            record.invalidate_recordset()
            self.assertEqual({fname: record[fname] for fname in model_values}, before)

    def test_a_buyer_cannot_make_a_large_vendor_an_sme(self):
        """Issue 11, item 1: the SME share jumped and the widget turned green."""
        figures = self.order.get_pareto_compliance()
        contact = self.env["res.partner"].create(
            {"name": "Sales rep", "parent_id": self.vendor_large.id}
        )
        for partner in (self.vendor_large, contact):
            with self.subTest(partner=partner.name), self.assertRaises(AccessError):
                partner.with_user(self.buyer).write({"pareto_is_sme": True})
        self.assertFalse(self.vendor_large.pareto_is_sme)
        self.assertEqual(self.order.get_pareto_compliance(), figures)

    def test_create_refuses_derived_values_and_ignores_derived_defaults(self):
        Partner = self.env["res.partner"]
        with self.assertRaises(AccessError):
            Partner.with_user(self.buyer).create({"name": "Forged", "pareto_is_sme": True})
        # A default from the context (JSON-RPC callers choose it) is ignored.
        forged = Partner.with_user(self.buyer).with_context(default_pareto_is_sme=True)
        partner = forged.create({"name": "Defaulted"})
        self.assertFalse(partner.pareto_is_sme)
        order = (
            self.env["purchase.order"]
            .with_user(self.buyer)
            .with_context(default_pareto_status="ok")
            .create({"partner_id": self.vendor_large.id})
        )
        self.assertFalse(order.pareto_status)
        line = (
            self.env["purchase.order.line"]
            .with_user(self.buyer)
            .with_context(default_pareto_family_id=self.family_facility.id)
            .create({"order_id": order.id, "product_id": self.laptop.id, "product_qty": 1})
        )
        self.assertEqual(line.pareto_family_id, self.family_it)

    def test_the_orm_still_computes_derived_fields(self):
        vendor = self.vendor_unknown.with_user(self.manager)
        vendor.write({"pareto_size": "micro", "zip": "93100", "country_id": self.france.id})
        self.assertTrue(vendor.pareto_is_sme)
        self.assertEqual(vendor.pareto_department, "93")
        self.categ_laptops.pareto_family_id = self.family_facility
        self.assertEqual(self.categ_laptops.pareto_effective_family_id, self.family_facility)
        self.assertEqual(self.confirmed.order_line.pareto_family_id, self.family_facility)
        self.family_it.name = "Informatique"
        self.assertEqual(self.family_software.complete_name, "Informatique / Software")


@tagged("post_install", "-at_install")
class TestNumberGuards(ParetoCase):
    """Issue 11, item 10: NaN or infinity in targets, margin or radius."""

    def test_settings_refuse_numbers_that_are_not_finite(self):
        settings = self.env["res.config.settings"].with_user(self.admin)
        for fname in (
            "pareto_default_target",
            "pareto_warning_margin",
            "pareto_local_radius_km",
        ):
            for value in NOT_NUMBERS:
                with self.subTest(field=fname, value=value):
                    with self.assertRaisesRegex(ValidationError, "finite number"):
                        self.company.with_user(self.admin).write({fname: value})
                    with self.assertRaisesRegex(ValidationError, "finite number"):
                        settings.create({fname: value})
        self.assertEqual(self.company.pareto_local_radius_km, 0.0)
        self.assertEqual(self.company.pareto_default_target, 20.0)

    def test_family_target_must_be_a_finite_number(self):
        Family = self.env["pareto.family"].with_user(self.manager)
        for value in NOT_NUMBERS:
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError, "Target SME Share"):
                    self.family_it.with_user(self.manager).write({"target_share": value})
                with self.assertRaisesRegex(ValidationError, "finite number"):
                    Family.create({"name": "N", "code": "N", "target_share": value})
        self.assertEqual(self.family_it.target_share, 20.0)
        # A number sent as text is still a number.
        self.family_it.with_user(self.manager).write({"target_share": "25.5"})
        self.assertEqual(self.family_it.target_share, 25.5)

    def test_vendor_figures_must_fit_their_columns(self):
        vendor = self.vendor_unknown.with_user(self.manager)
        for vals in (
            {"pareto_turnover": float("inf")},
            {"pareto_balance_sheet": "nan"},
            {"pareto_headcount": 99_999_999_999},
            {"pareto_headcount": 12.5},
            {"pareto_headcount": float("nan")},
            {"pareto_size_year": "2024x"},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                vendor.write(vals)
        vendor.write({"pareto_headcount": "12", "pareto_turnover": 1_500_000})
        self.assertEqual(vendor.pareto_size, "small")

    def test_database_refuses_a_radius_that_is_not_a_number(self):
        """Whatever writes the column (SQL imports): a NaN radius made every
        geolocated vendor local."""
        company = self.company.id
        refused = {
            f"radius {value}": SQL(
                "UPDATE res_company SET pareto_local_radius_km = %s::float8 WHERE id = %s",
                value,
                company,
            )
            for value in ("NaN", "Infinity")
        }
        for column in ("pareto_default_target", "pareto_warning_margin"):
            refused[column] = SQL(
                "UPDATE res_company SET %s = 'NaN' WHERE id = %s", SQL.identifier(column), company
            )
        refused["target_share"] = SQL(
            "UPDATE pareto_family SET target_share = 'NaN' WHERE id = %s", self.family_it.id
        )
        for what, query in refused.items():
            with (
                self.subTest(what),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.env.cr.execute(query)
        self.assertTrue(math.isfinite(self.company.pareto_local_radius_km))
