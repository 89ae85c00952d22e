from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import spend_triggers
from ..tools.spend import SINCE_PARAMETER, flush_spend, since_sql, window_start


class ParetoSpendHistory(models.Model):
    """The spend per company, purchasing family, partner and source since
    the first day of the history window (``pareto_odoo.history_since``):
    what the SME suggestions read instead of 24 months of lines, whatever
    their number.

    Kept exact by the same statement that merges the change log into
    ``pareto.spend.vendor`` (rows of days from the first day on); the nightly
    slide moves the first day to 24 months before today, subtracting the
    days that left the window. Readers subtract the days between the first
    day and their own window start and add the changes not merged yet, so
    that a volume is exact at any time (see :meth:`_volume_rows_sql`). The
    partner is the aggregate's (the order's partner, the bill's vendor
    company); the vendors' size is joined when reading."""

    _name = "pareto.spend.history"
    _description = "Spend per Vendor and Purchasing Family over the History Window"
    _log_access = False
    _order = "company_id, family_id, partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    family_id = fields.Many2one(
        "pareto.family", string="Purchasing Family", required=True, readonly=True,
        ondelete="cascade",
    )  # fmt: skip
    partner_id = fields.Many2one("res.partner", required=True, readonly=True, ondelete="cascade")
    source = fields.Selection(
        [("order", "Purchase order"), ("bill", "Vendor bill")], required=True, readonly=True
    )
    amount = fields.Float(string="Spend", digits=(16, 6), readonly=True)

    # Also what the suggestions read, in an index-only scan.
    _key_uniq = models.UniqueIndex(
        "(company_id, source, family_id, partner_id) INCLUDE (amount)",
        "One history row per company, source, family and partner.",
    )

    @api.model
    def _since(self):
        """The snapshot's first day, or None before the first fill."""
        self.env.cr.execute(SQL("SELECT %s", since_sql()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _fill(self, day=None):
        """Recompute the snapshot from the vendor aggregate, first day ``day``
        (default: the window start of now); install and upgrade."""
        day = day or window_start(fields.Datetime.now())
        flush_spend(self.env)
        self._lock()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM pareto_spend_history"))
        cr.execute(spend_triggers.history_sql(SQL("pareto_spend_vendor"), day))
        self._set_since(day)

    @api.model
    def _slide(self, day=None):
        """Move the first day forward to ``day`` (default: the window start of
        now), subtracting the days that leave the window: a day of the
        aggregate, not the whole history. Fills the snapshot when there is
        none yet."""
        day = day or window_start(fields.Datetime.now())
        flush_spend(self.env)
        self._lock()
        since = self._since()
        if since is None or day < since:
            return self._fill(day)
        if day == since:
            return None
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH gone AS (
                    SELECT company_id, source, family_id, partner_id, SUM(amount) AS amount
                      FROM pareto_spend_vendor
                     WHERE family_id IS NOT NULL AND day >= %(since)s AND day < %(day)s
                     GROUP BY company_id, source, family_id, partner_id
                )
                UPDATE pareto_spend_history history
                   SET amount = history.amount - gone.amount
                  FROM gone
                 WHERE history.company_id = gone.company_id AND history.source = gone.source
                   AND history.family_id = gone.family_id AND history.partner_id = gone.partner_id
                """,
                since=since,
                day=day,
            )
        )
        cr.execute(SQL("DELETE FROM pareto_spend_history WHERE amount = 0"))
        self._set_since(day)
        return None

    @api.model
    def _cron_slide(self):
        self._slide()

    def _lock(self):
        """Wait for the merges in progress and hold the next ones until
        commit: a merge writes this table and the vendor aggregate in one
        statement, so the snapshot and the aggregate read here agree."""
        self.env.cr.execute(SQL("LOCK TABLE pareto_spend_history IN SHARE ROW EXCLUSIVE MODE"))

    def _set_since(self, day):
        self.env["ir.config_parameter"].sudo().set_param(SINCE_PARAMETER, day.isoformat())
        self.env["ir.config_parameter"].flush_model()  # read in SQL by the merges
        self.invalidate_model()

    @api.model
    def _volume_rows_sql(self, company_id, source, family_ids, start):
        """SELECT partner_id, family_id, amount: the spend of the company
        (from the source ``source``, a name) in the families, from the day
        ``start`` on, as signed rows to sum by partner and family: the
        snapshot minus its days before ``start``, plus the changes not
        merged yet; without a snapshot (or one starting after ``start``),
        the vendor aggregate itself."""
        flush_spend(self.env)
        since = self._since()
        scope = SQL(
            "company_id = %s AND source = %s AND family_id = ANY(%s::int4[])",
            company_id,
            source,
            list(family_ids),
        )
        if since is None or since > start:
            parts = [
                SQL(
                    "SELECT partner_id, family_id, amount FROM pareto_spend_vendor "
                    "WHERE %s AND day >= %s",
                    scope,
                    start,
                )
            ]
        else:
            parts = [
                SQL(
                    "SELECT partner_id, family_id, amount FROM pareto_spend_history WHERE %s", scope
                ),
                SQL(
                    "SELECT partner_id, family_id, -amount FROM pareto_spend_vendor "
                    "WHERE %s AND day >= %s AND day < %s",
                    scope,
                    since,
                    start,
                ),
            ]
        parts.append(
            SQL(
                "SELECT partner_id, family_id, amount FROM pareto_spend_delta "
                "WHERE %s AND day >= %s",
                scope,
                start,
            )
        )
        return SQL(" UNION ALL ").join(parts)
