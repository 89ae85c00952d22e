import datetime

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..engine import compliance
from .common import ParetoCase

DESIGN_KEYS = {
    "family_id",
    "family_name",
    "target",
    "period_start",
    "period_end",
    "total",
    "sme_total",
    "share",
    "projected_total",
    "projected_sme_total",
    "projected_share",
    "shift_amount",
    "status",
}


class ComplianceCase(ParetoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "pareto_period": compliance.CALENDAR_YEAR,
                "pareto_warning_margin": 5.0,
                "pareto_require_justification": False,
            }
        )
        cls.vendor_excluded = cls.env["res.partner"].create(
            {"name": "Filiale Interne", "is_company": True, "pareto_size": "small"}
        )
        cls.vendor_excluded.pareto_excluded = True
        cls.contact_small = cls.env["res.partner"].create(
            {"name": "Jeanne Atelier", "parent_id": cls.vendor_small_local.id}
        )

    @classmethod
    def _confirmed(cls, vendor, lines, when=None, company=None, currency=None):
        """A confirmed order, confirmed at ``when`` (naive UTC datetime)."""
        order = cls._create_order(vendor, lines, company=company, confirm=False)
        if currency:
            order.currency_id = currency
        order.with_context(pareto_skip_warning=True).button_confirm()
        if when:
            order.date_approve = when
        return order

    @staticmethod
    def _by_family(figures):
        return {row["family_id"]: row for row in figures}

    def _spend_rows(self):
        """The family aggregate as readers see it (merged rows plus the
        changes not merged yet), then the vendor aggregate likewise."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT company_id, family_id, day, source,
                          ROUND(SUM(total), 4), ROUND(SUM(sme_total), 4)
                     FROM (SELECT company_id, family_id, day, source, total, sme_total
                             FROM pareto_spend_daily
                            UNION ALL
                           SELECT company_id, family_id, day, source, total, sme_total
                             FROM pareto_spend_delta WHERE family_id IS NOT NULL) rows
                    GROUP BY 1, 2, 3, 4
                   HAVING ROUND(SUM(total), 4) != 0 OR ROUND(SUM(sme_total), 4) != 0
                    ORDER BY 1, 2, 3, 4"""
            )
        )
        families = self.env.cr.fetchall()
        self.env.cr.execute(
            SQL(
                """SELECT company_id, family_id, partner_id, day, source, ROUND(SUM(amount), 4)
                     FROM (SELECT company_id, family_id, partner_id, day, source, amount
                             FROM pareto_spend_vendor
                            UNION ALL
                           SELECT company_id, family_id, partner_id, day, source, amount
                             FROM pareto_spend_delta) rows
                    GROUP BY 1, 2, 3, 4, 5
                   HAVING ROUND(SUM(amount), 4) != 0
                    ORDER BY 1, 2, 3, 4, 5"""
            )
        )
        return families, self.env.cr.fetchall()


@tagged("post_install", "-at_install")
class TestCompliance(ComplianceCase):
    def test_figures_and_keys(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 3, 100.0)])
        self._confirmed(self.vendor_large, [(self.laptop, 7, 100.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 1000.0)], confirm=False)

        figures = order.get_pareto_compliance()
        self.assertEqual(len(figures), 1)
        row = figures[0]
        self.assertEqual(set(row), DESIGN_KEYS)
        today = fields.Date.context_today(order)
        self.assertEqual(row["period_start"], datetime.date(today.year, 1, 1))
        self.assertEqual(row["period_end"], datetime.date(today.year, 12, 31))
        self.assertEqual(row["family_id"], self.family_it.id)
        self.assertEqual(row["family_name"], "IT")
        self.assertEqual(row["target"], 20.0)
        self.assertAlmostEqual(row["total"], 1000.0)
        self.assertAlmostEqual(row["sme_total"], 300.0)
        self.assertAlmostEqual(row["share"], 30.0)
        self.assertAlmostEqual(row["projected_total"], 2000.0)
        self.assertAlmostEqual(row["projected_sme_total"], 300.0)
        self.assertAlmostEqual(row["projected_share"], 15.0)
        # 20% of 2000 - 300
        self.assertAlmostEqual(row["shift_amount"], 100.0)
        # 15% is within the 5-point margin below the 20% target.
        self.assertEqual(row["status"], compliance.WARNING)

        order.order_line.price_unit = 1500.0
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["projected_share"], 300.0 / 2500.0 * 100.0)
        self.assertEqual(row["status"], compliance.BELOW)

        # An SME vendor raises the projected share.
        order.partner_id = self.vendor_micro_far
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["projected_sme_total"], 1800.0)
        self.assertEqual(row["status"], compliance.OK)
        self.assertEqual(row["shift_amount"], 0.0)

    def test_confirmed_order_is_excluded_from_total_and_projected(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 400.0)])
        order = self._confirmed(self.vendor_large, [(self.laptop, 1, 600.0)])
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 400.0)
        self.assertAlmostEqual(row["sme_total"], 400.0)
        self.assertAlmostEqual(row["projected_total"], 1000.0)
        self.assertAlmostEqual(row["projected_share"], 40.0)
        self.assertEqual(row["period_start"].year, order.date_approve.year)

    def test_contact_of_sme_vendor_counts_as_sme(self):
        self._confirmed(self.contact_small, [(self.laptop, 1, 250.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 750.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["sme_total"], 250.0)
        self.assertAlmostEqual(row["projected_share"], 25.0)

    def test_one_row_per_family_of_the_line(self):
        self._confirmed(self.vendor_small_local, [(self.cleaning, 1, 100.0)])
        order = self._create_order(
            self.vendor_large,
            [(self.laptop, 1, 100.0), (self.licence, 2, 50.0), (self.cleaning, 1, 300.0)],
            confirm=False,
        )
        rows = self._by_family(order.get_pareto_compliance())
        # Software is a child of IT: compliance is on the line's own family.
        self.assertEqual(
            set(rows), {self.family_it.id, self.family_software.id, self.family_facility.id}
        )
        self.assertAlmostEqual(rows[self.family_it.id]["projected_total"], 100.0)
        self.assertAlmostEqual(rows[self.family_software.id]["projected_total"], 100.0)
        facility = rows[self.family_facility.id]
        self.assertEqual(facility["target"], 30.0)
        self.assertAlmostEqual(facility["projected_share"], 25.0)
        self.assertEqual(facility["status"], compliance.WARNING)
        self.assertEqual(rows[self.family_it.id]["family_name"], "IT")
        self.assertEqual(rows[self.family_software.id]["family_name"], "IT / Software")

    def test_lines_without_family_sections_and_notes(self):
        order = self._create_order(self.vendor_large, [(self.misc, 1, 100.0)], confirm=False)
        self.assertEqual(order.get_pareto_compliance(), [])
        self.assertFalse(order.pareto_compliance)
        self.assertFalse(order.pareto_status)
        order.order_line = [
            Command.create({"display_type": "line_section", "name": "Hardware", "product_qty": 0}),
            Command.create(
                {"display_type": "line_note", "name": "Deliver on Monday", "product_qty": 0}
            ),
            Command.create({"product_id": self.laptop.id, "product_qty": 1, "price_unit": 80.0}),
        ]
        rows = order.get_pareto_compliance()
        self.assertEqual([row["family_id"] for row in rows], [self.family_it.id])
        self.assertAlmostEqual(rows[0]["projected_total"], 80.0)
        order.with_context(pareto_skip_warning=True).button_confirm()
        # Once confirmed, only the family line is spend for the other orders.
        other = self._create_order(self.vendor_large, [(self.laptop, 1, 20.0)], confirm=False)
        self.assertAlmostEqual(other.get_pareto_compliance()[0]["total"], 80.0)

    def test_down_payment_is_not_spend(self):
        order = self._confirmed(self.vendor_large, [(self.laptop, 1, 100.0)])
        order.order_line = [
            Command.create(
                {
                    "name": "Down payment",
                    "is_downpayment": True,
                    "product_id": self.laptop.id,
                    "product_qty": 0,
                    "price_unit": 500.0,
                }
            )
        ]
        other = self._create_order(self.vendor_large, [(self.laptop, 1, 1.0)], confirm=False)
        self.assertAlmostEqual(other.get_pareto_compliance()[0]["total"], 100.0)

    def test_zero_totals(self):
        order = self._create_order(self.vendor_large, [(self.cleaning, 1, 0.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertEqual(row["total"], 0.0)
        self.assertIsNone(row["share"])
        self.assertIsNone(row["projected_share"])
        self.assertEqual(row["shift_amount"], 0.0)
        self.assertEqual(row["status"], compliance.OK)
        self.assertEqual(order.pareto_status, compliance.OK)

    def test_cancelled_orders_are_ignored(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        cancelled = self._confirmed(self.vendor_large, [(self.laptop, 1, 900.0)])
        cancelled.button_cancel()
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        self.assertAlmostEqual(row["share"], 100.0)
        # A cancelled order adds nothing to its own projection either.
        row = cancelled.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        self.assertAlmostEqual(row["projected_total"], 100.0)
        self.assertFalse(cancelled.pareto_status)

    def test_excluded_vendors_are_left_out(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        self._confirmed(self.vendor_excluded, [(self.laptop, 1, 5000.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        intra_group = self._create_order(
            self.vendor_excluded, [(self.laptop, 1, 100.0)], confirm=False
        )
        row = intra_group.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["projected_total"], row["total"])
        # Flagging a vendor moves its past spend out of the shares at once.
        self.vendor_large.pareto_excluded = True
        self._confirmed(self.vendor_large, [(self.laptop, 1, 300.0)])
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        self.assertAlmostEqual(row["projected_total"], 100.0)

    def test_vendor_size_change_moves_past_spend(self):
        self._confirmed(self.vendor_unknown, [(self.laptop, 1, 400.0)])
        self._confirmed(self.vendor_large, [(self.laptop, 1, 600.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 1.0)], confirm=False)
        self.assertAlmostEqual(order.get_pareto_compliance()[0]["sme_total"], 0.0)
        self.vendor_unknown.pareto_size = "micro"
        self.assertAlmostEqual(order.get_pareto_compliance()[0]["sme_total"], 400.0)
        # A contact moved to another company takes the new company's size.
        contact = self.env["res.partner"].create(
            {"name": "Paul", "parent_id": self.vendor_large.id}
        )
        self._confirmed(contact, [(self.laptop, 1, 50.0)])
        self.assertAlmostEqual(order.get_pareto_compliance()[0]["sme_total"], 400.0)
        contact.parent_id = self.vendor_small_local
        self.assertAlmostEqual(order.get_pareto_compliance()[0]["sme_total"], 450.0)

    def test_other_currency(self):
        currency = self.env["res.currency"].create(
            {"name": "PRT", "symbol": "P", "rounding": 0.01, "active": True}
        )
        today = fields.Date.today()
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": currency.id,
                    "name": today - datetime.timedelta(days=400),
                    "rate": 2.0,
                },
                # From two days ago: "today" in any timezone.
                {
                    "currency_id": currency.id,
                    "name": today - datetime.timedelta(days=2),
                    "rate": 4.0,
                },
            ]
        )
        # Confirmed: the order's own rate (of its order date), as amount_total_cc.
        confirmed = self._create_order(
            self.vendor_small_local, [(self.laptop, 1, 800.0)], confirm=False
        )
        confirmed.write(
            {
                "currency_id": currency.id,
                "date_order": fields.Datetime.now() - datetime.timedelta(days=30),
            }
        )
        confirmed.with_context(pareto_skip_warning=True).button_confirm()
        self.assertAlmostEqual(confirmed.currency_rate, 2.0)
        draft = self._create_order(self.vendor_large, [(self.laptop, 1, 400.0)], confirm=False)
        draft.currency_id = currency
        row = draft.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 400.0)
        self.assertAlmostEqual(row["sme_total"], 400.0)
        # Draft: Odoo's rate of today (the spend date).
        self.assertAlmostEqual(row["projected_total"], 500.0)
        self.assertAlmostEqual(row["projected_share"], 80.0)

    def test_multi_company_isolation(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 700.0)], company=self.company_2)
        self._confirmed(self.vendor_large, [(self.laptop, 1, 100.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        row = order.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        self.assertAlmostEqual(row["sme_total"], 0.0)
        order_2 = self._create_order(
            self.vendor_large, [(self.laptop, 1, 300.0)], company=self.company_2, confirm=False
        )
        row = order_2.get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 700.0)
        self.assertAlmostEqual(row["sme_total"], 700.0)
        self.assertAlmostEqual(row["projected_share"], 70.0)
        # Each company's own period setting.
        self.company_2.pareto_period = compliance.ROLLING_12
        today = fields.Date.context_today(order_2)
        self.assertEqual(order_2.get_pareto_compliance()[0]["period_end"], today)
        self.assertEqual(
            order.get_pareto_compliance()[0]["period_end"], datetime.date(today.year, 12, 31)
        )

    def test_buyer_never_sees_another_company(self):
        self._confirmed(self.vendor_large, [(self.laptop, 1, 100.0)])
        order_2 = self._create_order(
            self.vendor_large, [(self.laptop, 1, 300.0)], company=self.company_2, confirm=False
        )
        with self.assertRaises(AccessError):
            order_2.with_user(self.buyer).get_pareto_compliance()
        # Not even through the form's onchange with a forged company.
        values = {
            "partner_id": self.vendor_large.id,
            "company_id": self.company_2.id,
            "order_line": [
                Command.create({"product_id": self.laptop.id, "product_qty": 1, "price_unit": 10.0})
            ],
        }
        Order = self.env["purchase.order"].with_user(self.buyer)
        self.assertFalse(Order.new(values).pareto_compliance)
        with self.assertRaises(AccessError):
            # (built inside: assertRaises clears the cache of new records)
            Order.new(values).get_pareto_compliance()
        # Their own company's figures, without company 2's spend.
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        row = order.with_user(self.buyer).get_pareto_compliance()[0]
        self.assertAlmostEqual(row["total"], 100.0)
        self.assertTrue(order.with_user(self.buyer).pareto_compliance["families"])


@tagged("post_install", "-at_install")
class TestCompliancePeriods(ComplianceCase):
    """Period boundaries, in the user's timezone (Paris: UTC+1 in winter)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.paris = cls.env(context=dict(cls.env.context, tz="Europe/Paris"))
        dt = datetime.datetime
        # Confirmed at (UTC) -> local date in Paris:
        cls.spend = {
            "2024-12-31 in Paris": (dt(2024, 12, 31, 22, 30), 1.0),
            "2025-01-01 in Paris, 2024-12-31 in UTC": (dt(2024, 12, 31, 23, 30), 2.0),
            "2025-03-31": (dt(2025, 3, 31, 10, 0), 4.0),
            "2025-04-01": (dt(2025, 4, 1, 10, 0), 8.0),
            "2025-06-15": (dt(2025, 6, 15, 10, 0), 16.0),
            "2025-06-16": (dt(2025, 6, 16, 10, 0), 32.0),
            "2025-12-31 in Paris": (dt(2025, 12, 31, 22, 30), 64.0),
            "2026-01-01 in Paris, 2025-12-31 in UTC": (dt(2025, 12, 31, 23, 30), 128.0),
        }
        for when, amount in cls.spend.values():
            cls._confirmed(cls.vendor_large, [(cls.cleaning, 1, amount)], when=when)
        # The order whose compliance is asked, confirmed on 2025-06-15 (Paris).
        cls.order = cls._confirmed(
            cls.vendor_large, [(cls.cleaning, 1, 1000.0)], when=dt(2025, 6, 15, 12, 0)
        )

    def _row(self, env=None):
        order = self.order.with_env(env or self.paris)
        return order.get_pareto_compliance()[0]

    def _sum(self, first, last):
        """The spend confirmed from ``first`` to ``last`` (keys of ``spend``)."""
        keys = list(self.spend)
        return sum(self.spend[key][1] for key in keys[keys.index(first) : keys.index(last) + 1])

    def _assert_period(self, period, spend):
        """The order's period is ``period`` (start, end) and its total the
        spend from the first key of ``spend`` to the second; returns the row."""
        row = self._row()
        self.assertEqual((row["period_start"], row["period_end"]), period)
        self.assertAlmostEqual(row["total"], self._sum(*spend))
        return row

    def test_calendar_year_in_user_timezone(self):
        row = self._assert_period(
            (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
            ("2025-01-01 in Paris, 2024-12-31 in UTC", "2025-12-31 in Paris"),
        )
        self.assertAlmostEqual(row["projected_total"], row["total"] + 1000.0)

    def test_calendar_year_in_utc(self):
        utc = self.env(context=dict(self.env.context, tz="UTC"))
        row = self._row(utc)
        expected = self._sum("2025-03-31", "2026-01-01 in Paris, 2025-12-31 in UTC")
        self.assertAlmostEqual(row["total"], expected)

    def test_fiscal_year(self):
        # Fiscal year from 1 April to 31 March.
        self.company.write(
            {
                "pareto_period": compliance.FISCAL_YEAR,
                "fiscalyear_last_month": "3",
                "fiscalyear_last_day": 31,
            }
        )
        self._assert_period(
            (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
            ("2025-04-01", "2026-01-01 in Paris, 2025-12-31 in UTC"),
        )

    def test_rolling_12_months(self):
        self.company.pareto_period = compliance.ROLLING_12
        self._assert_period(
            (datetime.date(2024, 6, 16), datetime.date(2025, 6, 15)),
            ("2024-12-31 in Paris", "2025-06-15"),
        )

    def test_draft_order_is_dated_today(self):
        draft = self._create_order(self.vendor_large, [(self.cleaning, 1, 5.0)], confirm=False)
        today = fields.Date.context_today(draft.with_env(self.paris))
        row = draft.with_env(self.paris).get_pareto_compliance()[0]
        self.assertEqual(row["period_start"], datetime.date(today.year, 1, 1))


@tagged("post_install", "-at_install")
class TestSpendAggregate(ComplianceCase):
    """The daily aggregate that the triggers maintain equals a recomputation
    from the lines after every kind of change."""

    def assertAggregateExact(self):
        maintained = self._spend_rows()
        # Merging the change log moves nothing; a rebuild from the lines
        # finds the same figures.
        self.env["pareto.spend.delta"]._merge()
        self.assertEqual(maintained, self._spend_rows())
        self.assertFalse(self.env["pareto.spend.delta"].search_count([]))
        history = self.assertHistoryExact()
        self.env["pareto.spend.delta"]._rebuild()
        self.assertEqual(maintained, self._spend_rows())
        self.assertEqual(history, self.assertHistoryExact())
        return maintained

    def assertHistoryExact(self):
        """The history snapshot, kept by the same merges, equals the vendor
        aggregate's sum from its first day on (the change log merged)."""
        since = self.env["pareto.spend.history"]._since()
        self.assertTrue(since, "the snapshot is filled at install")
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT company_id, source, family_id, partner_id, ROUND(amount, 4)
                     FROM pareto_spend_history WHERE ROUND(amount, 4) != 0 ORDER BY 1, 2, 3, 4"""
            )
        )
        snapshot = cr.fetchall()
        cr.execute(
            SQL(
                """SELECT company_id, source, family_id, partner_id, ROUND(SUM(amount), 4)
                     FROM pareto_spend_vendor WHERE family_id IS NOT NULL AND day >= %s
                    GROUP BY 1, 2, 3, 4 HAVING ROUND(SUM(amount), 4) != 0 ORDER BY 1, 2, 3, 4""",
                since,
            )
        )
        self.assertEqual(snapshot, cr.fetchall())
        return snapshot

    def test_triggers_keep_the_aggregate_exact(self):
        self._change_everything()

    def test_triggers_keep_the_aggregate_exact_in_bulk(self):
        # The plans for bulk changes (hash joins), on every statement.
        self.env["pareto.spend.delta"]._create_functions(bulk_rows=0)
        self._change_everything()
        # A set-based load of many lines, as an import or datagen does.
        order = self._confirmed(self.vendor_small_local, [(self.laptop, 1, 10.0)])
        before = sum(row[4] for row in self.assertAggregateExact()[0])
        self.env.cr.execute(
            SQL(
                """SELECT column_name FROM information_schema.columns
                    WHERE table_name = 'purchase_order_line' AND column_name != 'id'"""
            )
        )
        columns = SQL(", ").join(SQL.identifier(name) for (name,) in self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """INSERT INTO purchase_order_line (%(columns)s)
                   SELECT %(columns)s FROM purchase_order_line, generate_series(1, 50)
                    WHERE order_id = %(order)s""",
                columns=columns,
                order=order.id,
            )
        )
        self.env.invalidate_all()
        self.assertEqual(sum(row[4] for row in self.assertAggregateExact()[0]), before + 500)
        self.env.cr.execute(
            SQL(
                "UPDATE purchase_order_line SET price_subtotal = price_subtotal * 3 "
                "WHERE order_id = %s",
                order.id,
            )
        )
        self.env.invalidate_all()
        self.assertEqual(sum(row[4] for row in self.assertAggregateExact()[0]), before + 1520)
        self.env.cr.execute(
            SQL(
                "DELETE FROM purchase_order_line WHERE order_id = %s AND id != %s",
                order.id,
                min(order.order_line.ids),
            )
        )
        self.env.invalidate_all()
        self.assertEqual(sum(row[4] for row in self.assertAggregateExact()[0]), before + 20)

    def _change_everything(self):
        currency = self.env["res.currency"].create(
            {"name": "PRU", "symbol": "U", "rounding": 0.01, "active": True}
        )
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "name": "2020-01-01", "rate": 3.0}
        )
        order_1 = self._confirmed(
            self.vendor_small_local, [(self.laptop, 2, 100.0), (self.cleaning, 1, 50.0)]
        )
        order_2 = self._confirmed(self.vendor_large, [(self.laptop, 1, 300.0)])
        order_3 = self._confirmed(
            self.vendor_micro_far,
            [(self.licence, 1, 90.0)],
            company=self.company_2,
            currency=currency,
        )
        rows = self.assertAggregateExact()
        self.assertTrue(rows[0])
        # Line changes on a confirmed order, a new line, a deleted line.
        order_1.order_line[0].price_unit = 120.0
        order_2.order_line = [
            Command.create({"product_id": self.cleaning.id, "product_qty": 3, "price_unit": 7.0})
        ]
        self.assertAggregateExact()
        # Confirmation date, vendor, classification, exclusion.
        order_2.date_approve = datetime.datetime(2024, 2, 29, 23, 59)
        order_1.partner_id = self.vendor_unknown
        self.vendor_unknown.pareto_size = "medium"
        self.vendor_micro_far.pareto_excluded = True
        self.assertAggregateExact()
        # Family mappings changed in one SQL statement.
        self.categ_cleaning.pareto_family_id = self.family_it
        self.laptop.product_tmpl_id.pareto_family_id = self.family_software
        self.assertAggregateExact()
        # Cancel, back to draft, delete.
        order_2.button_cancel()
        self.assertAggregateExact()
        order_2.unlink()
        order_3.button_cancel()
        order_3.button_draft()
        order_3.with_context(pareto_skip_warning=True).button_confirm()
        self.assertAggregateExact()
        # A deleted family takes its spend with it.
        self.family_facility.unlink()
        self.assertAggregateExact()
        # Deleting a confirmed order in SQL (as a purge would).
        self.env.cr.execute(SQL("DELETE FROM purchase_order WHERE id = %s", order_1.id))
        self.assertAggregateExact()

    def test_query_count_does_not_depend_on_spend(self):
        order = self._create_order(
            self.vendor_large,
            [(self.laptop, 1, 10.0), (self.cleaning, 1, 10.0), (self.licence, 1, 10.0)],
            confirm=False,
        )
        self._confirmed(self.vendor_large, [(self.laptop, 1, 1.0)])
        self.env.flush_all()
        order.invalidate_recordset()
        before = self.env.cr.sql_log_count
        order.get_pareto_compliance()
        few = self.env.cr.sql_log_count - before
        for _index in range(20):
            self._confirmed(
                self.vendor_small_local, [(self.laptop, 1, 1.0), (self.cleaning, 1, 1.0)]
            )
        self.env.flush_all()
        order.invalidate_recordset()
        before = self.env.cr.sql_log_count
        rows = order.get_pareto_compliance()
        self.assertEqual(self.env.cr.sql_log_count - before, few)
        self.assertAlmostEqual(self._by_family(rows)[self.family_it.id]["sme_total"], 20.0)


@tagged("post_install", "-at_install")
class TestComplianceOnOrders(ComplianceCase):
    """The form's live figures, the list status and the confirmation warning."""

    def test_form_figures_update_before_saving(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        with Form(self.env["purchase.order"].with_user(self.buyer)) as form:
            form.partner_id = self.vendor_large
            self.assertFalse(form.pareto_compliance)
            with form.order_line.new() as line:
                line.product_id = self.laptop
                line.product_qty = 1
                line.price_unit = 300.0
            data = form.pareto_compliance
            self.assertEqual(len(data["families"]), 1)
            row = data["families"][0]
            self.assertAlmostEqual(row["projected_share"], 25.0)
            self.assertAlmostEqual(row["order_total"], 300.0)
            self.assertEqual(row["status"], compliance.OK)
            self.assertFalse(data["vendor_is_sme"])
            self.assertFalse(data["warning"])
            with form.order_line.edit(0) as line:
                line.price_unit = 900.0
            row = form.pareto_compliance["families"][0]
            self.assertAlmostEqual(row["projected_share"], 10.0)
            self.assertEqual(row["status"], compliance.BELOW)
            self.assertTrue(form.pareto_compliance["warning"])
            form.partner_id = self.vendor_micro_far
            self.assertTrue(form.pareto_compliance["vendor_is_sme"])
            self.assertEqual(form.pareto_compliance["families"][0]["status"], compliance.OK)
        order = form.record
        self.assertEqual(order.pareto_status, compliance.OK)

    def test_list_status_and_below_target_filter(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        below = self._create_order(self.vendor_large, [(self.laptop, 1, 900.0)], confirm=False)
        warning = self._create_order(self.vendor_large, [(self.laptop, 1, 450.0)], confirm=False)
        ok = self._create_order(
            self.vendor_large, [(self.laptop, 1, 100.0), (self.misc, 1, 5000.0)], confirm=False
        )
        worst = self._create_order(
            self.vendor_large, [(self.laptop, 1, 100.0), (self.cleaning, 1, 10.0)], confirm=False
        )
        nothing = self._create_order(self.vendor_large, [(self.misc, 1, 10.0)], confirm=False)
        self.assertEqual(below.pareto_status, compliance.BELOW)
        # 100 / 550 = 18.2%: within 5 points of 20%.
        self.assertEqual(warning.pareto_status, compliance.WARNING)
        self.assertEqual(ok.pareto_status, compliance.OK)
        # IT is fine, facility services has no SME spend at all.
        self.assertEqual(worst.pareto_status, compliance.BELOW)
        self.assertFalse(nothing.pareto_status)
        found = self.env["purchase.order"].search([("pareto_status", "=", compliance.BELOW)])
        self.assertEqual(
            found & (below | warning | ok | worst | nothing), below | worst, "Below target filter"
        )
        # Editing the order refreshes its status.
        below.order_line.price_unit = 100.0
        self.assertEqual(below.pareto_status, compliance.OK)
        # Other orders move it: the nightly refresh catches up.
        self._confirmed(self.vendor_large, [(self.laptop, 1, 5000.0)])
        self.env["purchase.order"]._cron_pareto_refresh_status()
        self.assertEqual(below.pareto_status, compliance.BELOW)
        self.assertEqual(ok.pareto_status, compliance.BELOW)

    def _confirm_from_form(self, order):
        return (
            order.with_user(self.buyer).with_context(pareto_check_compliance=True).button_confirm()
        )

    def test_warning_on_confirmation(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 900.0)], confirm=False)
        action = self._confirm_from_form(order)
        self.assertEqual(action["res_model"], "pareto.confirm.warning")
        self.assertEqual(order.state, "draft", "not confirmed before the buyer answers")
        wizard = self.env["pareto.confirm.warning"].with_user(self.buyer).browse(action["res_id"])
        self.assertFalse(wizard.justification_required)
        self.assertIn("IT", wizard.summary)
        messages = order.message_ids
        # Non-blocking: confirm anyway, without a justification.
        wizard.action_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertFalse(order.pareto_justification)
        note = order.message_ids - messages
        self.assertTrue(any("below target" in (message.body or "") for message in note))

    def test_no_warning_when_not_applicable(self):
        self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        # An SME vendor raises the share.
        sme_order = self._create_order(
            self.vendor_micro_far, [(self.laptop, 1, 900.0)], confirm=False
        )
        self.assertIs(self._confirm_from_form(sme_order), True)
        self.assertEqual(sme_order.state, "purchase")
        # The family stays on target with this order.
        small = self._create_order(self.vendor_large, [(self.laptop, 1, 100.0)], confirm=False)
        self.assertIs(self._confirm_from_form(small), True)
        # Excluded vendors are out of the shares.
        intra = self._create_order(self.vendor_excluded, [(self.laptop, 1, 9e5)], confirm=False)
        self.assertIs(self._confirm_from_form(intra), True)
        # Within the warning margin: warned in the widget, not on confirmation.
        # SME spend 100 + 900, other spend 100: 1000 / (1100 + 4500) = 17.9%.
        near = self._create_order(self.vendor_large, [(self.laptop, 1, 4500.0)], confirm=False)
        self.assertEqual(near.pareto_status, compliance.WARNING)
        self.assertIs(self._confirm_from_form(near), True)
        # No family at all.
        misc = self._create_order(self.vendor_large, [(self.misc, 1, 100.0)], confirm=False)
        self.assertIs(self._confirm_from_form(misc), True)

    def test_justification_required_by_the_company(self):
        self.company.pareto_require_justification = True
        order = self._create_order(self.vendor_large, [(self.cleaning, 1, 900.0)], confirm=False)
        action = self._confirm_from_form(order)
        wizard = self.env["pareto.confirm.warning"].with_user(self.buyer).browse(action["res_id"])
        self.assertTrue(wizard.justification_required)
        wizard.justification = "   "
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(order.state, "draft")
        wizard.justification = "Only this vendor holds the cleaning certification."
        wizard.action_confirm()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(
            order.pareto_justification, "Only this vendor holds the cleaning certification."
        )
        self.assertTrue(
            any(
                "Only this vendor holds the cleaning certification." in (message.body or "")
                for message in order.message_ids
            )
        )
        # Available to reports: a stored, searchable field.
        self.assertIn(
            order,
            self.env["purchase.order"].search([("pareto_justification", "!=", False)]),
        )

    def test_confirming_from_code(self):
        # Without the form's request, orders confirm as before, several at once.
        orders = self._create_order(
            self.vendor_large, [(self.cleaning, 1, 900.0)], confirm=False
        ) | self._create_order(self.vendor_unknown, [(self.laptop, 1, 900.0)], confirm=False)
        self.assertIs(orders.button_confirm(), True)
        self.assertEqual(set(orders.mapped("state")), {"purchase"})
        # ... unless the company requires a justification that is missing.
        self.company.pareto_require_justification = True
        order = self._create_order(self.vendor_large, [(self.cleaning, 1, 900.0)], confirm=False)
        with self.assertRaises(UserError):
            order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "draft")
        order.sudo().pareto_justification = "Framework agreement signed in 2023."
        order.with_user(self.buyer).button_confirm()
        self.assertEqual(order.state, "purchase")
