from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .pareto_family import line_family_field

BILL_TYPES = ("in_invoice", "in_refund")
# Odoo's payment states of a move that is fully paid (in_payment: paid, the
# bank statement not reconciled yet; reversed: settled by a credit note).
PAID_STATES = ("paid", "in_payment", "reversed")


def _main_family(totals):
    """The family id (or None: unclassified) of the largest absolute total
    of ``totals`` {family id or None: untaxed total}; on a tie the lowest
    id, unclassified last, as the SQL of ``_pareto_fill_main_families``."""
    if not totals:
        return False
    family_id = min(totals, key=lambda key: (-abs(totals[key]), key is None, key or 0))
    return family_id or False


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "pareto.write.guard"]

    # The posted vendor bills and refunds of a company in a date window,
    # with what the payment report reads of them, in an index-only scan: on
    # a live database vendor bills are a fraction of account_move's rows,
    # and a wide row each.
    _pareto_bill_report_idx = models.Index(
        "(company_id, invoice_date) INCLUDE (id, commercial_partner_id, move_type, "
        "invoice_date_due, pareto_payment_date, pareto_main_family_id, amount_total_signed, "
        "payment_state) WHERE state = 'posted' AND move_type IN ('in_invoice', 'in_refund')"
    )
    # The vendor bills of a company by due date, with what the statutory
    # late-payment table reads of them at a closing date.
    _pareto_bill_open_idx = models.Index(
        "(company_id, invoice_date_due) INCLUDE (id, invoice_date, pareto_payment_date, "
        "amount_total_signed, amount_residual_signed, payment_state, commercial_partner_id) "
        "WHERE state = 'posted' AND move_type = 'in_invoice'"
    )

    # Stored for the payment report (a plain scan of the bills, not a
    # grouping of their reconciliations on every read). Filled with SQL at
    # install (hooks.py), then kept by the ORM when bills are reconciled.
    pareto_payment_date = fields.Date(
        string="Fully Paid On",
        compute="_compute_pareto_payment_date",
        store=True,
        copy=False,
        help="Vendor bills and refunds: the date they became fully paid (the latest of their "
        "reconciliations). Empty while they are not fully paid.",
    )

    # The family of the bill's largest lines, stored for the same reason
    # (a subquery per bill made grouping by it 18 s at 1,000,000 bills).
    pareto_main_family_id = line_family_field(
        string="Main Purchasing Family",
        compute="_compute_pareto_main_family_id",
        copy=False,
        help="Vendor bills and refunds: the purchasing family of their largest lines "
        "(untaxed, in absolute value); empty when those are unclassified.",
    )

    @api.depends(
        "move_type",
        "invoice_line_ids.pareto_family_id",
        "invoice_line_ids.balance",
        "invoice_line_ids.display_type",
    )
    def _compute_pareto_main_family_id(self):
        for move in self:
            totals = defaultdict(float)
            if move.move_type in BILL_TYPES:
                for line in move.invoice_line_ids:
                    if line.display_type == "product":
                        totals[line.pareto_family_id.id or None] += line.balance
            move.pareto_main_family_id = _main_family(totals)

    @api.depends(
        "state",
        "move_type",
        "payment_state",
        "line_ids.matched_debit_ids.max_date",
        "line_ids.matched_credit_ids.max_date",
    )
    def _compute_pareto_payment_date(self):
        for move in self:
            payment_date = False
            if (
                move.state == "posted"
                and move.move_type in BILL_TYPES
                and move.payment_state in PAID_STATES
            ):
                payable = move.line_ids.filtered(
                    lambda line: line.account_id.account_type == "liability_payable"
                )
                dates = (payable.matched_debit_ids | payable.matched_credit_ids).mapped("max_date")
                # Nothing to reconcile (a bill of 0): paid when received.
                payment_date = max(dates) if dates else move.invoice_date
            move.pareto_payment_date = payment_date

    @api.model
    def _pareto_fill_payment_dates(self):
        """Set the payment date of every vendor bill and refund in one
        set-based UPDATE, by the rule of the compute (install, upgrade)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move move
                   SET pareto_payment_date = COALESCE(paid.payment_date, move.invoice_date)
                  FROM account_move bill
                  LEFT JOIN (
                      SELECT line.move_id, MAX(partial.max_date) AS payment_date
                        FROM account_move_line line
                        JOIN account_account account ON account.id = line.account_id
                        JOIN account_partial_reconcile partial
                          ON line.id IN (partial.debit_move_id, partial.credit_move_id)
                       WHERE account.account_type = 'liability_payable'
                       GROUP BY line.move_id
                  ) paid ON paid.move_id = bill.id
                 WHERE move.id = bill.id AND bill.state = 'posted'
                   AND bill.move_type IN %(types)s AND bill.payment_state IN %(paid)s
                """,
                types=BILL_TYPES,
                paid=PAID_STATES,
            )
        )
        self.invalidate_model(["pareto_payment_date"])

    @api.model
    def _pareto_fill_main_families(self, move_ids=None):
        """Set the main family of the vendor bills and refunds ``move_ids``
        (all by default) in one set-based UPDATE, by the rule of the compute:
        after the families of existing bill lines changed in SQL."""
        self.env.flush_all()
        moves = SQL("TRUE") if move_ids is None else SQL("bill.id = ANY(%s)", list(move_ids))
        self.env.cr.execute(
            SQL(
                """
                WITH family AS (
                    SELECT line.move_id, line.pareto_family_id AS family_id,
                           ABS(SUM(line.balance)) AS total
                      FROM account_move_line line
                      JOIN account_move bill ON bill.id = line.move_id
                     WHERE bill.move_type IN %(types)s AND line.display_type = 'product'
                       AND %(moves)s
                     GROUP BY line.move_id, line.pareto_family_id
                ), main AS (
                    SELECT DISTINCT ON (move_id) move_id, family_id
                      FROM family
                     ORDER BY move_id, total DESC, family_id
                )
                UPDATE account_move move
                   SET pareto_main_family_id = main.family_id
                  FROM account_move bill
                  LEFT JOIN main ON main.move_id = bill.id
                 WHERE move.id = bill.id AND bill.move_type IN %(types)s AND %(moves)s
                   AND move.pareto_main_family_id IS DISTINCT FROM main.family_id
                """,
                types=BILL_TYPES,
                moves=moves,
            )
        )
        self.invalidate_model(["pareto_main_family_id"])
