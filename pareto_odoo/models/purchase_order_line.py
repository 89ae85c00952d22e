from odoo import api, models
from odoo.tools import SQL

from .pareto_family import line_family_field


class PurchaseOrderLine(models.Model):
    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "pareto.write.guard"]

    # Stored so that spend aggregates are a plain GROUP BY.
    pareto_family_id = line_family_field()

    @api.depends("product_id", "company_id", "display_type")
    def _compute_pareto_family_id(self):
        for line in self:
            family = False
            if line.product_id and not line.display_type:
                family = (
                    line.product_id.pareto_family_id
                    or line.product_id.categ_id.pareto_effective_family_id
                )
                if family.company_id and family.company_id != line.company_id:
                    family = False
            line.pareto_family_id = family

    @api.model
    def _pareto_family_source_sql(self, product_filter):
        """SQL of (product_id, family_id, family_company_id) for the products
        matching ``product_filter`` (an SQL condition on ``template``)."""
        return SQL(
            """
            SELECT product.id AS product_id,
                   family.id AS family_id,
                   family.company_id AS family_company_id
              FROM product_product product
              JOIN product_template template ON template.id = product.product_tmpl_id
              LEFT JOIN product_category category ON category.id = template.categ_id
              LEFT JOIN pareto_family family
                     ON family.id = COALESCE(template.pareto_family_id,
                                             category.pareto_effective_family_id)
             WHERE %s
            """,
            product_filter,
        )

    @api.model
    def _pareto_refresh_families(self, categories=None, templates=None):
        """Set the family of every existing line of the given categories'
        or templates' products, in one set-based UPDATE."""
        if categories is not None:
            if not categories:
                return 0
            product_filter = SQL("template.categ_id IN %s", tuple(categories.ids))
        elif templates is not None:
            if not templates:
                return 0
            product_filter = SQL("template.id IN %s", tuple(templates.ids))
        else:
            product_filter = SQL("TRUE")
        # The families of categories are stored computed fields: flush them first.
        self.env.flush_all()
        # A family of another company does not apply to this company's lines.
        family = SQL(
            """CASE WHEN source.family_company_id IS NULL
                     OR source.family_company_id = line.company_id
                    THEN source.family_id END"""
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE purchase_order_line line
                   SET pareto_family_id = %(family)s
                  FROM (%(source)s) source
                 WHERE line.product_id = source.product_id
                   AND line.display_type IS NULL
                   AND line.pareto_family_id IS DISTINCT FROM %(family)s
                """,
                family=family,
                source=self._pareto_family_source_sql(product_filter),
            )
        )
        updated = self.env.cr.rowcount
        self.invalidate_model(["pareto_family_id"])
        # Vendor bill lines take their purchase line's family, else their
        # product's: those of these products follow.
        products = SQL(
            "SELECT source.product_id FROM (%s) source",
            self._pareto_family_source_sql(product_filter),
        )
        self.env["account.move.line"]._pareto_refresh_families(
            SQL(
                """(line.product_id IN (%(products)s) OR line.purchase_line_id IN (
                        SELECT id FROM purchase_order_line WHERE product_id IN (%(products)s)))""",
                products=products,
            )
        )
        return updated
