from odoo import fields, models

from ..engine.compliance import SOURCE_BILL, SOURCE_ORDER

SOURCE_SELECTION = [(SOURCE_ORDER, "Purchase order"), (SOURCE_BILL, "Vendor bill")]


class ParetoSpendMixin(models.AbstractModel):
    """The key of the spend aggregates and of their change log: company,
    purchasing family, day (the UTC day of confirmation for orders, the
    invoice date for bills) and source. Their rows are written by
    PostgreSQL triggers and merges only (see ``pareto.spend.delta``)."""

    _name = "pareto.spend.mixin"
    _description = "Spend Aggregate Key"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    family_id = fields.Many2one(
        "pareto.family", string="Purchasing Family", readonly=True, ondelete="cascade"
    )
    day = fields.Date(required=True, readonly=True)
    source = fields.Selection(SOURCE_SELECTION, required=True, readonly=True)


class ParetoSpendVendorMixin(models.AbstractModel):
    """The spend per vendor on top of the key: the aggregate per vendor
    (``pareto.spend.vendor``) and the change log (``pareto.spend.delta``)."""

    _name = "pareto.spend.vendor.mixin"
    _inherit = ["pareto.spend.mixin"]
    _description = "Spend per Vendor"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True, ondelete="cascade")
    amount = fields.Float(string="Spend", digits=(16, 6), readonly=True)
