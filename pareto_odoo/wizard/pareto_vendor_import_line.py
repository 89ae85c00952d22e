from odoo import api, fields, models

from ..models.res_partner import SIZE_SELECTION
from .pareto_vendor_import import MATCH_STATUS_SELECTION, MATCHED_BY_SELECTION


class ParetoVendorImportLine(models.TransientModel):
    """One row of an uploaded vendor list, as previewed before importing."""

    _name = "pareto.vendor.import.line"
    _inherit = ["pareto.write.guard"]
    _description = "Import Vendor Sizes: Row"
    _order = "row_number, id"

    wizard_id = fields.Many2one(
        "pareto.vendor.import", required=True, ondelete="cascade", index=True
    )
    row_number = fields.Integer(string="Row", readonly=True)
    siren = fields.Char(string="SIREN", readonly=True)
    vat = fields.Char(string="VAT", readonly=True)
    name = fields.Char(readonly=True)
    size = fields.Selection(SIZE_SELECTION, string="Size in File", readonly=True)
    year = fields.Integer(readonly=True)
    status = fields.Selection(MATCH_STATUS_SELECTION, required=True, readonly=True)
    matched_by = fields.Selection(MATCHED_BY_SELECTION, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Vendor", readonly=True)
    partner_count = fields.Integer(
        string="Vendors", readonly=True, help="Vendors sharing the SIREN, VAT number or name."
    )
    partner_size = fields.Selection(related="partner_id.pareto_size", string="Current Size")
    partner_size_source = fields.Selection(
        related="partner_id.pareto_size_source", string="Current Source"
    )
    partner_size_year = fields.Integer(related="partner_id.pareto_size_year", string="Current Year")
    message = fields.Text(string="Messages", readonly=True)

    @api.depends("row_number", "name", "siren", "vat")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "Row %(row)s: %(name)s",
                row=line.row_number,
                name=line.name or line.siren or line.vat or "—",
            )
