from odoo import api, fields, models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "pareto.write.guard"]

    pareto_family_id = fields.Many2one(
        "pareto.family",
        string="Purchasing Family",
        index="btree_not_null",
        ondelete="set null",
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

    @api.model_create_multi
    def create(self, vals_list):
        Family = self.env["pareto.family"]
        for vals in vals_list:
            if vals.get("pareto_family_id"):
                Family._check_mapping_change(self, Family.browse(vals["pareto_family_id"]))
        return super().create(vals_list)

    def write(self, vals):
        if "pareto_family_id" in vals:
            Family = self.env["pareto.family"]
            Family._check_mapping_change(self, Family.browse(vals["pareto_family_id"]))
        result = super().write(vals)
        if "pareto_family_id" in vals or "parent_id" in vals:
            self.env["purchase.order.line"]._pareto_refresh_families(
                categories=self.search([("id", "child_of", self.ids)])
            )
        return result
