from odoo.tests import tagged
from odoo.tools import SQL

from ..models.pareto_spend_daily import _own_lines
from ..tools.spend import BILL, spend_lines
from .test_bills import BillCase


def _rows_read(plan, table):
    """Rows that the plan's scans of ``table`` read (returned or filtered out)."""
    rows = 0
    if plan.get("Relation Name") == table:
        rows += plan.get("Actual Loops", 1) * (
            plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
        )
    for child in plan.get("Plans", ()):
        rows += _rows_read(child, table)
    return rows


@tagged("post_install", "-at_install")
class TestSpendPlans(BillCase):
    def test_own_bill_lines_are_looked_up_not_scanned(self):
        """The bill lines made from an order's lines (left out of the order's
        own compliance on the invoiced basis) are found by the order's line
        ids: the query does not read the bill lines of the other orders,
        whose number grows with the database (a merge join over the whole
        purchase_line_id index did)."""
        others = self._confirmed(self.vendor_large, [(self.laptop, 1, 10.0)] * 40)
        self._create_bill(
            self.vendor_large, [(self.laptop, 1, 10.0, None, line) for line in others.order_line]
        )
        order = self._confirmed(self.vendor_large, [(self.laptop, 1, 10.0)])
        self._create_bill(self.vendor_large, [(self.laptop, 1, 10.0, None, order.order_line)])
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("ANALYZE account_move_line"))
        cr.execute(SQL("ANALYZE purchase_order_line"))
        # Small tables are read whole whatever the query: make the planner use
        # indexes, as on a large database, and join without nested loops, as
        # it chose there (a merge join over the whole index): the order's own
        # lines must be found by index lookups whatever the join method.
        cr.execute(SQL("SET LOCAL enable_seqscan = off"))
        cr.execute(SQL("SET LOCAL enable_nestloop = off"))
        query = spend_lines(BILL, condition=_own_lines(BILL, order.id))
        cr.execute(SQL("EXPLAIN (ANALYZE, FORMAT JSON) %s", query))
        plan = cr.fetchone()[0][0]["Plan"]
        cr.execute(SQL("RESET enable_seqscan"))
        cr.execute(SQL("RESET enable_nestloop"))
        cr.execute(query)
        self.assertEqual(len(cr.fetchall()), 1, "the order's own bill line")
        # Not the 40 bill lines of the other order (a few index probes at most).
        self.assertLess(_rows_read(plan, "account_move_line"), 5, plan)

    def test_history_reads_no_lines(self):
        """The SME suggestions' history, on either basis, reads the spend
        over the 24 months from ``pareto_spend_history`` in an index-only
        scan: no table of lines, whose number grows with the database."""
        for _index in range(3):
            self._create_bill(self.vendor_small_local, [(self.laptop, 1, 100.0)] * 5)
            self._confirmed(self.vendor_small_local, [(self.laptop, 1, 100.0)])
        self.env["pareto.spend.delta"]._merge()
        order = self._create_order(self.vendor_large, [(self.laptop, 1, 10.0)], confirm=False)
        cr = self.env.cr
        for basis in ("ordered", "invoiced"):
            with self.subTest(basis=basis):
                self.company.pareto_spend_basis = basis
                suggestions, captured = self._with_history_queries(order)
                self.assertIn(
                    self.vendor_small_local.id, [row["partner_id"] for row in suggestions]
                )
                self.assertEqual(len(captured), 1, "one history query")
                cr.execute(SQL("SET LOCAL enable_seqscan = off"))
                cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", captured[0]))
                plan = cr.fetchone()[0][0]["Plan"]
                cr.execute(SQL("RESET enable_seqscan"))
                for table in ("purchase_order_line", "account_move_line"):
                    self.assertFalse(_scans(plan, table), plan)
                scans = _scans(plan, "pareto_spend_history")
                self.assertEqual({scan["Node Type"] for scan in scans}, {"Index Only Scan"}, plan)

    def _with_history_queries(self, order):
        """(the order's suggestions, the queries that read the history)."""
        cr = self.env.cr
        captured = []
        execute = cr.execute

        def capture(query, params=None, log_exceptions=True):
            if isinstance(query, SQL) and "pareto_spend_history" in query.code:
                captured.append(query)
            return execute(query, params, log_exceptions)

        cr.execute = capture
        try:
            return order.get_pareto_suggestions(), captured
        finally:
            cr.execute = execute


def _scans(plan, table):
    """The plan nodes that scan ``table``."""
    nodes = [plan] if plan.get("Relation Name") == table else []
    for child in plan.get("Plans", ()):
        nodes += _scans(child, table)
    return nodes
