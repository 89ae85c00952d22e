from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_date, formatLang


class ParetoComplianceAlert(models.Model):
    """One alert per family, company and period whose SME share fell below
    target: it carries the activities scheduled for the procurement managers,
    and its existence is what keeps the alert to once per period."""

    _name = "pareto.compliance.alert"
    _description = "SME Share Alert"
    _inherit = ["mail.thread", "mail.activity.mixin", "pareto.write.guard"]
    _order = "period_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    family_id = fields.Many2one(
        "pareto.family",
        string="Purchasing Family",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    period_start = fields.Date(required=True, readonly=True)
    period_end = fields.Date(required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total = fields.Monetary(string="Spend", readonly=True)
    sme_total = fields.Monetary(string="SME Spend", readonly=True)
    share = fields.Float(string="SME Share (%)", digits=(16, 1), readonly=True)
    target = fields.Float(string="Target (%)", digits=(16, 1), readonly=True)
    shift_amount = fields.Monetary(string="Shift to SMEs", readonly=True)

    _family_period_uniq = models.UniqueIndex(
        "(company_id, family_id, period_start)",
        "A family is alerted at most once per period.",
    )

    # What the alert measured: written once, by the scheduled check.
    _snapshot_fields = (
        "company_id",
        "family_id",
        "period_start",
        "period_end",
        "total",
        "sme_total",
        "share",
        "target",
        "shift_amount",
    )

    def write(self, vals):
        # Managers follow up alerts (activities, messages); what an alert
        # measured is not theirs to change.
        if not self.env.su and not set(vals).isdisjoint(self._snapshot_fields):
            raise AccessError(
                self.env._("An SME share alert records what was measured: it cannot be changed.")
            )
        return super().write(vals)

    @api.depends("family_id", "period_start", "period_end")
    def _compute_name(self):
        # Stored in the source language (for searching); display_name and the
        # activities follow each reader's language.
        for alert in self:
            alert.name = alert._title()

    @api.depends_context("lang")
    @api.depends("family_id", "period_start", "period_end")
    def _compute_display_name(self):
        for alert in self:
            alert.display_name = alert._title()

    def _title(self):
        """The alert's title in the language of its environment."""
        self.ensure_one()
        return self.env._(
            "%(family)s below its SME target (%(start)s – %(end)s)",
            family=self.family_id.display_name,
            start=format_date(self.env, self.period_start),
            end=format_date(self.env, self.period_end),
        )

    def _activity_texts(self):
        """(summary, note) of the activity of this alert, in the language of
        its environment: the cron runs without one, so each manager's
        activity is written in the manager's language."""
        self.ensure_one()
        env = self.env
        family = self.family_id.display_name
        note = env._(
            "The SME share of %(family)s is %(share)s for %(start)s – %(end)s, below its "
            "target of %(target)s: %(shift)s of spend should move to SMEs.",
            family=family,
            share=f"{formatLang(env, self.share, digits=1)}\N{NO-BREAK SPACE}%",
            target=f"{formatLang(env, self.target, digits=1)}\N{NO-BREAK SPACE}%",
            start=format_date(env, self.period_start),
            end=format_date(env, self.period_end),
            shift=formatLang(env, self.shift_amount, currency_obj=self.currency_id),
        )
        return env._("SME share below target: %s", family), note

    @api.model
    def _managers(self, company):
        group = self.env.ref("purchase.group_purchase_manager")
        return group.all_user_ids.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        )

    @api.model
    def _notify(self, company, row, start, end):
        """The alert of ``row`` (a family table row) with one To Do activity
        per procurement manager of ``company``; nothing if this family was
        already alerted in this period."""
        alert = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("family_id", "=", row["family_id"]),
                ("period_start", "=", start),
            ],
            limit=1,
        )
        if alert:
            return self.browse()
        alert = (
            self.sudo()
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(
                {
                    "company_id": company.id,
                    "family_id": row["family_id"],
                    "period_start": start,
                    "period_end": end,
                    "total": row["total"],
                    "sme_total": row["sme_total"],
                    "share": row["share"],
                    "target": row["target"],
                    "shift_amount": row["shift_amount"],
                }
            )
        )
        for user in self._managers(company):
            # The activity, its summary and note, in the manager's language.
            in_lang = alert.with_context(lang=user.lang or company.partner_id.lang)
            summary, note = in_lang._activity_texts()
            in_lang.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
            )
        return alert

    def action_open_lines(self):
        """The spend lines of this alert's family and period."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pareto_odoo.action_pareto_spend_report_lines"
        )
        action["domain"] = [
            ("company_id", "=", self.company_id.id),
            ("family_id", "=", self.family_id.id),
            ("date", ">=", self.period_start),
            ("date", "<=", self.period_end),
        ]
        action["context"] = {"search_default_group_partner": 1}
        return action
