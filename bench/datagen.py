"""Fill an Odoo 19 database with confirmed purchase lines and posted vendor
bills, fast, for benchmarks.

    python3 bench/datagen.py --db DB --lines 1000000 --companies 2 --families 10 \
        --vendors 5000 [--partners 100000 --sme-partners 10000] \
        [--bill-lines 1000000 --lines-per-bill 10] [--check]

The database must have ``purchase`` installed; ``pareto_odoo`` may be installed
or not (the install benchmark fills the database first, then installs it).
Small reference records (companies, categories, products, families) go through
the ORM; the bulk (partners, orders, lines) is cloned in SQL from one template
row of each table made by the ORM, so every NOT NULL column gets a sane value.
Everything is seeded: the same arguments give the same data.

With ``--bill-lines N``, :func:`generate_bills` adds posted vendor bills
(``in_invoice``, one in 20 an ``in_refund``) of ``--lines-per-bill`` product
lines over the same vendors, companies and months, cloned the same way from
two bills posted by the ORM: one bill in five bills a confirmed order (its
lines point to the order's lines), one in five is a fee bill without products
(accounts 622600/626000, mapped to the first two families by
``account_prefixes`` when pareto_odoo is installed). Each bill has one
payable line; one invoice in four older than its payment delay (20 to 89
days) is paid by a bank entry reconciled with it (partial and full
reconcile), the others are ``not_paid``; with pareto_odoo installed, the
bills' ``pareto_payment_date`` is then filled as its install does. Companies
without a chart of accounts get Odoo's generic one. The big tables and the aggregates are
vacuumed and analysed at the end, as autovacuum would. ``--check`` recomputes a sample of bills'
totals and payment state with the ORM and the bill lines' families with the
addon's SQL rule, and fails if anything differs.
"""

import argparse
import logging
import os
import sys
import time

import psycopg2
import psycopg2.sql

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.sql_db import connection_info_for
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
    parser.add_argument("--bill-lines", type=int, default=0, help="vendor bill product lines")
    parser.add_argument("--lines-per-bill", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="check the bills with the ORM")
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


def clone_sql(cr, table, template_id, overrides, series_sql, extra_from=None, alias="n"):
    """INSERT INTO table SELECT template's columns, some replaced by SQL
    expressions (which may use ``alias``, the series row), for each row."""
    columns = columns_of(cr, table)
    select = [overrides.get(col, SQL.identifier("template", col)) for col in columns]
    return SQL(
        "INSERT INTO %(table)s (%(columns)s) SELECT %(select)s "
        "FROM %(table)s template, %(series)s AS %(alias)s %(extra)s "
        "WHERE template.id = %(template)s",
        table=SQL.identifier(table),
        columns=SQL(", ").join(SQL.identifier(col) for col in columns),
        select=SQL(", ").join(select),
        series=series_sql,
        alias=SQL.identifier(alias),
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
    # Statistics of the new rows before the next statements, in every bulk
    # step: planned on the template's (a few rows), the UPDATE below took
    # minutes instead of seconds (316 s instead of 2.5 s for 20,000 partners).
    cr.execute(SQL("ANALYZE res_partner"))
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
    cr.execute(SQL("ANALYZE purchase_order"))
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
    cr.execute(SQL("ANALYZE purchase_order_line"))
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
    summary = {
        "companies": company_ids,
        "families": len(families),
        "family_ids": list(families.ids) if has_pareto else [],
        "products": len(products),
        "product_ids": products.ids,
        "partners": (first_partner, partner_ids[-1]),
        "vendor_step": step,
        "template_vendor": template_vendor.id,
        "orders": orders,
        "lines": args.lines,
    }
    if args.bill_lines:
        summary["bills"] = generate_bills(env, args, summary)
    return summary


# ----------------------------------------------------------------------
# Vendor bills
# ----------------------------------------------------------------------

BILL_PREFIX = "BENCH/BILL/"
# Refunds are numbered apart, as Odoo does: posting a new bill by the ORM
# then continues the bills' numbers without meeting a refund's.
REFUND_PREFIX = "BENCH/RBILL/"
PREFIXES = (BILL_PREFIX, REFUND_PREFIX)
PAYMENT_PREFIX = "BENCH/PAY/"
# Fee accounts of the bills without products, and the account prefix that
# maps each to a family (the first two families) when pareto is installed.
FEE_ACCOUNTS = (("622600", "Honoraires", "6226"), ("626000", "Frais de télécommunications", "626"))


def _company_accounts(env, company):
    """{purchase journal, bank journal, expense, payable, bank and fee
    accounts} of ``company``, its generic chart of accounts loaded first
    when it has none."""
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    Journal = env["account.journal"].with_company(company)
    purchase = Journal.search([("type", "=", "purchase"), ("company_id", "=", company.id)], limit=1)
    bank = Journal.search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    Account = env["account.account"].with_company(company)
    payable = Account.search(
        [("account_type", "=", "liability_payable"), ("company_ids", "in", company.ids)],
        order="code",
        limit=1,
    )
    fees = []
    for code, name, _prefix in FEE_ACCOUNTS:
        account = Account.search([("code", "=", code), ("company_ids", "in", company.ids)])
        fees.append(
            account
            or Account.create(
                {
                    "code": code,
                    "name": name,
                    "account_type": "expense",
                    "company_ids": [odoo.fields.Command.link(company.id)],
                }
            )
        )
    return {
        "journal": purchase.id,
        "bank_journal": bank.id,
        "expense": purchase.default_account_id.id,
        "payable": payable.id,
        "bank": bank.default_account_id.id,
        "fees": [account.id for account in fees],
    }


def _template_bill(env, company, vendor, product, accounts, move_type):
    """A one-line bill (or refund) posted by the ORM: the row the bulk is
    cloned from, so that every NOT NULL column gets a sane value."""
    bill = (
        env["account.move"]
        .with_company(company)
        .create(
            {
                "move_type": move_type,
                "partner_id": vendor,
                "company_id": company.id,
                "journal_id": accounts["journal"],
                "invoice_date": odoo.fields.Date.context_today(env.user),
                "invoice_line_ids": [
                    odoo.fields.Command.create(
                        {
                            "product_id": product,
                            "quantity": 1,
                            "price_unit": 10.0,
                            "account_id": accounts["expense"],
                            "tax_ids": [odoo.fields.Command.clear()],
                        }
                    )
                ],
            }
        )
    )
    bill.action_post()
    env.flush_all()
    product_line = bill.line_ids.filtered(lambda line: line.display_type == "product")
    payable_line = bill.line_ids.filtered(lambda line: line.display_type == "payment_term")
    return bill, product_line, payable_line


def _per_company(company_ids, accounts, key, company_sql, index=None):
    """SQL: ``accounts[company][key]`` (or its ``index``-th item) of the
    company ``company_sql``, from arrays in company order."""
    values = [
        accounts[company][key] if index is None else accounts[company][key][index]
        for company in company_ids
    ]
    return SQL("(%s::int[])[array_position(%s::int[], %s)]", values, company_ids, company_sql)


def _insert_bill_heads(cr, args, summary, template, accounts):
    """The bills' headers (amounts filled once their lines exist). Bill
    number n (named BENCH/BILL/n, or BENCH/RBILL/n for a refund): a refund
    when n % 40 is 0 or 13; the bill of order BENCH/k when
    n % 5 = 1 (its company, vendor, dated a few days after confirmation);
    else a vendor and company spread as the orders'."""
    company_ids = summary["companies"]
    first_partner = summary["partners"][0]
    vendor_sql = SQL(
        "%s + ((n::bigint * 104729) %% %s)::int * %s",
        first_partner,
        args.vendors,
        summary["vendor_step"],
    )
    company_sql = SQL(
        "COALESCE(po.company_id, (%s::int[])[1 + n %% %s])", company_ids, len(company_ids)
    )
    orders = max(summary["orders"] - 1, 1)  # the last order may be partial
    invoice_date = SQL(
        """(CASE WHEN po.id IS NOT NULL
                 THEN LEAST(current_date, po.date_approve::date + (n %% 15)::int)
                 ELSE current_date - ((n * 37) %% %s)::int END)""",
        args.months * 30,
    )
    bills = -(-args.bill_lines // args.lines_per_bill)
    refund = SQL("n %% 40 IN (0, 13)")
    prefix = SQL("CASE WHEN %s THEN %s ELSE %s END", refund, REFUND_PREFIX, BILL_PREFIX)
    cr.execute(
        clone_sql(
            cr,
            "account_move",
            template,
            {
                "name": SQL("%s || n", prefix),
                "sequence_prefix": prefix,
                "sequence_number": SQL("n"),
                "ref": SQL("'INV-' || n"),
                "payment_reference": SQL("%s || n", prefix),
                "move_type": SQL("CASE WHEN %s THEN 'in_refund' ELSE 'in_invoice' END", refund),
                "state": SQL("'posted'"),
                "payment_state": SQL("'not_paid'"),
                "company_id": company_sql,
                "journal_id": _per_company(company_ids, accounts, "journal", company_sql),
                "partner_id": SQL("vendor.id"),
                "commercial_partner_id": SQL("vendor.id"),
                "invoice_partner_display_name": SQL("vendor.name"),
                "invoice_origin": SQL("po.name"),
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_date_due": SQL("%s + 30", invoice_date),
                "partner_shipping_id": SQL("NULL"),
                "partner_bank_id": SQL("NULL"),
                "preferred_payment_method_line_id": SQL("NULL"),
                "access_token": SQL("NULL"),
                "inalterable_hash": SQL("NULL"),
                "secure_sequence_number": SQL("NULL"),
                "message_main_attachment_id": SQL("NULL"),
                "create_date": SQL("now()"),
                "write_date": SQL("now()"),
            },
            SQL("generate_series(1, %s)", bills),
            SQL(
                """LEFT JOIN purchase_order po
                          ON n %% 5 = 1 AND po.name = 'BENCH/' || (1 + (n / 5) %% %s)
                   JOIN res_partner vendor ON vendor.id = COALESCE(po.partner_id, %s)""",
                orders,
                vendor_sql,
            ),
        )
    )
    return bills


def _insert_bill_lines(cr, args, summary, template_line, accounts, has_pareto):
    """The product lines: those of an order's bill take its lines' product,
    quantity, price and family (and point to them); fee bills (n % 5 = 2)
    have no product, on the fee accounts; the others products as the
    orders'. Refund lines are credits."""
    company_ids = summary["companies"]
    products = summary["product_ids"]
    per_bill = args.lines_per_bill
    sign = SQL("(CASE WHEN bill.move_type = 'in_refund' THEN -1 ELSE 1 END)")
    fee = SQL("(bill.sequence_number %% 5 = 2)")
    qty = SQL("COALESCE(pol.product_qty, 1 + m %% 10)")
    price = SQL("COALESCE(pol.price_unit, 10 + (m * 13) %% 990)")
    subtotal = SQL("(%s * %s)", qty, price)
    balance = SQL("(%s * %s)", sign, subtotal)
    product_index = SQL("((m * 31) %% %s)", len(products))
    fee_account = SQL(
        "CASE WHEN m %% 2 = 0 THEN %s ELSE %s END",
        _per_company(company_ids, accounts, "fees", SQL("bill.company_id"), 0),
        _per_company(company_ids, accounts, "fees", SQL("bill.company_id"), 1),
    )
    overrides = {
        "move_id": SQL("bill.id"),
        "move_name": SQL("bill.name"),
        "ref": SQL("bill.ref"),
        "date": SQL("bill.date"),
        "invoice_date": SQL("bill.invoice_date"),
        "parent_state": SQL("'posted'"),
        "journal_id": SQL("bill.journal_id"),
        "company_id": SQL("bill.company_id"),
        "partner_id": SQL("bill.commercial_partner_id"),
        "sequence": SQL("10 + m %% %s", per_bill),
        "display_type": SQL("'product'"),
        "name": SQL(
            "CASE WHEN %s THEN (CASE WHEN m %% 2 = 0 THEN %s ELSE %s END) "
            "ELSE 'Bench bill line' END",
            fee,
            FEE_ACCOUNTS[0][1],
            FEE_ACCOUNTS[1][1],
        ),
        "product_id": SQL(
            "CASE WHEN %s THEN NULL ELSE COALESCE(pol.product_id, (%s::int[])[1 + %s]) END",
            fee,
            products,
            product_index,
        ),
        "product_uom_id": SQL(
            "CASE WHEN %s THEN NULL ELSE COALESCE(pol.product_uom_id, template.product_uom_id) END",
            fee,
        ),
        "purchase_line_id": SQL("pol.id"),
        "account_id": SQL(
            "CASE WHEN %s THEN %s ELSE %s END",
            fee,
            fee_account,
            _per_company(company_ids, accounts, "expense", SQL("bill.company_id")),
        ),
        "quantity": qty,
        "price_unit": price,
        "price_subtotal": subtotal,
        "price_total": subtotal,
        "balance": balance,
        "amount_currency": balance,
        "debit": SQL("GREATEST(%s, 0)", balance),
        "credit": SQL("GREATEST(-%s, 0)", balance),
        "amount_residual": SQL("0"),
        "amount_residual_currency": SQL("0"),
        "create_date": SQL("now()"),
        "write_date": SQL("now()"),
    }
    if has_pareto:
        families = summary["family_ids"]
        overrides["pareto_family_id"] = SQL(
            """CASE WHEN %(fee)s THEN (CASE WHEN m %% 2 = 0 THEN %(fee0)s ELSE %(fee1)s END)
                    ELSE COALESCE(pol.pareto_family_id,
                                  (%(families)s::int[])[1 + %(product)s %% %(count)s]) END""",
            fee=fee,
            fee0=families[0],
            fee1=families[1],
            families=families,
            product=product_index,
            count=len(families),
        )
    cr.execute(
        clone_sql(
            cr,
            "account_move_line",
            template_line,
            overrides,
            SQL("generate_series(0, %s)", args.bill_lines - 1),
            SQL(
                """JOIN account_move bill
                     ON bill.sequence_prefix IN %s AND bill.sequence_number = 1 + m / %s
                   LEFT JOIN purchase_order po
                     ON bill.sequence_number %% 5 = 1 AND po.name = bill.invoice_origin
                   LEFT JOIN purchase_order_line pol
                     ON pol.order_id = po.id AND pol.sequence = (m %% %s) %% %s""",
                PREFIXES,
                per_bill,
                per_bill,
                args.lines_per_order,
            ),
            alias="m",
        )
    )


def _paid_bills(cr):
    """Temporary tables: each bill's untaxed total (``bench_bill_total``),
    and the invoices to mark paid (``bench_bill_paid``: one in four, paid
    20 to 89 days after the invoice date when that day has come), each with
    a new full reconcile."""
    cr.execute(
        SQL(
            """CREATE TEMP TABLE bench_bill_total ON COMMIT DROP AS
               SELECT bill.id AS move_id, bill.sequence_number AS n, bill.move_type,
                      bill.company_id, SUM(line.price_subtotal) AS untaxed
                 FROM account_move bill
                 JOIN account_move_line line ON line.move_id = bill.id
                WHERE bill.sequence_prefix IN %s AND line.display_type = 'product'
                GROUP BY bill.id""",
            PREFIXES,
        )
    )
    cr.execute(
        SQL(
            """CREATE TEMP TABLE bench_bill_paid ON COMMIT DROP AS
               SELECT bill.id AS move_id, bill.sequence_number AS n,
                      bill.invoice_date + (20 + bill.sequence_number %% 70)::int AS pay_date,
                      NULL::int AS full_id
                 FROM account_move bill
                WHERE bill.sequence_prefix = %s AND bill.move_type = 'in_invoice'
                  AND (bill.sequence_number / 2) %% 4 = 1
                  AND bill.invoice_date + (20 + bill.sequence_number %% 70)::int <= current_date
                ORDER BY bill.id""",
            BILL_PREFIX,
        )
    )
    cr.execute(SQL("SELECT move_id FROM bench_bill_paid ORDER BY move_id"))
    paid = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """INSERT INTO account_full_reconcile (create_uid, write_uid, create_date, write_date)
               SELECT 1, 1, now(), now() FROM generate_series(1, %s) RETURNING id""",
            len(paid),
        )
    )
    full_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute(
        SQL(
            """UPDATE bench_bill_paid paid SET full_id = pairs.full_id
                 FROM unnest(%s::int[], %s::int[]) AS pairs(move_id, full_id)
                WHERE paid.move_id = pairs.move_id""",
            paid,
            full_ids,
        )
    )
    cr.execute(SQL("ANALYZE bench_bill_total"))
    cr.execute(SQL("ANALYZE bench_bill_paid"))
    return len(paid)


def _insert_payable_lines(cr, summary, template_line, accounts):
    """One payable line per bill, balance = −total (a credit; a debit for
    refunds), due at the bill's due date, reconciled when the bill is paid."""
    balance = SQL("(CASE WHEN total.move_type = 'in_refund' THEN 1 ELSE -1 END * total.untaxed)")
    residual = SQL("(CASE WHEN paid.move_id IS NULL THEN %s ELSE 0 END)", balance)
    cr.execute(
        clone_sql(
            cr,
            "account_move_line",
            template_line,
            {
                "move_id": SQL("bill.id"),
                "move_name": SQL("bill.name"),
                "ref": SQL("bill.ref"),
                "date": SQL("bill.date"),
                "invoice_date": SQL("bill.invoice_date"),
                "date_maturity": SQL("bill.invoice_date_due"),
                "parent_state": SQL("'posted'"),
                "journal_id": SQL("bill.journal_id"),
                "company_id": SQL("bill.company_id"),
                "partner_id": SQL("bill.commercial_partner_id"),
                "account_id": _per_company(
                    summary["companies"], accounts, "payable", SQL("bill.company_id")
                ),
                "name": SQL("bill.payment_reference"),
                "balance": balance,
                "amount_currency": balance,
                "debit": SQL("GREATEST(%s, 0)", balance),
                "credit": SQL("GREATEST(-%s, 0)", balance),
                "price_unit": SQL("-%s", balance),
                "price_subtotal": SQL("-%s", balance),
                "price_total": SQL("-%s", balance),
                "amount_residual": residual,
                "amount_residual_currency": residual,
                "reconciled": SQL("paid.move_id IS NOT NULL"),
                "matching_number": SQL("paid.full_id::varchar"),
                "full_reconcile_id": SQL("paid.full_id"),
                "create_date": SQL("now()"),
                "write_date": SQL("now()"),
            },
            SQL("bench_bill_total"),
            SQL(
                """JOIN account_move bill ON bill.id = total.move_id
                   LEFT JOIN bench_bill_paid paid ON paid.move_id = total.move_id""",
            ),
            alias="total",
        )
    )


def _update_bill_totals(cr):
    """The bills' amounts as Odoo computes them (no taxes): untaxed = total,
    residual 0 once paid; ``*_signed`` are negative for bills, positive for
    refunds."""
    cr.execute(
        SQL(
            """UPDATE account_move bill
                  SET amount_untaxed = total.untaxed, amount_total = total.untaxed,
                      amount_tax = 0, amount_tax_signed = 0,
                      amount_residual = CASE WHEN paid.move_id IS NULL
                                             THEN total.untaxed ELSE 0 END,
                      amount_untaxed_signed = signed.amount,
                      amount_untaxed_in_currency_signed = signed.amount,
                      amount_total_signed = signed.amount,
                      amount_total_in_currency_signed = signed.amount,
                      amount_residual_signed = CASE WHEN paid.move_id IS NULL
                                                    THEN signed.amount ELSE 0 END,
                      payment_state = CASE WHEN paid.move_id IS NULL THEN 'not_paid' ELSE 'paid' END
                 FROM bench_bill_total total
                 CROSS JOIN LATERAL (
                     SELECT CASE WHEN total.move_type = 'in_refund' THEN 1 ELSE -1 END
                            * total.untaxed AS amount) signed
                 LEFT JOIN bench_bill_paid paid ON paid.move_id = total.move_id
                WHERE bill.id = total.move_id"""
        )
    )


def _insert_payments(cr, summary, template_bill, template_line, accounts):
    """The paid bills' payments: one posted bank entry each, dated the
    payment day, debiting the payable account (reconciled with the bill's
    payable line, partial and full reconcile) and crediting the bank."""
    company_ids = summary["companies"]
    cr.execute(
        clone_sql(
            cr,
            "account_move",
            template_bill,
            {
                "name": SQL("%s || paid.n", PAYMENT_PREFIX),
                "sequence_prefix": SQL("%s", PAYMENT_PREFIX),
                "sequence_number": SQL("paid.n"),
                "ref": SQL("bill.name"),
                "move_type": SQL("'entry'"),
                "state": SQL("'posted'"),
                "payment_state": SQL("'not_paid'"),
                "journal_id": _per_company(
                    company_ids, accounts, "bank_journal", SQL("bill.company_id")
                ),
                "company_id": SQL("bill.company_id"),
                "partner_id": SQL("bill.partner_id"),
                "commercial_partner_id": SQL("bill.commercial_partner_id"),
                "date": SQL("paid.pay_date"),
                "invoice_date": SQL("NULL"),
                "invoice_date_due": SQL("NULL"),
                "invoice_origin": SQL("NULL"),
                "payment_reference": SQL("NULL"),
                "invoice_partner_display_name": SQL("NULL"),
                "amount_untaxed": SQL("0"),
                "amount_tax": SQL("0"),
                "amount_total": SQL("bill.amount_total"),
                "amount_residual": SQL("0"),
                "amount_untaxed_signed": SQL("0"),
                "amount_untaxed_in_currency_signed": SQL("0"),
                "amount_tax_signed": SQL("0"),
                "amount_total_signed": SQL("bill.amount_total"),
                "amount_total_in_currency_signed": SQL("bill.amount_total"),
                "amount_residual_signed": SQL("0"),
                "partner_shipping_id": SQL("NULL"),
                "partner_bank_id": SQL("NULL"),
                "preferred_payment_method_line_id": SQL("NULL"),
                "access_token": SQL("NULL"),
                "create_date": SQL("now()"),
                "write_date": SQL("now()"),
            },
            SQL("bench_bill_paid"),
            SQL("JOIN account_move bill ON bill.id = paid.move_id"),
            alias="paid",
        )
    )
    # Two lines per payment: side 1 the payable debit, side 2 the bank credit.
    balance = SQL("(CASE WHEN side = 1 THEN 1 ELSE -1 END * bill.amount_total)")
    cr.execute(
        clone_sql(
            cr,
            "account_move_line",
            template_line,
            {
                "move_id": SQL("pay.id"),
                "move_name": SQL("pay.name"),
                "ref": SQL("bill.name"),
                "date": SQL("pay.date"),
                "invoice_date": SQL("NULL"),
                "date_maturity": SQL("pay.date"),
                "parent_state": SQL("'posted'"),
                "journal_id": SQL("pay.journal_id"),
                "company_id": SQL("pay.company_id"),
                "partner_id": SQL("pay.commercial_partner_id"),
                "account_id": SQL(
                    "CASE WHEN side = 1 THEN %s ELSE %s END",
                    _per_company(company_ids, accounts, "payable", SQL("pay.company_id")),
                    _per_company(company_ids, accounts, "bank", SQL("pay.company_id")),
                ),
                "display_type": SQL("'product'"),
                "name": SQL("'Payment ' || bill.name"),
                "balance": balance,
                "amount_currency": balance,
                "debit": SQL("GREATEST(%s, 0)", balance),
                "credit": SQL("GREATEST(-%s, 0)", balance),
                "price_unit": SQL("0"),
                "price_subtotal": SQL("0"),
                "price_total": SQL("0"),
                "quantity": SQL("1"),
                "amount_residual": SQL("0"),
                "amount_residual_currency": SQL("0"),
                "reconciled": SQL("side = 1"),
                "matching_number": SQL("CASE WHEN side = 1 THEN paid.full_id::varchar END"),
                "full_reconcile_id": SQL("CASE WHEN side = 1 THEN paid.full_id END"),
                "create_date": SQL("now()"),
                "write_date": SQL("now()"),
            },
            SQL("bench_bill_paid"),
            SQL(
                """CROSS JOIN generate_series(1, 2) AS side
                   JOIN account_move bill ON bill.id = paid.move_id
                   JOIN account_move pay
                     ON pay.sequence_prefix = %s AND pay.sequence_number = paid.n""",
                PAYMENT_PREFIX,
            ),
            alias="paid",
        )
    )
    cr.execute(
        SQL(
            """INSERT INTO account_partial_reconcile
                      (debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id,
                       credit_currency_id, company_id, max_date, amount, debit_amount_currency,
                       credit_amount_currency, create_uid, write_uid, create_date, write_date)
               SELECT pay_line.id, bill_line.id, paid.full_id, pay_line.currency_id,
                      bill_line.currency_id, bill_line.company_id, paid.pay_date,
                      pay_line.balance, pay_line.amount_currency, -bill_line.amount_currency,
                      1, 1, now(), now()
                 FROM bench_bill_paid paid
                 JOIN account_move_line bill_line
                   ON bill_line.move_id = paid.move_id AND bill_line.display_type = 'payment_term'
                 JOIN account_move pay
                   ON pay.sequence_prefix = %s AND pay.sequence_number = paid.n
                 JOIN account_move_line pay_line
                   ON pay_line.move_id = pay.id AND pay_line.account_id = bill_line.account_id""",
            PAYMENT_PREFIX,
        )
    )


def generate_bills(env, args, summary):
    """Posted vendor bills of ``args.bill_lines`` product lines over the
    companies, vendors, products, orders and families of ``summary`` (what
    :func:`generate` returns), cloned in SQL from bills posted by the ORM.
    Works with or without pareto_odoo installed (with it, the lines get
    their family and the addon's triggers keep its aggregates)."""
    cr = env.cr
    started = time.monotonic()
    has_pareto = "pareto.family" in env
    companies = env["res.company"].browse(summary["companies"])
    accounts = {company.id: _company_accounts(env, company) for company in companies}
    if has_pareto:
        families = env["pareto.family"].browse(summary["family_ids"])
        for family, (_code, _name, prefix) in zip(families, FEE_ACCOUNTS, strict=False):
            family.account_prefixes = prefix
    product = summary["product_ids"][0]
    company = companies[0]
    template, product_line, payable_line = _template_bill(
        env, company, summary["template_vendor"], product, accounts[company.id], "in_invoice"
    )
    _logger.info("charts of accounts and template bill in %.1fs", time.monotonic() - started)
    bills = _insert_bill_heads(cr, args, summary, template.id, accounts)
    cr.execute(SQL("ANALYZE account_move"))
    _logger.info("%s bills in %.1fs", bills, time.monotonic() - started)
    _insert_bill_lines(cr, args, summary, product_line.id, accounts, has_pareto)
    cr.execute(SQL("ANALYZE account_move_line"))
    _logger.info("%s bill lines in %.1fs", args.bill_lines, time.monotonic() - started)
    paid = _paid_bills(cr)
    _insert_payable_lines(cr, summary, payable_line.id, accounts)
    _update_bill_totals(cr)
    _insert_payments(cr, summary, template.id, product_line.id, accounts)
    _logger.info("payable lines, totals and %s payments in %.1fs", paid, time.monotonic() - started)
    for table in ("account_move", "account_move_line", "account_partial_reconcile"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    if "pareto_payment_date" in env["account.move"]._fields:
        # The payment report's stored column, as the install hook fills it
        # (after ANALYZE: the statistics of before the payable lines and the
        # payments would plan its joins for tables without them).
        env["account.move"]._pareto_fill_payment_dates()
        cr.execute(SQL("ANALYZE account_move"))
        _logger.info("bills' payment dates in %.1fs", time.monotonic() - started)
    if "pareto_main_family_id" in env["account.move"]._fields:
        # The bills are cloned from one template bill, its main family with
        # them: the family of each bill's own lines, as the compute sets it.
        env["account.move"]._pareto_fill_main_families()
        cr.execute(SQL("ANALYZE account_move"))
        _logger.info("bills' main families in %.1fs", time.monotonic() - started)
    env.invalidate_all()
    return {"bills": bills, "bill_lines": args.bill_lines, "paid": paid}


def check_bills(env, sample=200):
    """Compare a sample of the generated bills with what the ORM computes
    (totals, residual, payment state) and, with pareto installed, the bill
    lines' families with the addon's set-based rule; raise on a difference."""
    Move = env["account.move"]
    bills = Move.search([("sequence_prefix", "in", PREFIXES)], order="id")
    bills = bills.browse(bills.ids[:: max(1, len(bills) // sample)])
    fields_ = [
        "amount_untaxed",
        "amount_total",
        "amount_residual",
        "amount_untaxed_signed",
        "amount_total_signed",
        "amount_residual_signed",
        "payment_state",
    ]
    stored = {bill.id: [bill[name] for name in fields_] for bill in bills}
    env.add_to_compute(Move._fields["amount_total"], bills)
    env.add_to_compute(Move._fields["payment_state"], bills)
    bills._recompute_recordset(fields_)
    for bill in bills:
        computed = [bill[name] for name in fields_]
        if computed != stored[bill.id]:
            raise AssertionError(f"{bill.name}: stored {stored[bill.id]}, ORM {computed}")
    unbalanced = env.execute_query(
        SQL(
            """SELECT move.name FROM account_move move
                 JOIN account_move_line line ON line.move_id = move.id
                WHERE move.name LIKE 'BENCH/%%' GROUP BY move.name
               HAVING ROUND(SUM(line.balance), 2) != 0 LIMIT 5"""
        )
    )
    if unbalanced:
        raise AssertionError(f"unbalanced moves: {unbalanced}")
    states = dict(
        env.execute_query(
            SQL(
                "SELECT payment_state, COUNT(*) FROM account_move "
                "WHERE sequence_prefix IN %s GROUP BY 1",
                PREFIXES,
            )
        )
    )
    result = {"checked": len(bills), "payment_states": states}
    if "pareto.family" in env:
        moved = env["account.move.line"]._pareto_refresh_families()
        if moved:
            raise AssertionError(f"{moved} bill lines had another family than the rule's")
        result["families_checked"] = True
    return result


# What autovacuum would do after the load (it may be off, or behind, on a
# benchmark machine): statistics, and visibility maps for index-only scans.
# Without it the aggregates, filled in the load's transaction, keep no
# statistics and the readers' plans are made for empty tables.
VACUUM_TABLES = (
    "res_partner",
    "purchase_order",
    "purchase_order_line",
    "account_move",
    "account_move_line",
    "account_partial_reconcile",
    "pareto_spend_daily",
    "pareto_spend_vendor",
    "pareto_spend_delta",
)


def vacuum_analyze(db):
    connection = psycopg2.connect(**connection_info_for(db)[1])
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            cr.execute(
                "SELECT relname FROM pg_class WHERE relname = ANY(%s)", [list(VACUUM_TABLES)]
            )
            for (table,) in cr.fetchall():
                cr.execute(
                    psycopg2.sql.SQL("VACUUM ANALYZE {}").format(psycopg2.sql.Identifier(table))
                )
    finally:
        connection.close()


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args = parse_args(argv)
    env = open_env(args)
    try:
        summary = generate(env, args)
        env.cr.commit()
        started = time.monotonic()
        vacuum_analyze(args.db)
        _logger.info("VACUUM ANALYZE in %.1fs", time.monotonic() - started)
        if args.check and args.bill_lines:
            _logger.info("check: %s", check_bills(env))
            env.cr.rollback()
    finally:
        env.cr.close()
    _logger.info(
        "%s", {key: value for key, value in summary.items() if key not in ("product_ids",)}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
