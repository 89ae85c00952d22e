from odoo import api, fields, models

from ..tools import write_guard


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pareto_default_target = fields.Float(related="company_id.pareto_default_target", readonly=False)
    pareto_period = fields.Selection(related="company_id.pareto_period", readonly=False)
    pareto_local_departments = fields.Char(
        related="company_id.pareto_local_departments", readonly=False
    )
    pareto_local_radius_km = fields.Float(
        related="company_id.pareto_local_radius_km", readonly=False
    )
    pareto_warning_margin = fields.Float(related="company_id.pareto_warning_margin", readonly=False)
    pareto_require_justification = fields.Boolean(
        related="company_id.pareto_require_justification", readonly=False
    )
    pareto_spend_basis = fields.Selection(related="company_id.pareto_spend_basis", readonly=False)
    pareto_dependency_threshold = fields.Float(
        related="company_id.pareto_dependency_threshold", readonly=False
    )

    # The settings are written once, through create (then execute): the
    # numbers are checked there (the company's own guard checks them again).
    @api.model_create_multi
    def create(self, vals_list):
        write_guard.check(self, vals_list)
        return super().create(vals_list)
