"""19.0.1.2.0, before the module is updated.

- The statutory late-payment table reads what remains due from the bills
  (``amount_residual_signed``) as well as their totals: its covering index is
  replaced (Odoo creates the new one, named after the new attribute).
- The SME suggestions read their history from ``pareto.spend.history``: the
  covering indexes of orders, order lines and bill lines that served the
  former read from the lines go (each line written paid for them)."""

from odoo.tools import SQL

OBSOLETE_INDEXES = (
    "account_move_pareto_bill_due_idx",
    "purchase_order_pareto_purchase_company_date_idx",
    "purchase_order_line_pareto_order_family_spend_idx",
    "account_move_line_pareto_move_family_spend_idx",
)


def migrate(cr, version):
    for name in OBSOLETE_INDEXES:
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
