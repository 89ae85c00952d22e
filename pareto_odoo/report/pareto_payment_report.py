from odoo import fields, models
from odoo.tools import SQL

from ..models.account_move import BILL_TYPES
from .report_fields import family_field, size_field


class ParetoPaymentReport(models.Model):
    """How we pay our vendors: one row per posted vendor bill or refund, with
    its invoice, due and payment dates, the vendor company's size class, the
    amount including taxes in company currency (refunds negative), the
    payment delay (invoice to full payment) and the late days (past the due
    date, up to the payment or, while unpaid, to today in the user's
    timezone). Refunds have no delay nor late days: we are not the debtor.

    The family is the one of the bill's largest lines (untaxed), stored on
    the bill (``account.move.pareto_main_family_id``)."""

    _name = "pareto.payment.report"
    _description = "Vendor Payment Delays"
    _auto = False
    _order = "invoice_date desc, id desc"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", string="Vendor Bill", readonly=True)
    move_type = fields.Selection(
        [("in_invoice", "Vendor Bill"), ("in_refund", "Vendor Credit Note")],
        string="Type",
        readonly=True,
    )
    invoice_date = fields.Date(string="Bill Date", readonly=True)
    invoice_date_due = fields.Date(string="Due Date", readonly=True)
    payment_date = fields.Date(string="Paid On", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    pareto_size = size_field()
    is_sme = fields.Boolean(string="SME", readonly=True)
    family_id = family_field(
        "Main Purchasing Family", help="The family of the bill's largest lines (untaxed)."
    )
    is_paid = fields.Boolean(string="Paid", readonly=True)
    is_late = fields.Boolean(
        string="Late", readonly=True, help="Paid after its due date, or unpaid and past due."
    )
    is_disputed = fields.Boolean(
        string="In Dispute", readonly=True, help="Its payment is blocked (Odoo's 'Blocked')."
    )
    amount_total = fields.Monetary(string="Total (Taxes Included)", readonly=True)
    late_amount = fields.Monetary(
        string="Amount Paid or Due Late", readonly=True, help="Total of the late bills."
    )
    delay_days = fields.Integer(
        string="Payment Delay (Days)",
        readonly=True,
        aggregator="avg",
        help="Days from the bill date to its full payment; empty while unpaid.",
    )
    late_days = fields.Integer(
        readonly=True,
        aggregator="avg",
        help="Days past the due date, to the payment or, while unpaid, to today.",
    )

    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "invoice_date_due", "pareto_payment_date",
            "company_id", "commercial_partner_id", "amount_total_signed", "payment_state",
            "pareto_main_family_id",
        ],
        "res.partner": ["pareto_size", "pareto_is_sme"],
        "res.company": ["currency_id"],
    }  # fmt: skip

    _DIRECTIONS = frozenset(
        f"{direction} {nulls}".strip()
        for direction in ("", "ASC", "DESC")
        for nulls in ("", "NULLS FIRST", "NULLS LAST")
    )

    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups by family in the families' order (name, then id), the name
        read once per group: the standard way joins the family to each of
        a million bills and groups them by its name as well, which cost as
        much as the grouping itself."""
        parts = [part.split() for part in (order or "").split(",")]
        if "family_id" not in groupby_terms or not any(p[:1] == ["family_id"] for p in parts):
            return super()._read_group_orderby(order, groupby_terms, query)
        terms = []
        for part in parts:
            if part[:1] != ["family_id"]:
                terms.append(super()._read_group_orderby(" ".join(part), groupby_terms, query))
                continue
            direction = " ".join(part[1:]).upper()
            if direction not in self._DIRECTIONS:
                return super()._read_group_orderby(order, groupby_terms, query)
            terms.append(self._family_orderby(groupby_terms["family_id"], SQL(direction)))
        return SQL(", ").join(term for term in terms if term)

    def _family_orderby(self, family_id, direction):
        """ORDER BY terms of the family id ``family_id`` in pareto.family's
        own order, each column read from the family row of the group."""
        return SQL(", ").join(
            SQL(
                "(SELECT family.%s FROM pareto_family family WHERE family.id = %s) %s",
                SQL.identifier(column.split()[0]),
                family_id,
                direction,
            )
            for column in self.env["pareto.family"]._order.split(",")
        )

    @property
    def _table_query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    def _select(self):
        bill = SQL("move.move_type = 'in_invoice'")
        late = SQL(
            "GREATEST(0, COALESCE(move.pareto_payment_date, %s::date) - move.invoice_date_due)",
            fields.Date.context_today(self),
        )
        return SQL(
            """
            SELECT move.id, move.id AS move_id, move.move_type, move.invoice_date,
                   move.invoice_date_due, move.pareto_payment_date AS payment_date,
                   move.company_id, company.currency_id, vendor.id AS partner_id,
                   vendor.pareto_size, COALESCE(vendor.pareto_is_sme, FALSE) AS is_sme,
                   move.pareto_main_family_id AS family_id,
                   move.pareto_payment_date IS NOT NULL AS is_paid,
                   %(bill)s AND %(late)s > 0 AS is_late,
                   move.payment_state = 'blocked' AS is_disputed,
                   -move.amount_total_signed AS amount_total,
                   CASE WHEN %(bill)s AND %(late)s > 0 THEN -move.amount_total_signed
                        ELSE 0 END AS late_amount,
                   CASE WHEN %(bill)s THEN move.pareto_payment_date - move.invoice_date
                   END AS delay_days,
                   CASE WHEN %(bill)s THEN %(late)s END AS late_days
            """,
            bill=bill,
            late=late,
        )

    def _from(self):
        return SQL(
            """
            FROM account_move move
            JOIN res_company company ON company.id = move.company_id
            JOIN res_partner vendor ON vendor.id = move.commercial_partner_id
            """
        )

    def _where(self):
        return SQL(
            "WHERE move.state = 'posted' AND move.move_type IN %s "
            "AND move.invoice_date IS NOT NULL",
            BILL_TYPES,
        )
