"""19.0.1.2.0, before the module is updated: the statutory late-payment
table reads what remains due from the bills (``amount_residual_signed``)
instead of their totals; its covering index is replaced (Odoo creates the new
one, named after the new attribute)."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("DROP INDEX IF EXISTS account_move_pareto_bill_due_idx"))
