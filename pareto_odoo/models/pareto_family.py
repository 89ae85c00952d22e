from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..engine import accounts


class ParetoFamily(models.Model):
    _name = "pareto.family"
    _description = "Purchasing Family"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short code, unique per company.")
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True, index=True
    )
    parent_id = fields.Many2one(
        "pareto.family",
        string="Parent Family",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("pareto.family", "parent_id", string="Sub-families")
    target_share = fields.Float(
        string="Target SME Share (%)",
        digits=(5, 2),
        default=lambda self: self.env.company.pareto_default_target,
        help="Minimum share of this family's spend that should go to SMEs (TPE/PME).",
    )
    product_category_ids = fields.One2many(
        "product.category",
        "pareto_family_id",
        string="Product Categories",
        help="Categories mapped to this family; their sub-categories inherit it "
        "unless mapped to another family.",
    )
    naf_codes = fields.Char(
        string="NAF Codes",
        help="Comma-separated NAF (APE) activity codes, e.g. 81.21Z, 81.22Z: used to "
        "look for SMEs of this family in the national company registry.",
    )
    account_prefixes = fields.Char(
        string="Account Prefixes",
        help="Comma-separated prefixes of expense account codes, e.g. 6226,6227: a vendor bill "
        "line without a purchase order line nor a product mapped to a family falls in the family "
        "whose prefix matches its account, the longest prefix winning.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share this family with every company.",
    )
    active = fields.Boolean(default=True)
    description = fields.Text()

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))",
        "A purchasing family code must be unique per company.",
    )
    _target_share_range = models.Constraint(
        "CHECK(target_share >= 0 AND target_share <= 100)",
        "The target share must be between 0 and 100%.",
    )

    @api.depends_context("lang")
    @api.depends("name", "parent_id")
    def _compute_display_name(self):
        # The full name in the user's language (complete_name is stored, in
        # the source language, for ordering and searching).
        for family in self:
            names, current = [], family
            while current:
                names.append(current.name or "")
                current = current.parent_id
            family.display_name = " / ".join(reversed(names))

    @api.constrains("account_prefixes")
    def _check_account_prefixes(self):
        for family in self:
            try:
                accounts.parse_prefixes(family.account_prefixes)
            except accounts.AccountPrefixError as error:
                raise ValidationError(
                    self.env._(
                        "“%(prefix)s” is not an account code prefix. Use the first digits of "
                        "account codes, separated by commas, e.g. 6226,6227.",
                        prefix=error.args[1],
                    )
                ) from None

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for family in self:
            if family.parent_id:
                family.complete_name = f"{family.parent_id.complete_name} / {family.name}"
            else:
                family.complete_name = family.name

    # Procurement managers map categories from the family form without being
    # product managers: the mapping is written as superuser once checked.
    @api.model_create_multi
    def create(self, vals_list):
        category_commands = [vals.pop("product_category_ids", None) for vals in vals_list]
        families = super().create(vals_list)
        for family, commands in zip(families, category_commands, strict=True):
            if commands:
                family.write({"product_category_ids": commands})
        if any(families.mapped("account_prefixes")):
            self.env["account.move.line"]._pareto_refresh_families()
        return families

    def write(self, vals):
        if "product_category_ids" in vals and not self.env.su:
            self._check_mapping_rights()
            self.check_access("write")
            self.sudo().write({"product_category_ids": vals.pop("product_category_ids")})
        prefixes_before = {family: family.account_prefixes for family in self}
        result = super().write(vals)
        if self._pareto_moves_bill_lines(vals, prefixes_before):
            self.env["account.move.line"]._pareto_refresh_families()
        return result

    def _pareto_moves_bill_lines(self, vals, prefixes_before):
        """Whether the write changes which vendor bill lines the account
        prefixes put in a family (then every bill line is refreshed, in one
        statement)."""
        if "account_prefixes" in vals:
            return any(family.account_prefixes != prefixes_before[family] for family in self)
        return any(prefixes_before.values()) and bool({"active", "company_id"} & set(vals))

    @api.model
    def _check_mapping_rights(self):
        """Mapping categories and products to families moves spend between
        families: like targets, it is for procurement managers only."""
        if not self.env.su and not self.env.user.has_group("purchase.group_purchase_manager"):
            raise AccessError(
                self.env._("Only procurement managers can map products to purchasing families.")
            )
