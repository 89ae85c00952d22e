"""19.0.1.1.0: fill the family of existing vendor bill lines and rebuild the
spend aggregates from the lines (orders and bills), and the payment date of
existing vendor bills, set-based."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["account.move.line"]._pareto_refresh_families()
    env["pareto.spend.delta"]._rebuild()
    env["account.move"]._pareto_fill_payment_dates()
