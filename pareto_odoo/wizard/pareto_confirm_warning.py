from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import compliance


class ParetoConfirmWarning(models.TransientModel):
    """Shown when a buyer confirms an order whose vendor is not an SME and
    which leaves the SME share of a purchasing family below target: it
    pushes the share below target, or lowers it further below. Non
    blocking by default ("Confirm anyway"); the company setting
    ``pareto_require_justification`` makes the justification required."""

    _name = "pareto.confirm.warning"
    _description = "SME Share Warning on Confirmation"

    order_ids = fields.Many2many("purchase.order", string="Orders", required=True)
    summary = fields.Html(compute="_compute_summary", sanitize=False)
    justification_required = fields.Boolean(compute="_compute_justification_required")
    justification = fields.Text(
        help="Why this order goes to a non-SME vendor although the family is below its SME "
        "target. Stored on the order and posted in its chatter."
    )

    @api.model
    def _lowering(self, rows):
        """{"pushes": [family names], "keeps": [family names]} of the figures
        of the families an order lowers below target
        (``purchase.order._pareto_lowered_families()``): those it pushes
        below target, and those already below it that it keeps below; False
        for none."""
        if not rows:
            return False
        names = {"pushes": [], "keeps": []}
        for row in rows:
            names[self._lowering_kind(row)].append(row["family_name"])
        return names

    @api.model
    def _lowering_kind(self, row):
        return "keeps" if compliance.already_below(row["share"], row["target"]) else "pushes"

    @api.depends("order_ids")
    def _compute_summary(self):
        effects = {
            "pushes": self.env._("Falls below target with this order"),
            "keeps": self.env._("Already below target, lower with this order"),
        }
        head = Markup(
            "<thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th>%s</th></tr></thead>"
        ) % (
            self.env._("Order"),
            self.env._("Family"),
            self.env._("Target"),
            self.env._("Current share"),
            self.env._("With this order"),
            self.env._("To shift in the period"),
            self.env._("Effect"),
        )
        for wizard in self:
            rows = [
                Markup(
                    "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td><td class='text-end text-danger'>%s</td>"
                    "<td class='text-end'>%s</td><td class='o_pareto_effect_%s'>%s</td></tr>"
                )
                % (
                    order.name,
                    row["family_name"],
                    order._pareto_format_share(row["target"]),
                    order._pareto_format_share(row["share"]),
                    order._pareto_format_share(row["projected_share"]),
                    order._pareto_format_amount(row["shift_amount"]),
                    self._lowering_kind(row),
                    effects[self._lowering_kind(row)],
                )
                for order, families in wizard.order_ids._pareto_confirmation_warnings().items()
                for row in families
            ]
            wizard.summary = Markup(
                "<table class='table table-sm o_pareto_confirm_warning_table'>%s<tbody>%s"
                "</tbody></table>"
            ) % (head, Markup().join(rows))

    @api.depends("order_ids.company_id.pareto_require_justification")
    def _compute_justification_required(self):
        for wizard in self:
            wizard.justification_required = any(
                wizard.order_ids.company_id.mapped("pareto_require_justification")
            )

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SME share below target"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_confirm(self):
        """Confirm the orders, store the justification and post it with the
        families concerned in each order's chatter."""
        self.ensure_one()
        justification = (self.justification or "").strip()
        if self.justification_required and not justification:
            raise UserError(
                self.env._(
                    "Give a justification: your company requires one to confirm an order "
                    "that lowers the SME share of a family below target."
                )
            )
        for order, families in self.order_ids._pareto_confirmation_warnings().items():
            order._pareto_post_justification(families, justification)
        return self.order_ids.with_context(pareto_skip_warning=True).button_confirm()
