from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "pareto.write.guard"]

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

    @api.constrains("pareto_family_id", "company_id")
    def _check_pareto_family_company(self):
        for template in self:
            family = template.pareto_family_id
            if (
                template.company_id
                and family.company_id
                and family.company_id != template.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "The purchasing family of “%(product)s” must be shared or of its "
                        "company, %(company)s.",
                        product=template.display_name,
                        company=template.company_id.display_name,
                    )
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
        if "pareto_family_id" in vals or "categ_id" in vals:
            self.env["purchase.order.line"]._pareto_refresh_families(templates=self)
        return result
