from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _name = "res.config.settings"
    _inherit = ["res.config.settings", "pareto.write.guard"]

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
