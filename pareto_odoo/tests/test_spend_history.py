import datetime

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..tools.spend import window_start
from .test_compliance import ComplianceCase


@tagged("post_install", "-at_install")
class TestSpendHistory(ComplianceCase):
    """``pareto.spend.history``, the spend over the suggestions' 24 months:
    the nightly slide, the readers' correction for the days between its
    first day and theirs, and the changes not merged yet."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.History = cls.env["pareto.spend.history"]
        cls.since = cls.History._since()
        # Spend on both sides of the days the slide below removes.
        cls.early = cls._confirmed(
            cls.vendor_small_local,
            [(cls.laptop, 1, 700.0)],
            when=datetime.datetime.combine(
                cls.since + datetime.timedelta(days=3), datetime.time(9)
            ),
        )
        cls.later = cls._confirmed(
            cls.vendor_small_local,
            [(cls.laptop, 1, 40.0), (cls.cleaning, 1, 5.0)],
            when=datetime.datetime.combine(
                cls.since + datetime.timedelta(days=40), datetime.time(9)
            ),
        )
        cls.env.flush_all()
        cls.env["pareto.spend.delta"]._merge()

    def _snapshot(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT company_id, source, family_id, partner_id, ROUND(amount, 4)
                     FROM pareto_spend_history ORDER BY 1, 2, 3, 4"""
            )
        )
        return self.env.cr.fetchall()

    def _volumes(self, start, family_ids):
        """{(partner, family): volume} of the reader's rows from ``start``."""
        rows = self.History._volume_rows_sql(self.company.id, "order", family_ids, start)
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, family_id, ROUND(SUM(amount), 4) FROM (%s) rows
                    GROUP BY 1, 2 HAVING ROUND(SUM(amount), 4) != 0""",
                rows,
            )
        )
        return {(partner, family): amount for partner, family, amount in self.env.cr.fetchall()}

    def _expected(self, start, family_ids):
        """The same from the vendor aggregate and the change log."""
        volumes = {}
        for company_id, family_id, partner_id, day, source, amount in self._spend_rows()[1]:
            if (company_id, source) == (self.company.id, "order") and day >= start:
                if family_id in family_ids:
                    key = (partner_id, family_id)
                    volumes[key] = volumes.get(key, 0) + amount
        return {key: amount for key, amount in volumes.items() if amount}

    def test_filled_at_install_from_the_window_start(self):
        self.assertEqual(self.since, window_start(fields.Datetime.now()))
        self.assertTrue(self._snapshot())

    def test_slide_equals_a_fill_from_the_new_first_day(self):
        day = self.since + datetime.timedelta(days=20)
        before = self._volumes(self.since, [self.family_it.id])
        self.History._slide(day)
        self.assertEqual(self.History._since(), day)
        slid = self._snapshot()
        self.History._fill(day)
        self.assertEqual(slid, self._snapshot())
        # The early order left the window, the later one stayed.
        key = (self.vendor_small_local.id, self.family_it.id)
        self.assertEqual(self._volumes(day, [self.family_it.id])[key], before[key] - 700)
        # Sliding to the same day changes nothing; backwards refills.
        self.History._slide(day)
        self.assertEqual(slid, self._snapshot())
        self.History._slide(self.since)
        self.assertEqual(self.History._since(), self.since)
        self.assertEqual(self._volumes(self.since, [self.family_it.id]), before)

    def test_readers_correct_for_their_own_window_start(self):
        # A change not merged yet, and the days between the snapshot's first
        # day and the reader's: subtracted, or read from the aggregate when
        # the reader starts before the snapshot.
        self._confirmed(self.vendor_micro_far, [(self.laptop, 1, 80.0)])
        self.env.flush_all()
        self.assertTrue(self.env["pareto.spend.delta"].search_count([]))
        families = [self.family_it.id, self.family_facility.id]
        for start in (
            self.since,
            self.since + datetime.timedelta(days=10),
            self.since + datetime.timedelta(days=60),
            self.since - datetime.timedelta(days=5),
        ):
            with self.subTest(start=start):
                volumes = self._volumes(start, families)
                self.assertTrue(volumes)
                self.assertEqual(volumes, self._expected(start, families))

    def test_removed_with_the_vendor_aggregate_at_rebuild(self):
        before = self._snapshot()
        self.env["pareto.spend.delta"]._rebuild()
        self.assertEqual(before, self._snapshot())
