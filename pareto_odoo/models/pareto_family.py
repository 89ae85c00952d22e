from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL

from ..engine import accounts


class ParetoFamily(models.Model):
    _name = "pareto.family"
    _description = "Purchasing Family"
    _parent_store = True
    _inherit = ["pareto.write.guard"]
    _rec_name = "complete_name"
    # complete_name is in the source language: searching by name finds the
    # family by its name in the user's language too.
    _rec_names_search = ["complete_name", "name", "code"]
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
    # product managers: linking and unlinking categories is written as
    # superuser once checked (_check_category_commands); any other command
    # (creating, editing or deleting categories) needs the user's own rights
    # on categories.
    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        category_commands = [vals.pop("product_category_ids", None) for vals in vals_list]
        families = super().create(vals_list)
        for family, commands in zip(families, category_commands, strict=True):
            if commands:
                family.write({"product_category_ids": commands})
        if any(families.mapped("account_prefixes")):
            self.env["account.move.line"]._pareto_refresh_families()
        return families

    def write(self, vals):
        if "company_id" in vals and not self.env.su:
            self._check_company_change(vals["company_id"])
        if "product_category_ids" in vals and not self.env.su:
            vals = dict(vals)
            commands = _normalize_commands(vals.pop("product_category_ids"))
            if all(command[0] in MAPPING_COMMANDS for command in commands):
                self._check_mapping_rights()
                self.check_access("write")
                self._check_category_commands(commands)
                self.sudo().write({"product_category_ids": commands})
            else:
                vals["product_category_ids"] = commands
        before = {family: (family.company_id, family.account_prefixes) for family in self}
        result = super().write(vals)
        if "company_id" in vals:
            self.filtered(lambda family: family.company_id != before[family][0])._refresh_lines()
        if self._pareto_moves_bill_lines(vals, before):
            self.env["account.move.line"]._pareto_refresh_families()
        return result

    def _pareto_moves_bill_lines(self, vals, before):
        """Whether the write changes which vendor bill lines the account
        prefixes put in a family (then every bill line is refreshed, in one
        statement)."""
        if "account_prefixes" in vals:
            return any(family.account_prefixes != before[family][1] for family in self)
        return any(prefixes for _company, prefixes in before.values()) and bool(
            {"active", "company_id"} & set(vals)
        )

    @api.model
    def _check_mapping_rights(self):
        """Mapping categories and products to families moves spend between
        families: like targets, it is for procurement managers only."""
        if not self.env.su and not self.env.user.has_group("purchase.group_purchase_manager"):
            raise AccessError(
                self.env._("Only procurement managers can map products to purchasing families.")
            )

    @api.model
    def _check_mapping_change(self, records, family):
        """Mapping ``records`` (product categories or templates) to
        ``family`` (empty: unmapped) moves their spend from the family they
        take now (their own mapping, or the inherited one) to the one they
        will take: the user must be a procurement manager allowed to change
        both (a family of a company the user does not work in is that
        company's figures)."""
        self._check_mapping_rights()
        if self.env.su:
            return
        concerned = {}
        for record in records.sudo():
            if record._name == "product.category":
                inherited = record.parent_id.pareto_effective_family_id
                current = record.pareto_effective_family_id
            else:
                inherited = record.categ_id.pareto_effective_family_id
                current = record.pareto_family_id or inherited
            concerned[record] = (current | (family.sudo() or inherited)).with_env(self.env)
        families = family.union(*concerned.values())
        denied = families - families._filtered_access("write")
        if denied and not records:
            raise AccessError(
                self.env._(
                    "This purchasing family belongs to a company you do not work in: "
                    "nothing can be mapped to it."
                )
            )
        if denied:
            names = [record.display_name for record, used in concerned.items() if used & denied]
            raise AccessError(
                self.env._(
                    "%(records)s cannot be mapped: a purchasing family concerned belongs to a "
                    "company you do not work in, whose figures would change.",
                    records=", ".join(names),
                )
            )

    def _check_category_commands(self, commands):
        """Check the link / unlink / set / clear ``commands`` of
        ``product_category_ids`` before they are written as superuser: only
        this family's categories are unlinked, and every category moved from
        or to another family passes :meth:`_check_mapping_change`."""
        Category = self.env["product.category"]
        linked, unlinked = Category, Category
        current = Category.search([("pareto_family_id", "in", self.ids)])
        for command in commands:
            if command[0] == Command.LINK:
                linked |= Category.browse(command[1])
            elif command[0] == Command.UNLINK:
                category = Category.browse(command[1])
                if category.pareto_family_id not in self:
                    raise UserError(
                        self.env._(
                            "“%(category)s” is not mapped to this purchasing family: it cannot "
                            "be removed from it.",
                            category=category.display_name,
                        )
                    )
                unlinked |= category
            else:  # SET or CLEAR
                kept = Category.browse(command[2] if command[0] == Command.SET else ())
                linked |= kept
                unlinked |= current - kept
        for family in self:
            self._check_mapping_change((linked - current).exists(), family)
        self._check_mapping_change(unlinked - linked, self.browse())

    def _check_company_change(self, company_id):
        """Changing the company of families changes which companies' spend
        they classify: the user must work in the new company and in every
        company whose purchase lines they classify."""
        company = self.env["res.company"].browse(company_id)
        allowed = self.env.companies
        self.env["purchase.order.line"].flush_model(["pareto_family_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT company_id FROM purchase_order_line
                    WHERE pareto_family_id = ANY(%s)""",
                self.ids,
            )
        )
        used = self.env["res.company"].browse(row[0] for row in self.env.cr.fetchall())
        if (company and company not in allowed) or used - allowed:
            raise AccessError(
                self.env._(
                    "The company of %(families)s can only be changed by a user working in "
                    "the new company and in every company whose purchases they classify.",
                    families=", ".join(self.mapped("display_name")),
                )
            )

    def _refresh_lines(self):
        """After a change of company: the lines of the products mapped to
        these families take their family again (a family of another company
        does not apply to a line)."""
        if not self:
            return
        Line = self.env["purchase.order.line"]
        categories = self.env["product.category"].search(
            [("pareto_effective_family_id", "in", self.ids)]
        )
        templates = self.env["product.template"].search([("pareto_family_id", "in", self.ids)])
        Line._pareto_refresh_families(categories=categories)
        Line._pareto_refresh_families(templates=templates)


# Commands of product_category_ids that only move existing categories.
MAPPING_COMMANDS = (Command.LINK, Command.UNLINK, Command.SET, Command.CLEAR)


def _normalize_commands(value):
    """The x2many ``value`` as a list of commands, as the ORM reads it."""
    if isinstance(value, tuple):
        return [value]
    if isinstance(value, models.BaseModel):
        return [Command.set(value.ids)]
    if value is False or value is None:
        return [Command.clear()]
    if value and not isinstance(value[0], (tuple, list)):
        return [Command.set(list(value))]
    return [tuple(command) for command in value]


def line_family_field(**kwargs):
    """The stored purchasing family of a line of spend (purchase order line,
    vendor bill line; or of a bill, its main one, with its own ``compute``):
    computed by the model's ``_compute_pareto_family_id``, indexed for the
    records that have one, emptied when the family goes. Its dependencies
    on the mappings are not declared: a mapping change updates existing
    lines in one SQL statement (``_pareto_refresh_families``) instead of
    recomputing millions of lines one by one."""
    attrs = {
        "string": "Purchasing Family",
        "compute": "_compute_pareto_family_id",
        "store": True,
        "index": "btree_not_null",
        "ondelete": "set null",
        **kwargs,
    }
    return fields.Many2one("pareto.family", **attrs)


def mapped_family_field(**attrs):
    """The purchasing family that a product category or template is mapped to
    by hand (empty: it takes the one it inherits)."""
    return fields.Many2one(
        "pareto.family",
        string="Purchasing Family",
        index="btree_not_null",
        ondelete="set null",
        **attrs,
    )


class ParetoFamilyMapped(models.AbstractModel):
    """What procurement managers map to purchasing families: product
    categories and templates. Mapping them moves their spend from one family
    to another (checked by ``pareto.family._check_mapping_change``); the
    purchase lines then take their family again (``_pareto_refresh_mapped_lines``)."""

    _name = "pareto.family.mapped"
    _description = "Mapped to a Purchasing Family"

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
        self._pareto_refresh_mapped_lines(vals)
        return result

    def _pareto_refresh_mapped_lines(self, vals):
        """After ``vals`` is written: the purchase lines of these records take
        their family again when it may have changed."""
