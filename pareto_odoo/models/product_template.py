from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .pareto_family import mapped_family_field


class ProductTemplate(models.Model):
    _name = "product.template"
    # The mapping is checked before any other override writes.
    _inherit = ["pareto.family.mapped", "product.template", "pareto.write.guard"]

    pareto_family_id = mapped_family_field(
        help="Overrides the purchasing family of the product category."
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

    def _pareto_refresh_mapped_lines(self, vals):
        if "pareto_family_id" in vals or "categ_id" in vals:
            self.env["purchase.order.line"]._pareto_refresh_families(templates=self)
