from collections import defaultdict

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import formatLang

from ..engine import compliance, payments, suggestions
from ..tools import params
from .payment_term_fields import (
    days_over_cap_field,
    over_cap_field,
    search_over_cap,
    set_over_cap,
)


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "pareto.write.guard"]

    # ------------------------------------------------------------------
    # Compliance (SME share per purchasing family)
    # ------------------------------------------------------------------

    # The states in which confirming is still to come, and the fields whose
    # change moves the compliance figures of the order.
    _pareto_confirmable_states = ("draft", "sent")
    _pareto_compliance_depends = (
        "order_line.price_subtotal",
        "order_line.pareto_family_id",
        "order_line.display_type",
        "order_line.is_downpayment",
        "partner_id",
        "company_id",
        "currency_id",
        "state",
        "date_approve",
    )

    pareto_compliance = fields.Json(
        string="SME Share per Family",
        compute="_compute_pareto_compliance",
        help="What the compliance widget shows: for each purchasing family of the order, "
        "the SME share of the period without and with this order.",
    )
    # Stored for the list badge and the "Below target" filter. Recomputed when
    # the order changes and, for open requests for quotation, every night (the
    # other orders of the period move it too); a confirmed order keeps the
    # status it had when confirmed. Its column is created empty at install
    # (hooks.py): no family exists yet, so no order has a status.
    pareto_status = fields.Selection(
        [
            (compliance.OK, "On target"),
            (compliance.WARNING, "Near target"),
            (compliance.BELOW, "Below target"),
        ],
        string="SME Share",
        compute="_compute_pareto_status",
        store=True,
        copy=False,
        help="Worst status of the order's purchasing families, this order included: on "
        "target, within the warning margin below it, or below it. Empty when no line has a "
        "purchasing family.",
    )
    pareto_justification = fields.Text(
        string="Below-Target Justification",
        copy=False,
        readonly=True,
        tracking=True,
        help="Why this order was confirmed although its non-SME vendor lowers the SME "
        "share of a purchasing family that is below target.",
    )

    pareto_payment_term_days_over = days_over_cap_field()
    pareto_payment_term_over_cap = over_cap_field(
        help="An order to an SME vendor whose payment term can exceed the legal cap of "
        "art. L.441-10 (60 days from the invoice date, or 45 days end of month).",
    )

    @api.depends("payment_term_id", "partner_id.commercial_partner_id.pareto_is_sme")
    def _compute_pareto_payment_term_over_cap(self):
        for order in self:
            set_over_cap(order, order.payment_term_id, order.partner_id)

    def _search_pareto_payment_term_over_cap(self, operator, value):
        return search_over_cap(
            self, operator, value, "partner_id.commercial_partner_id", "payment_term_id"
        )

    def _pareto_vendor_dependency(self):
        """The vendor's dependency on us for the widget: ``share`` (last 12
        months), ``projected_share`` (with this order's untaxed amount, while
        it is to be confirmed), ``threshold``, ``year`` of the turnover and
        ``dependent`` (projected above the threshold); None without a known
        turnover."""
        self.ensure_one()
        vendor = self.partner_id.commercial_partner_id
        share = self.env["res.partner"]._pareto_dependencies(vendor).get(vendor.id)
        if share is None:
            return None
        company = self.company_id
        projected = share
        if self.state in self._pareto_confirmable_states:
            amount = (self.currency_id or company.currency_id)._convert(
                self.amount_untaxed, company.currency_id, company, fields.Date.context_today(self)
            )
            projected = share + payments.dependency(amount, vendor.pareto_turnover)
        threshold = company.pareto_dependency_threshold
        return {
            "share": share,
            "projected_share": projected,
            "threshold": threshold,
            "year": vendor.pareto_finance_year or vendor.pareto_size_year or False,
            "dependent": payments.is_dependent(projected, threshold),
        }

    @api.depends(*_pareto_compliance_depends)
    @api.depends_context("uid", "tz")
    def _compute_pareto_compliance(self):
        for order in self:
            company = order.company_id
            if not company or not (self.env.su or company in self.env.user.company_ids):
                order.pareto_compliance = False
                continue
            families = order._pareto_compliance_figures()
            if not families:
                order.pareto_compliance = False
                continue
            vendor = order.partner_id.commercial_partner_id
            lowered = (
                order._pareto_lowered_families(families)
                if order.state in self._pareto_confirmable_states
                else []
            )
            order.pareto_compliance = {
                "families": [
                    dict(
                        row,
                        order_total=company.currency_id.round(
                            row["projected_total"] - row["total"]
                        ),
                        shown_status=compliance.shown_status(row["status"], row["projected_total"]),
                        period_start=fields.Date.to_string(row["period_start"]),
                        period_end=fields.Date.to_string(row["period_end"]),
                    )
                    for row in families
                ],
                "period_start": fields.Date.to_string(families[0]["period_start"]),
                "period_end": fields.Date.to_string(families[0]["period_end"]),
                "currency_id": company.currency_id.id,
                "margin": company.pareto_warning_margin,
                "justification_required": company.pareto_require_justification,
                "vendor_name": vendor.display_name or "",
                "vendor_is_sme": bool(vendor.pareto_is_sme),
                "vendor_excluded": bool(vendor.pareto_excluded),
                "status_labels": self.env["pareto.compliance.dashboard"]._status_labels(),
                "warning": self.env["pareto.confirm.warning"]._lowering(lowered),
                "dependency": order._pareto_vendor_dependency(),
            }

    @api.depends(*_pareto_compliance_depends)
    def _compute_pareto_status(self):
        for order in self:
            if order.state == "cancel" or not order.company_id:
                order.pareto_status = False
                continue
            figures = order.sudo()._pareto_compliance_figures()
            order.pareto_status = compliance.worst_status(row["status"] for row in figures) or False

    @api.readonly
    def get_pareto_compliance(self):
        """The SME share of each purchasing family of this order, one dict per
        family (by family name), keys as in DESIGN.md:

        ``family_id``, ``family_name``, ``target``, ``period_start``,
        ``period_end`` (inclusive dates of the company's period containing
        the spend date: the confirmation date in the user's timezone, today
        for an order not confirmed yet), ``total`` and ``sme_total`` (the
        company's confirmed spend of the period in the family, this order
        excluded, vendors flagged ``pareto_excluded`` left out, in company
        currency), ``share`` (None without spend), ``projected_total``,
        ``projected_sme_total`` and ``projected_share`` (with this order's
        lines, saved or not), ``shift_amount`` and ``status`` (``ok`` /
        ``warning`` / ``below``, with the company's warning margin) on the
        projected figures. Works on a record being edited (new lines
        included). A cancelled order adds nothing.
        """
        self.ensure_one()
        if self._origin.id:
            self._origin.check_access("read")
        company = self.company_id
        if company and not self.env.su and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._("You cannot see the purchasing figures of this order's company.")
            )
        return self._pareto_compliance_figures()

    def _pareto_spend_date(self):
        """The order's confirmation date in the user's timezone; today for an
        order not confirmed yet."""
        self.ensure_one()
        tz = self.env.tz
        if self.state == "purchase" and self.date_approve:
            return pytz.utc.localize(self.date_approve).astimezone(tz).date()
        return fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()

    def _pareto_order_amounts(self, spend_date):
        """{family_id: amount} of this order's own lines (in memory: saved or
        not), in company currency: as the aggregate converts it once the
        order is confirmed, with Odoo's rate of the spend date before."""
        self.ensure_one()
        amounts = defaultdict(float)
        if self.state == "cancel":
            return amounts
        company = self.company_id
        currency = self.currency_id or company.currency_id
        confirmed = self.state == "purchase" and self.currency_rate
        for line in self.order_line:
            family = line.pareto_family_id
            if not family or line.display_type or line.is_downpayment:
                continue
            if confirmed:
                amount = line.price_subtotal / self.currency_rate
            else:
                amount = currency._convert(
                    line.price_subtotal, company.currency_id, company, spend_date, round=False
                )
            amounts[family.id] += amount
        return amounts

    def _pareto_compliance_figures(self):
        """get_pareto_compliance() without the access checks."""
        self.ensure_one()
        company = self.company_id
        family_ids = {line.pareto_family_id.id for line in self.order_line} - {False}
        if not company or not family_ids:
            return []
        # Only what is needed of the company (a full read costs more than the
        # compliance query itself).
        company.fetch(
            [
                "currency_id",
                "pareto_period",
                "pareto_warning_margin",
                "fiscalyear_last_day",
                "fiscalyear_last_month",
                "pareto_spend_basis",
            ]
        )
        company.currency_id.fetch(["rounding"])
        spend_date = self._pareto_spend_date()
        start, end = company._pareto_period_bounds(spend_date)
        families = (
            self.env["pareto.family"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "in", list(family_ids))])
        )
        spend = self.env["pareto.spend.daily"]._family_spend(
            company, families.ids, start, end, exclude_order_id=self._origin.id
        )
        vendor = self.partner_id.commercial_partner_id
        amounts = {} if vendor.pareto_excluded else self._pareto_order_amounts(spend_date)
        round_amount = company.currency_id.round
        result = []
        for family in families:
            total, sme_total = spend.get(family.id, (0.0, 0.0))
            order_total = round_amount(amounts.get(family.id, 0.0))
            figures = compliance.family_figures(
                family.target_share or 0.0,
                company.pareto_warning_margin,
                round_amount(total),
                round_amount(sme_total),
                order_total,
                order_total if vendor.pareto_is_sme else 0.0,
            )
            for key in ("projected_total", "projected_sme_total", "shift_amount"):
                figures[key] = round_amount(figures[key])
            result.append(
                {
                    "family_id": family.id,
                    "family_name": family.with_env(self.env).display_name,
                    "period_start": start,
                    "period_end": end,
                    **figures,
                }
            )
        return result

    def _pareto_lowered_families(self, figures=None):
        """The figures of the families this order pulls down while they are
        below target: the vendor is not an SME (nor excluded from shares),
        the order adds spend to the family and the projected share is below
        target by more than the warning margin (the order lowers the share,
        or keeps it at 0%)."""
        self.ensure_one()
        if self.state == "cancel":
            return []
        vendor = self.partner_id.commercial_partner_id
        if vendor.pareto_is_sme or vendor.pareto_excluded:
            return []
        if figures is None:
            # The figures read the whole company's spend, as superuser: only
            # for an order the user may read (its company's rules included).
            self.check_access("read")
            figures = self.sudo()._pareto_compliance_figures()
        return [
            row
            for row in figures
            if row["status"] == compliance.BELOW and row["projected_total"] > row["total"]
        ]

    def _pareto_confirmation_warnings(self):
        """{order: lowered family figures} of the orders about to be
        confirmed that need the below-target warning."""
        warnings = {}
        for order in self:
            if order.state in self._pareto_confirmable_states:
                lowered = order._pareto_lowered_families()
                if lowered:
                    warnings[order] = lowered
        return warnings

    def button_confirm(self):
        # The warning is for buyers: the form's Confirm buttons ask for it
        # (pareto_check_compliance); the wizard confirms with
        # pareto_skip_warning. Other callers (code, imports, other modules)
        # confirm as before, unless the company requires a justification.
        interactive = self.env.context.get("pareto_check_compliance")
        if not self.env.context.get("pareto_skip_warning") and (
            interactive or any(self.company_id.mapped("pareto_require_justification"))
        ):
            warnings = self._pareto_confirmation_warnings()
            if warnings and interactive:
                wizard = self.env["pareto.confirm.warning"].create(
                    {"order_ids": [Command.set(self.ids)]}
                )
                return wizard._action_open()
            missing = [
                order
                for order in warnings
                if order.company_id.pareto_require_justification and not order.pareto_justification
            ]
            if missing and not self.env.su:
                raise UserError(
                    self.env._(
                        "%(orders)s lower the SME share of purchasing families below target "
                        "(%(families)s): confirm them from the order form and give a "
                        "justification.",
                        orders=", ".join(order.display_name for order in missing),
                        families=", ".join(
                            sorted({row["family_name"] for o in missing for row in warnings[o]})
                        ),
                    )
                )
        return super().button_confirm()

    def _pareto_post_justification(self, families, justification):
        """Store the justification of confirming below target and post it,
        with the families concerned, in the chatter."""
        self.ensure_one()
        if justification:
            self.pareto_justification = justification
        items = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(family)s: SME share %(share)s → %(projected)s (target %(target)s), "
                "%(shift)s to shift to SMEs",
                family=row["family_name"],
                share=self._pareto_format_share(row["share"]),
                projected=self._pareto_format_share(row["projected_share"]),
                target=self._pareto_format_share(row["target"]),
                shift=self._pareto_format_amount(row["shift_amount"]),
            )
            for row in families
        )
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Confirmed although it lowers the SME share of families below target:"),
            items,
        )
        if justification:
            body += Markup("<p><b>%s</b> %s</p>") % (self.env._("Justification:"), justification)
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _pareto_format_share(self, share):
        return "—" if share is None else f"{formatLang(self.env, share, digits=1)} %"

    def _pareto_format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.company_id.currency_id)

    @api.model
    def _cron_pareto_refresh_status(self):
        """Refresh the status of the open requests for quotation: the other
        orders of the period move it too."""
        orders = self.search([("state", "in", ("draft", "sent", "to approve"))])
        for batch in orders._pareto_batches(500):
            self.env.add_to_compute(self._fields["pareto_status"], batch)
            batch._recompute_recordset(["pareto_status"])
            batch.flush_recordset(["pareto_status"])
            batch.invalidate_recordset(["pareto_status"])

    def _pareto_batches(self, size):
        for index in range(0, len(self), size):
            yield self[index : index + size]

    # ------------------------------------------------------------------
    # Suggestions of SMEs
    # ------------------------------------------------------------------

    # The states in which an order is still a request for quotation.
    _pareto_rfq_states = ("draft", "sent", "to approve")

    pareto_origin_order_id = fields.Many2one(
        "purchase.order",
        string="Alternative Of",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        check_company=True,
        help="The request for quotation this one was requested as an alternative to, "
        "from the SME suggestions.",
    )
    pareto_alternative_ids = fields.One2many(
        "purchase.order",
        "pareto_origin_order_id",
        string="Alternative RFQs",
        readonly=True,
        help="Requests for quotation sent to suggested SMEs for the same lines.",
    )
    pareto_alternatives_tab = fields.Boolean(compute="_compute_pareto_alternatives_tab")

    @api.readonly
    def get_pareto_suggestions(self, limit=5):
        """The best ``limit`` SMEs that could take this order, best first.

        Candidates are the active SME vendors visible to the order's company
        (not owned by another company, not flagged ``pareto_excluded``, never
        the order's own vendor) that either supply one of the order's products
        (``product.supplierinfo``: ``reason`` ``supplies_product``, with their
        price in the order's currency and their lead time) or that the company
        bought from in one of the order's families over the last 24 months
        (``reason`` ``family_history``, with that spend as ``volume``, in
        company currency). Only the saved lines with a purchasing family
        count: an order without any family (or not saved yet) gets ``[]``.
        Ranked by the engine (:func:`pareto_odoo.engine.suggestions.rank_candidates`):
        local first, then supplying the product, then distance, then price.
        Keys and meaning: see DESIGN.md.
        """
        self.ensure_one()
        if not isinstance(self.id, int):
            return []  # suggestions come from the saved lines
        self.check_access("read")
        limit = params.parse_int(self.env, limit, "limit", default=5, minimum=0)
        return self.env["pareto.suggestions"]._suggestions(self, limit)

    @api.readonly
    def get_pareto_suggestions_panel(self, limit=5):
        """What the suggestions panel of the RFQ form shows: the suggestions
        of :meth:`get_pareto_suggestions` with their labels, and what the
        user may do with them."""
        self.ensure_one()
        results = self.get_pareto_suggestions(limit=limit)
        sizes = dict(
            self.env["res.partner"]._fields["pareto_size"]._description_selection(self.env)
        )
        families = self.env["pareto.family"].browse({row["family_id"] for row in results})
        family_names = {family.id: family.display_name for family in families}
        reasons = {
            suggestions.SUPPLIES_PRODUCT: self.env._("Supplies a product of the order"),
            suggestions.FAMILY_HISTORY: self.env._("Already bought from in the family"),
        }
        for row in results:
            row["size_label"] = sizes.get(row["pareto_size"], "")
            row["family_name"] = family_names.get(row["family_id"], "")
            row["reason_label"] = reasons[row["reason"]]
        return {
            "suggestions": results,
            "has_family": any(line.pareto_family_id for line in self.order_line),
            "can_replace": self.state == "draft",
            "can_request": self.state in self._pareto_rfq_states,
            "currency_id": self.currency_id.id,
            "company_currency_id": self.company_id.currency_id.id,
        }

    def _pareto_suggested_partner(self, partner_id):
        """The commercial partner ``partner_id`` if it may be suggested for
        this order; a UserError otherwise."""
        partner_id = params.parse_id(self.env, partner_id, "partner_id")
        partner = self.env["res.partner"].browse(partner_id).exists()
        partner = partner.commercial_partner_id
        if not partner:
            raise UserError(self.env._("This vendor no longer exists."))
        partner.check_access("read")
        if (
            not partner.active
            or not partner.pareto_is_sme
            or (partner.company_id and partner.company_id != self.company_id)
        ):
            raise UserError(
                self.env._(
                    "%s cannot be suggested for this order: only active SMEs available "
                    "to the order's company can.",
                    partner.display_name,
                )
            )
        if partner == self.partner_id.commercial_partner_id:
            raise UserError(self.env._("%s is already the vendor of this order.", partner.name))
        return partner

    def action_pareto_replace_vendor(self, partner_id):
        """Make the suggested SME the vendor of this draft RFQ (prices, taxes
        and payment terms follow the new vendor, as when changing it by hand)."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                self.env._("The vendor can only be replaced on a draft request for quotation.")
            )
        partner = self._pareto_suggested_partner(partner_id)
        self.partner_id = partner
        self.onchange_partner_id()
        self.order_line._compute_tax_id()
        return True

    def action_pareto_request_quotation(self, partner_id):
        """Create a draft RFQ for the suggested SME with the same lines, linked
        to the original RFQ as an alternative, and open it."""
        self.ensure_one()
        if self.state not in self._pareto_rfq_states:
            raise UserError(
                self.env._(
                    "Alternative quotations can only be requested for a request for "
                    "quotation, not for a confirmed or cancelled order."
                )
            )
        partner = self._pareto_suggested_partner(partner_id)
        Order = self.env["purchase.order"].with_company(self.company_id)
        if self._pareto_requisition_alternatives():
            # purchase_requisition groups the alternatives of an order (its
            # Alternatives tab, comparison of lines): join that group.
            Order = Order.with_context(origin_po_id=self.id)
        alternative = Order.create(self._pareto_alternative_values(partner))
        alternative.onchange_partner_id()
        alternative.order_line._compute_tax_id()
        return {
            "type": "ir.actions.act_window",
            "res_model": "purchase.order",
            "res_id": alternative.id,
            "views": [(False, "form")],
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _pareto_requisition_alternatives(self):
        """Whether ``purchase_requisition`` (installed) keeps the alternatives
        of orders: then the SME alternatives join its groups and its tab shows
        them, instead of this addon's own."""
        return "alternative_po_ids" in self._fields

    @api.depends_context("uid")
    def _compute_pareto_alternatives_tab(self):
        self.pareto_alternatives_tab = not self._pareto_requisition_alternatives()

    def _pareto_alternative_values(self, partner):
        self.ensure_one()
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "date_order": self.date_order,
            "user_id": self.user_id.id,
            "dest_address_id": self.dest_address_id.id,
            "origin": self.origin,
            "pareto_origin_order_id": (self.pareto_origin_order_id or self).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "product_qty": line.product_qty,
                        "product_uom_id": line.product_uom_id.id,
                        "display_type": line.display_type,
                        "analytic_distribution": line.analytic_distribution,
                        # Product lines take the new vendor's description.
                        **({"name": line.name} if line.display_type else {}),
                    }
                )
                for line in self.order_line
                if not line.is_downpayment
            ],
        }
