from odoo.tools.sql import column_exists, create_column

from .tools.spend import SINCE_PARAMETER

# New stored columns of tables that hold millions of rows on a live database.
# Created here, before the ORM sees the fields, so that the ORM does not
# compute them record by record; post_init_hook fills them with set-based SQL.
_BIG_TABLE_COLUMNS = (
    ("purchase_order_line", "pareto_family_id", "int4"),
    ("account_move_line", "pareto_family_id", "int4"),
    ("account_move", "pareto_payment_date", "date"),
    ("account_move", "pareto_main_family_id", "int4"),
    ("purchase_order", "pareto_status", "varchar"),
    ("res_partner", "pareto_size", "varchar"),
    ("res_partner", "pareto_size_source", "varchar"),
    ("res_partner", "pareto_is_sme", "bool"),
    ("res_partner", "pareto_department", "varchar"),
    ("res_partner", "pareto_siren", "varchar"),
)


def pre_init_hook(env):
    for table, column, column_type in _BIG_TABLE_COLUMNS:
        if not column_exists(env.cr, table, column):
            create_column(env.cr, table, column, column_type)


def post_init_hook(env):
    partners = env["res.partner"].with_context(active_test=False)
    partners._pareto_fill_departments()
    partners._pareto_fill_sirens()
    env["account.move"]._pareto_fill_payment_dates()
    # No family exists yet at install: every line's family is rightly empty,
    # but the vendor aggregate counts the unclassified spend.
    env["pareto.spend.delta"]._rebuild()
    env["pareto.spend.history"]._fill()


# Demo records of Odoo's own models: the demo's orders, bills and payments (the
# company's history, which uninstalling keeps) refer to them.
_DEMO_KEPT_MODELS = (
    "res.partner",
    "product.product",
    "product.template",
    "product.category",
    "product.supplierinfo",
)


def _release_demo_records(env):
    """Hand the demo's vendors, contacts, products, categories and price lists
    over to the company: their external IDs of the addon go, so that the
    uninstall does not try to delete records that the kept history refers to
    (it logged one error per record). The demo's families go with the addon."""
    env["ir.model.data"].search(
        [
            ("module", "=", "pareto_odoo"),
            ("model", "in", _DEMO_KEPT_MODELS),
            ("name", "=like", "demo\\_%"),
        ]
    ).unlink()


def uninstall_hook(env):
    # The spend aggregate's triggers live on purchase tables that stay.
    env["pareto.spend.delta"]._drop_triggers()
    env["ir.config_parameter"].sudo().search([("key", "=", SINCE_PARAMETER)]).unlink()
    _release_demo_records(env)
