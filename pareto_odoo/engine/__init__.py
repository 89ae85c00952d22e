"""Pure-Python core of Pareto: no Odoo import here, so that every rule can be
tested (and reused by the diagnostic) without an Odoo server."""
