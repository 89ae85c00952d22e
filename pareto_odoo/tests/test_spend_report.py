import datetime
import io
from unittest.mock import patch

import openpyxl
import pandas as pd
from pandas.compat._optional import VERSIONS

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.models import BaseModel
from odoo.tests import tagged

from .common import ParetoCase

YEAR = 2019  # long before any demo data, which is dated relative to today
DAY = datetime.date(YEAR, 6, 30)  # "today" of the dashboard in these tests


def read_xlsx(content, header=4):
    """The workbook's sheets as DataFrames, read by pandas, the column
    headers on row ``header`` (0-based: the dashboard's export writes its
    scope above them). Odoo 19 pins openpyxl 3.0.9, older than pandas'
    declared minimum for reading; its reading API is the same, so the
    version guard is relaxed here only."""
    with patch.dict(VERSIONS, {"openpyxl": openpyxl.__version__}):
        return pd.read_excel(io.BytesIO(content), sheet_name=None, header=header)


class SpendCase(ParetoCase):
    """Confirmed spend in YEAR for the first company, in every situation the
    report must handle, and one order of the second company."""

    def _summary_html(self, env=None):
        """The HTML of the compliance summary of the company on DAY."""
        return (
            (env or self.env)["ir.actions.report"]
            ._render_qweb_html(
                "pareto_odoo.report_compliance_summary",
                self.company.ids,
                data={"day": fields.Date.to_string(DAY)},
            )[0]
            .decode()
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "Europe/Paris"
        cls.vendor_small_local.write({"pareto_headcount": 20, "pareto_turnover": 2_000_000.0})
        cls.vendor_small_local.pareto_size = "small"  # figures would say so too
        cls.contact_of_small = cls.env["res.partner"].create(
            {"name": "Marie Martin", "parent_id": cls.vendor_small_local.id}
        )
        cls.vendor_excluded = cls.env["res.partner"].create(
            {"name": "Filiale Interne", "is_company": True, "pareto_size": "small",
             "pareto_excluded": True, "zip": "75002", "country_id": cls.france.id}
        )  # fmt: skip
        approve = datetime.datetime(YEAR, 3, 10, 9, 0)
        cls.spend = [
            # (vendor, product, quantity, price)
            (cls.contact_of_small, cls.laptop, 2, 1000.0),  # IT, SME, local
            (cls.vendor_small_local, cls.cleaning, 1, 500.0),  # FAC, SME, local
            (cls.vendor_large, cls.laptop, 1, 8000.0),  # IT, large, local
            (cls.vendor_large, cls.cleaning, 1, 1500.0),  # FAC, large
            (cls.vendor_micro_far, cls.licence, 1, 1000.0),  # Software, SME, not local
            (cls.vendor_micro_far, cls.laptop, 1, 600.0),  # IT, SME, not local
            (cls.vendor_unknown, cls.misc, 1, 300.0),  # Unclassified, unknown size
            (cls.vendor_unknown, cls.laptop, 1, 400.0),  # IT, unknown size
            (cls.vendor_excluded, cls.laptop, 1, 5000.0),  # left out
        ]
        cls.orders = cls.env["purchase.order"]
        for vendor, product, qty, price in cls.spend:
            cls.orders |= cls._create_order(vendor, [(product, qty, price)])
        # A section and a note on a confirmed order: not spend.
        cls.orders[0].order_line = [
            Command.create({"display_type": "line_section", "name": "Section", "product_qty": 0}),
            Command.create({"display_type": "line_note", "name": "Note", "product_qty": 0}),
        ]
        cls.orders.date_approve = approve
        # Not spend: a draft and a cancelled order.
        cls._create_order(cls.vendor_small_local, [(cls.laptop, 1, 7000.0)], confirm=False)
        cancelled = cls._create_order(cls.vendor_small_local, [(cls.laptop, 1, 9000.0)])
        cancelled.button_cancel()
        # The second company's spend.
        cls.order_company_2 = cls._create_order(
            cls.vendor_small_local, [(cls.misc, 1, 700.0)], company=cls.company_2
        )
        cls.order_company_2.date_approve = approve
        cls.Report = cls.env["pareto.spend.report"]
        # The fixture's year (demo data, when loaded, is dated around today).
        cls.in_year = [
            ("date", ">=", datetime.date(YEAR, 1, 1)),
            ("date", "<=", datetime.date(YEAR, 12, 31)),
        ]

    @classmethod
    def expected(cls, family=None, predicate=None):
        """Sum of the fixture spend of ``family`` (None = all, excluded vendor
        left out) whose vendor satisfies ``predicate``."""
        total = 0.0
        for partner, product, qty, price in cls.spend:
            vendor = partner.commercial_partner_id
            line_family = product.pareto_family_id or product.categ_id.pareto_effective_family_id
            if vendor.pareto_excluded or (family is not None and line_family != family):
                continue
            if predicate is None or predicate(vendor):
                total += qty * price
        return total

    def report_sum(self, domain, field="amount"):
        return self.Report._read_group(domain, [], [f"{field}:sum"])[0][0]


@tagged("post_install", "-at_install")
class TestSpendReport(SpendCase):
    def test_one_row_per_confirmed_line(self):
        rows = self.Report.search([*self.in_year, ("company_id", "=", self.company.id)])
        spend_lines = self.orders.order_line.filtered(
            lambda line: not line.display_type and not line.partner_id.pareto_excluded
        )
        # Order rows are numbered 2 x the line id (bill rows 2 x + 1).
        self.assertEqual({row_id // 2 for row_id in rows.ids}, set(spend_lines.ids))
        self.assertEqual(len(rows), len(spend_lines))
        self.assertEqual(set(rows.mapped("source")), {"order"})
        self.assertAlmostEqual(sum(rows.mapped("amount")), self.expected())

    def test_row_attributes(self):
        line = self.orders[0].order_line.filtered(lambda line: not line.display_type)
        row = self.Report.browse(line.id * 2)
        # Ordered from a contact: the vendor is the commercial partner.
        self.assertEqual(row.partner_id, self.vendor_small_local)
        self.assertEqual(row.family_id, self.family_it)
        self.assertEqual(row.top_family_id, self.family_it)
        self.assertEqual(row.pareto_size, "small")
        self.assertTrue(row.is_sme)
        self.assertTrue(row.is_local)
        self.assertEqual(row.amount, 2000.0)
        self.assertEqual(row.local_sme_amount, 2000.0)
        # 20 employees for 2 M€: 100 k€ per job.
        self.assertAlmostEqual(row.jobs_supported, 2000.0 / 100_000.0)
        # Confirmed on 10 March 09:00 UTC.
        self.assertEqual(row.date, datetime.date(YEAR, 3, 10))
        far = self.Report.search([("partner_id", "=", self.vendor_micro_far.id)])
        self.assertTrue(all(far.mapped("is_sme")))
        self.assertFalse(any(far.mapped("is_local")))
        self.assertEqual(far.mapped("jobs_unknown_amount"), [row.amount for row in far])
        software = far.filtered(lambda row: row.family_id == self.family_software)
        self.assertEqual(software.top_family_id, self.family_it)
        large = self.Report.search([("partner_id", "=", self.vendor_large.id)])
        self.assertTrue(all(large.mapped("is_local")))  # Hauts-de-Seine
        self.assertFalse(any(large.mapped("is_sme")))
        self.assertEqual(large.mapped("sme_amount"), [0.0, 0.0])

    def test_spend_date_in_user_timezone(self):
        order = self.orders[2]
        order.date_approve = datetime.datetime(YEAR, 3, 31, 22, 30)  # UTC
        self.env.flush_all()
        line = order.order_line
        paris = self.Report.with_context(tz="Europe/Paris").browse(line.id * 2)
        self.assertEqual(paris.date, datetime.date(YEAR, 4, 1))
        self.env.invalidate_all()  # the date depends on the timezone
        utc = self.Report.with_context(tz="UTC").browse(line.id * 2)
        self.assertEqual(utc.date, datetime.date(YEAR, 3, 31))

    def test_currency_converted_to_company_currency(self):
        currency = self.env["res.currency"].create(
            {"name": "PTO", "symbol": "P", "rate_ids": [Command.create({"rate": 4.0})]}
        )
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor_large.id,
                "currency_id": currency.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.laptop.id, "product_qty": 1, "price_unit": 800.0}
                    )
                ],
            }
        )
        order.button_confirm()
        self.env.flush_all()
        self.assertEqual(self.Report.browse(order.order_line.id * 2).amount, 200.0)

    def test_ratio_measures_are_weighted(self):
        domain = [("company_id", "=", self.company.id), ("family_id", "=", self.family_it.id)]
        [(share, local_share, coverage, total, sme)] = self.Report._read_group(
            domain, [], ["sme_share:avg", "local_sme_share:avg", "coverage:avg",
                         "amount:sum", "sme_amount:sum"]
        )  # fmt: skip
        it_total = self.expected(self.family_it)
        it_sme = self.expected(self.family_it, lambda vendor: vendor.pareto_is_sme)
        self.assertAlmostEqual(total, it_total)
        self.assertAlmostEqual(sme, it_sme)
        self.assertAlmostEqual(share, it_sme * 100.0 / it_total)
        self.assertAlmostEqual(local_share, 2000.0 * 100.0 / it_total)
        known = self.expected(self.family_it, lambda vendor: bool(vendor.pareto_size))
        self.assertAlmostEqual(coverage, known * 100.0 / it_total)

    def test_pivot_family_by_size(self):
        groups = self.Report.formatted_read_group(
            [*self.in_year, ("company_id", "=", self.company.id)],
            ["family_id", "pareto_size"],
            ["amount:sum"],
        )
        cells = {
            (group["family_id"] and group["family_id"][0], group["pareto_size"]): group[
                "amount:sum"
            ]
            for group in groups
        }
        self.assertEqual(cells[(self.family_it.id, "large")], 8000.0)
        self.assertEqual(cells[(self.family_it.id, "small")], 2000.0)
        self.assertEqual(cells[(self.family_it.id, False)], 400.0)
        self.assertEqual(cells[(False, False)], 300.0)

    def test_radius_makes_a_far_vendor_local(self):
        self.company.partner_id.write({"partner_latitude": 48.87, "partner_longitude": 2.31})
        self.vendor_micro_far.write({"partner_latitude": 45.76, "partner_longitude": 4.84})
        local = [("partner_id", "=", self.vendor_micro_far.id), ("is_local", "=", True)]
        self.assertFalse(self.Report.search_count(local))
        self.company.pareto_local_radius_km = 350.0  # Paris-Lyon: about 390 km
        self.assertFalse(self.Report.search_count(local))
        self.company.pareto_local_radius_km = 450.0
        self.assertEqual(self.Report.search_count(local), 2)

    def test_current_period_filter(self):
        with patch.object(
            type(self.env["res.company"]),
            "_pareto_period_bounds",
            lambda self, day=None, period=None: (
                datetime.date(YEAR, 1, 1),
                datetime.date(YEAR, 12, 31),
            ),
        ):
            current = self.Report.search([("in_current_period", "=", True)])
            self.assertEqual(current, self.Report.search(self.in_year))
            self.assertTrue(current)
        # With the real period (this year), the lines of YEAR are out of it.
        fixture = [("order_id", "in", self.orders.ids)]
        self.assertFalse(self.Report.search([*fixture, ("in_current_period", "=", True)]))
        self.assertEqual(
            self.Report.search([*fixture, ("in_current_period", "=", False)]),
            self.Report.search(fixture),
        )

    def test_buyers_see_only_their_companies(self):
        buyer_report = self.Report.with_user(self.buyer)
        rows = buyer_report.search(self.in_year)
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company)
        self.assertAlmostEqual(
            buyer_report._read_group(self.in_year, [], ["amount:sum"])[0][0], self.expected()
        )
        # Even asked for explicitly, the other company's lines stay hidden.
        self.assertFalse(buyer_report.search([("company_id", "=", self.company_2.id)]))
        with self.assertRaises(AccessError):
            buyer_report.with_context(
                allowed_company_ids=[self.company.id, self.company_2.id]
            ).search([("company_id", "=", self.company_2.id)])
        # A manager of both companies sees both when both are selected.
        manager_report = self.Report.with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id, self.company_2.id]
        )
        self.assertEqual(
            manager_report.search(self.in_year).company_id, self.company | self.company_2
        )
        self.assertAlmostEqual(
            manager_report._read_group(self.in_year, [], ["amount:sum"])[0][0],
            self.expected() + 700.0,
        )


@tagged("post_install", "-at_install")
class TestPivotGroupingSets(SpendCase):
    def test_grouping_sets_match_postgresql(self):
        """The pivot's grouping sets, merged from one query, equal PostgreSQL's
        GROUPING SETS (the standard implementation), order included."""
        sets = [[], ["family_id"], ["pareto_size"], ["family_id", "pareto_size"], ["is_local"]]
        aggregates = ["amount:sum", "__count", "sme_share:avg", "coverage:avg", "amount:max"]
        domain = [("company_id", "in", (self.company | self.company_2).ids)]
        orders = [
            None,  # the default: raw values
            "family_id, pareto_size, is_local",  # what the web client sends
            "pareto_size DESC, family_id DESC, is_local DESC",
        ]
        for order in orders:
            # One _read_group query, not PostgreSQL's grouping sets.
            with patch.object(BaseModel, "_read_grouping_sets", side_effect=AssertionError):
                merged = self.Report._read_grouping_sets(domain, sets, aggregates, order=order)
            standard = self.standard_grouping_sets(domain, sets, aggregates, order=order)
            self.assertEqual(len(merged), len(sets))
            self.assertGreater(len(merged[3]), 4)
            self.assert_same_groups(sets, merged, standard, order)
        # What the web client's pivot calls gives the same through both paths.
        web = self.Report.formatted_read_grouping_sets(domain, sets[1:4], ["amount:sum"])
        standard = self.standard_grouping_sets(
            domain, sets[1:4], ["amount:sum"], order="family_id, pareto_size"
        )
        for groups, rows in zip(web, standard, strict=True):
            self.assertEqual(
                [round(group["amount:sum"], 2) for group in groups],
                [round(row[-1], 2) for row in rows],
            )

    def standard_grouping_sets(self, *args, **kwargs):
        """PostgreSQL's GROUPING SETS: the ORM's implementation."""
        return BaseModel._read_grouping_sets(self.Report, *args, **kwargs)

    def assert_same_groups(self, sets, merged, standard, order):
        for grouping, got, want in zip(sets, merged, standard, strict=True):
            with self.subTest(grouping=grouping, order=order):
                self.assertEqual(
                    [g[: len(grouping)] for g in got], [w[: len(grouping)] for w in want]
                )
                for got_row, want_row in zip(got, want, strict=True):
                    for got_value, want_value in zip(
                        got_row[len(grouping) :], want_row[len(grouping) :], strict=True
                    ):
                        self.assertAlmostEqual(got_value, want_value)

    def test_other_aggregates_use_the_standard_path(self):
        with patch.object(type(self.Report), "_read_group", side_effect=AssertionError):
            # count_distinct cannot be merged: one GROUPING SETS query, no _read_group.
            result = self.Report._read_grouping_sets(
                self.in_year, [["family_id"], []], ["partner_id:count_distinct"]
            )
        self.assertEqual(result[1][0][0], 4)  # the four vendors with spend
