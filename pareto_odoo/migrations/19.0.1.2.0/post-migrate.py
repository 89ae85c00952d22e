"""19.0.1.2.0: fill the vendor aggregate's yearly totals
(``pareto.spend.vendor.year``) and the spend over the SME suggestions'
history window (``pareto.spend.history``) from the daily vendor aggregate,
set-based."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["pareto.spend.vendor.year"]._fill()
    env["pareto.spend.history"]._fill()
