from odoo import api, models
from odoo.tools import SQL

from ..engine import accounts
from .account_move import BILL_TYPES
from .pareto_family import line_family_field


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "pareto.write.guard"]

    # Stored so that spend aggregates are a plain GROUP BY, for vendor bill
    # lines only (other journal items keep it empty); account prefixes are
    # mappings too.
    pareto_family_id = line_family_field(
        help="Family of a vendor bill line: its purchase order line's; else its product's "
        "(override, then category); else the family whose account prefixes match its account.",
    )

    @api.depends(
        "purchase_line_id.pareto_family_id",
        "product_id",
        "account_id",
        "display_type",
        "company_id",
        "move_id.move_type",
    )
    def _compute_pareto_family_id(self):
        prefixes = None
        for line in self:
            family = self.env["pareto.family"]
            if line.move_id.move_type in BILL_TYPES and line.display_type == "product":
                family = line.purchase_line_id.pareto_family_id
                if not family and line.product_id:
                    family = (
                        line.product_id.pareto_family_id
                        or line.product_id.categ_id.pareto_effective_family_id
                    )
                if not family and line.account_id:
                    if prefixes is None:
                        prefixes = self._pareto_account_prefixes()
                    code = line.account_id.with_company(line.company_id).code
                    family = family.browse(
                        accounts.family_of_account(
                            code, prefixes.get(line.company_id.id, ()) + prefixes.get(False, ())
                        )
                    )
                if family.company_id and family.company_id != line.company_id:
                    family = self.env["pareto.family"]
            line.pareto_family_id = family

    @api.model
    def _pareto_account_prefixes(self):
        """{company id or False: [(family id, [prefixes])]} of the active
        families with account prefixes, longest rule applied by the engine."""
        families = self.env["pareto.family"].sudo().search([("account_prefixes", "!=", False)])
        result = {}
        for family in families:
            result[family.company_id.id] = (
                *result.get(family.company_id.id, ()),
                (family.id, accounts.parse_prefixes(family.account_prefixes)),
            )
        return result

    @api.model
    def _pareto_refresh_families(self, line_filter=None):
        """Set the family of the existing vendor bill lines matching
        ``line_filter`` (SQL on ``line``; all by default), in one set-based
        UPDATE, by the same rule as the compute."""
        self.env.flush_all()
        rules = self._pareto_account_prefixes()
        prefix_rows = [
            (family_id, company_id or 0, prefix)
            for company_id, families in rules.items()
            for family_id, prefixes in families
            for prefix in prefixes
        ]
        self.env.cr.execute(
            SQL(
                """
                WITH prefix(family_id, company_id, prefix) AS (
                    SELECT * FROM unnest(%(families)s::int4[], %(companies)s::int4[],
                                         %(prefixes)s::varchar[])
                ), family AS (
                    SELECT line.id,
                           COALESCE(purchase.pareto_family_id, product_family.id, (
                               SELECT prefix.family_id FROM prefix
                                WHERE prefix.company_id IN (0, line.company_id)
                                  AND account.code_store->>(
                                      split_part(company.parent_path, '/', 1)
                                  ) LIKE prefix.prefix || '%%'
                                ORDER BY length(prefix.prefix) DESC, prefix.company_id DESC
                                LIMIT 1)) AS family_id
                      FROM account_move_line line
                      JOIN account_move move ON move.id = line.move_id
                      JOIN res_company company ON company.id = line.company_id
                      LEFT JOIN account_account account ON account.id = line.account_id
                      LEFT JOIN purchase_order_line purchase ON purchase.id = line.purchase_line_id
                      LEFT JOIN product_product product ON product.id = line.product_id
                      LEFT JOIN product_template template ON template.id = product.product_tmpl_id
                      LEFT JOIN product_category category ON category.id = template.categ_id
                      LEFT JOIN pareto_family product_family
                             ON product_family.id = COALESCE(template.pareto_family_id,
                                                             category.pareto_effective_family_id)
                     WHERE move.move_type IN %(types)s AND line.display_type = 'product'
                       AND %(filter)s
                )
                UPDATE account_move_line line
                   SET pareto_family_id = checked.family_id
                  FROM (SELECT family.id, CASE WHEN target.company_id IS NULL
                                                 OR target.company_id = line.company_id
                                               THEN target.id END AS family_id
                          FROM family
                          JOIN account_move_line line ON line.id = family.id
                          LEFT JOIN pareto_family target ON target.id = family.family_id) checked
                 WHERE line.id = checked.id
                   AND line.pareto_family_id IS DISTINCT FROM checked.family_id
                RETURNING line.move_id
                """,
                families=[row[0] for row in prefix_rows],
                companies=[row[1] for row in prefix_rows],
                prefixes=[row[2] for row in prefix_rows],
                types=BILL_TYPES,
                filter=line_filter or SQL("TRUE"),
            )
        )
        updated = self.env.cr.fetchall()
        self.invalidate_model(["pareto_family_id"])
        if updated:  # the main family of their bills follows
            self.env["account.move"]._pareto_fill_main_families({row[0] for row in updated})
        return len(updated)
