"""19.0.1.2.0: fill the spend over the SME suggestions' history window
(``pareto.spend.history``) from the vendor aggregate, set-based."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    api.Environment(cr, SUPERUSER_ID, {})["pareto.spend.history"]._fill()
