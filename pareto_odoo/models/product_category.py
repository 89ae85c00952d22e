from odoo import api, fields, models

from .pareto_family import mapped_family_field


class ProductCategory(models.Model):
    _name = "product.category"
    # The mapping is checked before any other override writes.
    _inherit = ["pareto.family.mapped", "product.category", "pareto.write.guard"]

    pareto_family_id = mapped_family_field(
        help="Purchasing family of the products of this category. Leave empty to "
        "inherit the family of the nearest parent category that has one.",
    )
    pareto_effective_family_id = fields.Many2one(
        "pareto.family",
        string="Effective Purchasing Family",
        compute="_compute_pareto_effective_family_id",
        recursive=True,
        store=True,
        help="This category's family, or the one it inherits from its parents.",
    )

    @api.depends("pareto_family_id", "parent_id.pareto_effective_family_id")
    def _compute_pareto_effective_family_id(self):
        for category in self:
            category.pareto_effective_family_id = (
                category.pareto_family_id or category.parent_id.pareto_effective_family_id
            )

    def _pareto_refresh_mapped_lines(self, vals):
        if "pareto_family_id" in vals or "parent_id" in vals:
            self.env["purchase.order.line"]._pareto_refresh_families(
                categories=self.search([("id", "child_of", self.ids)])
            )
