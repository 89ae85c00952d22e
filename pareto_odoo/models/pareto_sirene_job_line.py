from odoo import fields, models

from ..engine import sizes
from .res_partner import SIZE_SELECTION, SIZE_SOURCE_SELECTION


class ParetoSireneJobLine(models.Model):
    """A vendor found in the Sirene stock file whose size was not applied:
    closed company, size unknown to the registry, or a size kept (set by hand,
    or from a more recent year)."""

    _name = "pareto.sirene.job.line"
    _inherit = ["pareto.write.guard"]
    _description = "Sirene Stock Import: Reported Vendor"
    _order = "job_id desc, kind, id"

    job_id = fields.Many2one("pareto.sirene.job", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", ondelete="cascade", index=True)
    siren = fields.Char(string="SIREN")
    kind = fields.Selection(
        [
            ("closed", "Closed company"),
            # The other kinds are the outcomes of the engine's size rule.
            (sizes.KEPT_MANUAL, "Size set by hand, kept"),
            (sizes.KEPT_NEWER, "More recent size, kept"),
            (sizes.NO_SIZE, "Size unknown in the registry"),
        ],
        string="Reason",
        required=True,
    )
    registry_size = fields.Selection(SIZE_SELECTION)
    registry_year = fields.Integer()
    registry_category = fields.Char(string="Category", help="categorieEntreprise: PME, ETI or GE.")
    registry_band = fields.Char(
        string="Headcount Band", help="trancheEffectifsUniteLegale (INSEE's code)."
    )
    current_size = fields.Selection(SIZE_SELECTION, string="Size Kept")
    current_size_source = fields.Selection(SIZE_SOURCE_SELECTION, string="Source Kept")
    current_size_year = fields.Integer(string="Year Kept")
