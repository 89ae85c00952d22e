"""19.0.1.1.0, before the module is updated.

- The spend aggregates gain vendor bills and a change log: drop the triggers
  of the former design (they wrote the family aggregate in place), empty that
  aggregate (rebuilt by end-migrate, with its new ``source`` column), and
  create the new column of vendor bill lines empty, so that the ORM does not
  compute it line by line on a table of millions of rows (end-migrate fills
  it set-based).
- Clear the local radii that are not finite numbers (a NaN radius made every
  geolocated vendor local), so that the stricter CHECK constraint of
  res.company can be added."""

import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, table_exists

_logger = logging.getLogger(__name__)

LEGACY_TRIGGERS = (
    ("pareto_spend_daily_lines_insert", "purchase_order_line"),
    ("pareto_spend_daily_lines_update", "purchase_order_line"),
    ("pareto_spend_daily_lines_delete", "purchase_order_line"),
    ("pareto_spend_daily_orders_update", "purchase_order"),
    ("pareto_spend_daily_orders_delete", "purchase_order"),
    ("pareto_spend_daily_partners_update", "res_partner"),
)
LEGACY_FUNCTIONS = (
    "pareto_spend_daily_on_lines",
    "pareto_spend_daily_on_orders",
    "pareto_spend_daily_on_order_delete",
    "pareto_spend_daily_on_partners",
)


def migrate(cr, version):
    if not version:
        return
    for trigger, table in LEGACY_TRIGGERS:
        cr.execute(
            SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(trigger), SQL.identifier(table))
        )
    for function in LEGACY_FUNCTIONS:
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))
    if table_exists(cr, "pareto_spend_daily"):
        cr.execute(SQL("DELETE FROM pareto_spend_daily"))
    if not column_exists(cr, "account_move_line", "pareto_family_id"):
        create_column(cr, "account_move_line", "pareto_family_id", "int4")
    for column, column_type in (("pareto_payment_date", "date"), ("pareto_main_family_id", "int4")):
        if not column_exists(cr, "account_move", column):
            create_column(cr, "account_move", column, column_type)
    cr.execute(
        SQL(
            """UPDATE res_company SET pareto_local_radius_km = 0
            WHERE pareto_local_radius_km = 'NaN'::float8
               OR pareto_local_radius_km IN ('Infinity'::float8, '-Infinity'::float8)"""
        )
    )
    if cr.rowcount:
        _logger.info("Pareto: local radius reset to 0 on %s companies (not a number).", cr.rowcount)
