"""Fill an Odoo 19 database with confirmed purchase lines, fast, for benchmarks.

    python3 bench/datagen.py --db DB --lines 1000000 --companies 2 --families 10 \
        --vendors 5000 [--partners 100000 --sme-partners 10000]

The database must have ``purchase`` installed; ``pareto_odoo`` may be installed
or not (the install benchmark fills the database first, then installs it).
Small reference records (companies, categories, products, families) go through
the ORM; the bulk (partners, orders, lines) is cloned in SQL from one template
row of each table made by the ORM, so every NOT NULL column gets a sane value.
Everything is seeded: the same arguments give the same data.
"""

import argparse
import logging
import os
import sys
import time

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO_ROOT)
from pareto_odoo.engine.territory import department_from_zip  # noqa: E402

_logger = logging.getLogger("datagen")

# Zip codes of the vendors: a third in Île-de-France, the rest elsewhere.
ZIPS = [
    "75011", "75015", "92100", "93200", "94300", "91300", "77100", "78000", "95000",
    "69003", "13001", "31000", "33000", "44000", "59000", "67000", "35000", "06000",
    "34000", "21000", "20000", "97400", "38000", "63000", "76000", "87000", "29200",
]  # fmt: skip
# Size classes of non-SME partners (the rest of --sme-partners are SMEs).
NON_SME_SIZES = ["intermediate", "large", None]
SME_SIZES = ["micro", "small", "medium"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--lines-per-order", type=int, default=20)
    parser.add_argument("--companies", type=int, default=2)
    parser.add_argument("--families", type=int, default=10)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--vendors", type=int, default=5000, help="partners that have orders")
    parser.add_argument("--partners", type=int, default=None, help="all partners (>= vendors)")
    parser.add_argument("--sme-partners", type=int, default=None, help="SMEs among partners")
    parser.add_argument("--months", type=int, default=24, help="spread of confirmation dates")
    args = parser.parse_args(argv)
    args.partners = max(args.partners or args.vendors, args.vendors)
    if args.sme_partners is None:
        args.sme_partners = args.partners * 2 // 5
    return args


def default_addons_path():
    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    return f"{core},{REPO_ROOT}"


def open_env(args):
    config.parse_config(
        ["-d", args.db, "--addons-path", args.addons_path or default_addons_path()],
        setup_logging=False,
    )
    registry = Registry(args.db)
    cr = registry.cursor()
    return api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def columns_of(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
            table,
        )
    )
    return [name for (name,) in cr.fetchall()]


def clone_sql(cr, table, template_id, overrides, series_sql, extra_from=None):
    """INSERT INTO table SELECT template's columns, some replaced by SQL
    expressions (which may use ``n``, the series number), for each n."""
    columns = columns_of(cr, table)
    select = [overrides.get(col, SQL.identifier("template", col)) for col in columns]
    return SQL(
        "INSERT INTO %(table)s (%(columns)s) SELECT %(select)s "
        "FROM %(table)s template, %(series)s AS n %(extra)s WHERE template.id = %(template)s",
        table=SQL.identifier(table),
        columns=SQL(", ").join(SQL.identifier(col) for col in columns),
        select=SQL(", ").join(select),
        series=series_sql,
        extra=extra_from or SQL(),
        template=template_id,
    )


def generate(env, args):
    cr = env.cr
    has_pareto = "pareto.family" in env
    started = time.monotonic()
    france = env.ref("base.fr")

    companies = env["res.company"].search([], order="id", limit=args.companies)
    for index in range(len(companies), args.companies):
        companies |= env["res.company"].create(
            {
                # No country: a French company would auto-install e-invoicing modules.
                "name": f"Bench Company {index + 1}",
                "currency_id": companies[0].currency_id.id,
            }
        )
    currency = companies[0].currency_id

    root = env["product.category"].create({"name": "Bench"})
    categories = env["product.category"].create(
        [{"name": f"Bench category {i}", "parent_id": root.id} for i in range(args.families)]
    )
    families = []
    if has_pareto:
        families = env["pareto.family"].create(
            [
                {"name": f"Bench family {i}", "code": f"BENCH{i}", "target_share": 20.0}
                for i in range(args.families)
            ]
        )
        for category, family in zip(categories, families, strict=True):
            category.pareto_family_id = family
    products = env["product.product"].create(
        [
            {
                "name": f"Bench product {i}",
                "categ_id": categories[i % len(categories)].id,
                "purchase_ok": True,
                "standard_price": 10.0 + i % 90,
            }
            for i in range(args.products)
        ]
    )
    template_vendor = env["res.partner"].create(
        {"name": "Bench template vendor", "is_company": True, "country_id": france.id}
    )
    template_order = env["purchase.order"].create(
        {
            "partner_id": template_vendor.id,
            "company_id": companies[0].id,
            "order_line": [
                odoo.fields.Command.create(
                    {"product_id": products[0].id, "product_qty": 1, "price_unit": 10.0}
                )
            ],
        }
    )
    template_order.button_confirm()
    env.flush_all()
    _logger.info("reference records in %.1fs", time.monotonic() - started)

    # Partners: ids of the new rows are contiguous (one INSERT, one sequence).
    partner_overrides = {
        "name": SQL("'Bench vendor ' || n"),
        "complete_name": SQL("'Bench vendor ' || n"),
        "zip": SQL("(%s::varchar[])[1 + n %% %s]", ZIPS, len(ZIPS)),
        "country_id": SQL("%s", france.id),
        "create_date": SQL("now()"),
        "write_date": SQL("now()"),
    }
    if has_pareto:
        # SMEs first; the vendors (with orders) are spread over the whole range
        # so that about sme/partners of the spend goes to SMEs.
        partner_overrides |= {
            "pareto_size": SQL(
                "CASE WHEN n <= %(sme)s THEN (%(sme_sizes)s::varchar[])[1 + n %% 3] "
                "ELSE (%(other)s::varchar[])[1 + n %% 3] END",
                sme=args.sme_partners,
                sme_sizes=SME_SIZES,
                other=NON_SME_SIZES,
            ),
            "pareto_size_source": SQL("'import'"),
            "pareto_is_sme": SQL("n <= %s", args.sme_partners),
            "pareto_department": SQL(
                "(%s::varchar[])[1 + n %% %s]",
                [department_from_zip(zip_code) for zip_code in ZIPS],
                len(ZIPS),
            ),
            "pareto_excluded": SQL("n %% 500 = 0"),
        }
    cr.execute(
        SQL(
            "%s RETURNING id",
            clone_sql(
                cr,
                "res_partner",
                template_vendor.id,
                partner_overrides,
                SQL("generate_series(1, %s)", args.partners),
            ),
        )
    )
    partner_ids = sorted(row[0] for row in cr.fetchall())
    first_partner = partner_ids[0]
    cr.execute(
        SQL(
            "UPDATE res_partner SET commercial_partner_id = id WHERE id BETWEEN %s AND %s",
            first_partner,
            partner_ids[-1],
        )
    )
    _logger.info("%s partners in %.1fs", len(partner_ids), time.monotonic() - started)

    # Vendors with orders: every (partners/vendors)-th partner.
    step = max(1, args.partners // args.vendors)
    orders = -(-args.lines // args.lines_per_order)
    cr.execute(SQL("SELECT nextval('purchase_order_id_seq')"))
    first_order = cr.fetchone()[0] + 1
    vendor_sql = SQL("%s + ((n * 7919) %% %s) * %s", first_partner, args.vendors, step)
    company_ids = companies.ids
    cr.execute(
        clone_sql(
            cr,
            "purchase_order",
            template_order.id,
            {
                "name": SQL("'BENCH/' || n"),
                "partner_id": vendor_sql,
                "company_id": SQL("(%s::int[])[1 + n %% %s]", company_ids, len(company_ids)),
                "currency_id": SQL("%s", currency.id),
                "currency_rate": SQL("1.0"),
                "state": SQL("'purchase'"),
                "date_approve": SQL(
                    "now() - make_interval(days => (n * 37) %% %s)", args.months * 30
                ),
                "date_order": SQL(
                    "now() - make_interval(days => (n * 37) %% %s)", args.months * 30
                ),
                "create_date": SQL("now()"),
                "write_date": SQL("now()"),
            },
            SQL("generate_series(1, %s)", orders),
        )
    )
    _logger.info("%s orders in %.1fs", orders, time.monotonic() - started)

    line_overrides = {
        "order_id": SQL("po.id"),
        "company_id": SQL("po.company_id"),
        "partner_id": SQL("po.partner_id"),
        "product_id": SQL("(%s::int[])[1 + (n * 31) %% %s]", products.ids, len(products)),
        "name": SQL("'Bench line'"),
        "sequence": SQL("n %% %s", args.lines_per_order),
        "product_qty": SQL("1 + n %% 10"),
        "product_uom_qty": SQL("1 + n %% 10"),
        "price_unit": SQL("10 + (n * 13) %% 990"),
        "price_subtotal": SQL("(1 + n %% 10) * (10 + (n * 13) %% 990)"),
        "price_total": SQL("(1 + n %% 10) * (10 + (n * 13) %% 990)"),
        "price_tax": SQL("0"),
        "create_date": SQL("now()"),
        "write_date": SQL("now()"),
    }
    if has_pareto:
        line_overrides["pareto_family_id"] = SQL(
            "(%s::int[])[1 + ((n * 31) %% %s) %% %s]",
            families.ids,
            len(products),
            len(families),
        )
    cr.execute(
        clone_sql(
            cr,
            "purchase_order_line",
            template_order.order_line.id,
            line_overrides,
            SQL("generate_series(0, %s)", args.lines - 1),
            SQL(
                "JOIN purchase_order po ON po.id = %s + n / %s",
                first_order,
                args.lines_per_order,
            ),
        )
    )
    _logger.info("%s lines in %.1fs", args.lines, time.monotonic() - started)
    cr.execute(
        SQL(
            """UPDATE purchase_order po
                  SET amount_untaxed = sums.amount, amount_total = sums.amount,
                      amount_total_cc = sums.amount, amount_tax = 0
                 FROM (SELECT order_id, SUM(price_subtotal) AS amount FROM purchase_order_line
                        WHERE order_id >= %s GROUP BY order_id) sums
                WHERE po.id = sums.order_id""",
            first_order,
        )
    )
    cr.execute(SQL("ANALYZE purchase_order_line"))
    cr.execute(SQL("ANALYZE purchase_order"))
    cr.execute(SQL("ANALYZE res_partner"))
    _logger.info("done in %.1fs", time.monotonic() - started)
    return {
        "companies": company_ids,
        "families": len(families),
        "products": len(products),
        "partners": (first_partner, partner_ids[-1]),
        "orders": orders,
        "lines": args.lines,
    }


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args = parse_args(argv)
    env = open_env(args)
    try:
        summary = generate(env, args)
        env.cr.commit()
    finally:
        env.cr.close()
    _logger.info("%s", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
