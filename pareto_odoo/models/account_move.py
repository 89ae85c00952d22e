from odoo import api, fields, models
from odoo.tools import SQL

BILL_TYPES = ("in_invoice", "in_refund")
# Odoo's payment states of a move that is fully paid (in_payment: paid, the
# bank statement not reconciled yet; reversed: settled by a credit note).
PAID_STATES = ("paid", "in_payment", "reversed")


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "pareto.write.guard"]

    # The posted vendor bills of a company in a date window, with what the
    # suggestions' history on the invoiced basis needs, in an index-only scan
    # (the twin of purchase.order's on confirmed orders).
    _pareto_bill_company_date_idx = models.Index(
        "(company_id, invoice_date) INCLUDE (id, commercial_partner_id) "
        "WHERE state = 'posted' AND move_type IN ('in_invoice', 'in_refund')"
    )
    # The bills still unpaid, or paid after a date, of a company: what the
    # statutory late-payment table reads at a closing date.
    _pareto_bill_due_idx = models.Index(
        "(company_id, invoice_date_due) INCLUDE (pareto_payment_date) "
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
