from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import planner_settings, spend_triggers
from ..tools.spend import SOURCES, spend_lines

# What the merge of the change log writes (see spend_triggers.merge_sql).
AGGREGATES = (
    "pareto.spend.daily", "pareto.spend.vendor", "pareto.spend.vendor.year",
    "pareto.spend.history",
)  # fmt: skip


class ParetoSpendDelta(models.Model):
    """The log of spend changes not merged into the aggregates yet.

    PostgreSQL triggers on purchase lines and orders, vendor bill lines and
    bills, and vendors append one row per changed (company, family, partner,
    day, source) with the signed difference: ``amount`` for
    ``pareto.spend.vendor``, ``total``/``sme_total`` for ``pareto.spend.daily``
    (see :mod:`pareto_odoo.tools.spend_triggers`). Appending never waits for
    another transaction, which is what lets many buyers confirm orders of
    one family at once. The merge (scheduled action, every few minutes)
    moves the rows into the aggregates in one statement; readers add the
    rows still here, so that figures are exact at any time.
    """

    _name = "pareto.spend.delta"
    _inherit = ["pareto.spend.vendor.mixin"]
    _description = "Spend Change Not Merged Yet"
    _log_access = False
    _order = "id"

    total = fields.Float(string="Family Spend", digits=(16, 6), readonly=True)
    sme_total = fields.Float(string="SME Spend", digits=(16, 6), readonly=True)

    _company_family_day_idx = models.Index("(company_id, family_id, day)")

    def init(self):
        # The aggregates are filled at install (post_init_hook) and upgrade
        # (migrations); here the triggers are (re)created with the code.
        cr = self.env.cr
        self._create_functions()
        for name, table, definition, function in spend_triggers.trigger_definitions():
            cr.execute(
                SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(name), SQL.identifier(table))
            )
            cr.execute(
                SQL(
                    "CREATE TRIGGER %s %s EXECUTE FUNCTION %s()",
                    SQL.identifier(name),
                    SQL(definition),
                    SQL.identifier(function),
                )
            )

    def _create_functions(self, bulk_rows=spend_triggers.BULK_ROWS):
        """(Re)create the trigger functions; ``bulk_rows``: see BULK_ROWS."""
        for statement in spend_triggers.function_definitions(bulk_rows):
            self.env.cr.execute(statement)

    def _drop_triggers(self):
        """Remove the triggers and their functions (uninstall)."""
        cr = self.env.cr
        for name, table, _definition, _function in spend_triggers.trigger_definitions():
            cr.execute(
                SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(name), SQL.identifier(table))
            )
        for function in spend_triggers.function_names():
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))

    @api.model
    def _merge(self):
        """Move the logged changes into the aggregates, in one statement
        (only the rows this transaction sees: those appended meanwhile wait
        for the next merge)."""
        self.env.cr.execute(
            spend_triggers.merge_sql(
                SQL("DELETE FROM pareto_spend_delta RETURNING %s", spend_triggers.DELTA_COLUMNS)
            )
        )
        self._invalidate_aggregates()

    @api.model
    def _cron_merge(self):
        self._merge()

    @api.model
    def _rebuild(self, flush=True):
        """Recompute both aggregates from the lines, in one set-based
        statement per source (install, repair)."""
        if flush:
            self.env.flush_all()
        cr = self.env.cr
        for model in (self._name, *AGGREGATES):
            cr.execute(SQL("DELETE FROM %s", SQL.identifier(self.env[model]._table)))
        # Hash joins: the rebuild reads every line.
        with planner_settings(cr, enable_nestloop="off"):
            for source in SOURCES:
                cr.execute(
                    spend_triggers.merge_sql(spend_triggers.delta_rows(spend_lines(source), source))
                )
        self.invalidate_model()
        self._invalidate_aggregates()

    def _invalidate_aggregates(self):
        for model in AGGREGATES:
            self.env[model].invalidate_model()
