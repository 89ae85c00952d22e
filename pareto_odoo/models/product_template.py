from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    pareto_family_id = fields.Many2one(
        "pareto.family",
        string="Purchasing Family",
        index="btree_not_null",
        ondelete="set null",
        help="Overrides the purchasing family of the product category.",
    )
    pareto_effective_family_id = fields.Many2one(
        related="categ_id.pareto_effective_family_id",
        string="Category Purchasing Family",
    )

    def write(self, vals):
        if "pareto_family_id" in vals:
            self.env["pareto.family"]._check_mapping_rights()
        result = super().write(vals)
        if "pareto_family_id" in vals or "categ_id" in vals:
            self.env["purchase.order.line"]._pareto_refresh_families(templates=self)
        return result
