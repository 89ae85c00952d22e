"""Time ``purchase.order.get_pareto_suggestions()`` on a large database.

    python3 bench/datagen.py --db DB --lines 1000000 --companies 2 --families 10 \
        --vendors 5000 --partners 100000 --sme-partners 10000 [--bill-lines 1000000]
    python3 bench/bench_suggestions.py --db DB [--runs 30] [--bases ordered,invoiced] \
        [--addons-path PATH] [--nice -15]

On top of what datagen.py made, the first run adds and commits (later runs
reuse them), then VACUUM ANALYZEs the tables as autovacuum would:

- vendor price lists: ``--sellers`` vendors per product (``product.supplierinfo``
  over the 500 products, one in five an SME), so that "supplies the product"
  has candidates;
- coordinates on every other partner (around its département's main town)
  and on the company, and a 30 km local radius, so that the distance and the
  radius part of "local" are computed;
- two draft RFQs of 20 lines for a non-SME vendor: one whose products span
  the 10 families (2 products per family: the worst case, every family's
  24-month history is aggregated) and one whose products span 2 families.

It prints, for each spend basis of company 1 (``--bases``: the history is
its confirmed orders on the ordered basis, its vendor bills on the invoiced
one) and each RFQ, the median and 90th percentile server time of
``get_pareto_suggestions()`` over ``--runs`` warm runs (ORM cache cleared
before each, as in a new request), and in the same run two baselines that
compute only the 24-month family history, without ranking: the ORM's
``_read_group`` on ``purchase.order.line`` (or ``account.move.line``) with
the same filters, and a naive ORM ``search`` + Python loop over the lines.
Then the EXPLAIN ANALYZE of the two candidate queries. Prints Markdown for
BENCHMARKS.md. The basis is changed in the benchmark's transaction only.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from collections import defaultdict

import psycopg2
import psycopg2.sql
from benchkit import (
    backend_cpu,
    bill_line_count,
    captured_queries,
    count,
    open_env,
    print_row,
    print_table_head,
    server_version,
    set_nice,
)
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.fields import Command
from odoo.sql_db import connection_info_for
from odoo.tools import SQL

# Approximate main town of the départements of datagen's zip codes.
DEPARTMENT_COORDINATES = {
    "75": (48.857, 2.352),
    "92": (48.892, 2.206),
    "93": (48.910, 2.439),
    "94": (48.790, 2.455),
    "91": (48.629, 2.441),
    "77": (48.540, 2.655),
    "78": (48.801, 2.130),
    "95": (49.036, 2.076),
    "69": (45.764, 4.836),
    "13": (43.297, 5.370),
    "31": (43.605, 1.444),
    "33": (44.838, -0.579),
    "44": (47.218, -1.554),
    "59": (50.629, 3.057),
    "67": (48.573, 7.752),
    "35": (48.117, -1.678),
    "06": (43.710, 7.262),
    "34": (43.611, 3.877),
    "21": (47.322, 5.041),
    "2A": (41.919, 8.739),
    "974": (-20.882, 55.451),
    "38": (45.188, 5.724),
    "63": (45.778, 3.087),
    "76": (49.443, 1.100),
    "87": (45.834, 1.262),
    "29": (48.390, -4.486),
}


ORDER_LABELS = ("20 lines, 10 families", "20 lines, 2 families")


def prepare(env, sellers):
    """Price lists, coordinates, the two RFQs ({label: order}); made once and
    committed (the RFQs' ``origin`` marks them), reused by later runs."""
    cr = env.cr
    company = env["res.company"].search([], order="id", limit=1)
    existing = env["purchase.order"].search([("origin", "in", ORDER_LABELS)])
    if len(existing) == len(ORDER_LABELS):
        return {order.origin: order for order in existing}
    company.partner_id.write({"partner_latitude": 48.872, "partner_longitude": 2.310})
    company.pareto_local_radius_km = 30.0
    departments = list(DEPARTMENT_COORDINATES)
    cr.execute(
        SQL(
            """UPDATE res_partner partner
                  SET partner_latitude = coords.latitude + (partner.id %% 100) / 1000.0,
                      partner_longitude = coords.longitude + (partner.id %% 77) / 1000.0
                 FROM unnest(%s::varchar[], %s::float8[], %s::float8[])
                      AS coords(department, latitude, longitude)
                WHERE partner.pareto_department = coords.department
                  AND partner.id %% 2 = 0""",
            departments,
            [DEPARTMENT_COORDINATES[code][0] for code in departments],
            [DEPARTMENT_COORDINATES[code][1] for code in departments],
        )
    )
    env.invalidate_all()

    cr.execute(SQL("SELECT id FROM res_partner WHERE name LIKE 'Bench vendor %%' ORDER BY id"))
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """SELECT id FROM res_partner
                WHERE name LIKE 'Bench vendor %%' AND pareto_is_sme ORDER BY id"""
        )
    )
    sme_ids = [row[0] for row in cr.fetchall()]
    products = env["product.product"].search([("name", "like", "Bench product ")], order="id")
    seller_values = []
    for index, product in enumerate(products):
        for rank in range(sellers):
            # One in five an SME, the others anywhere in the partner base.
            pool = sme_ids if rank % 5 == 0 else partner_ids
            partner_id = pool[(index * 7919 + rank * 104729) % len(pool)]
            seller_values.append(
                {
                    "partner_id": partner_id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "price": 10.0 + (index * 13 + rank * 7) % 500,
                    "delay": 1 + (index + rank) % 20,
                    "min_qty": (rank % 3) * 5.0,
                    "company_id": company.id if rank % 2 else False,
                }
            )
    env["product.supplierinfo"].create(seller_values)

    vendor = env["res.partner"].search(
        [("name", "like", "Bench vendor "), ("pareto_size", "=", "large")], limit=1
    )
    families = env["pareto.family"].search([("code", "like", "BENCH")], order="id")
    by_family = defaultdict(list)
    for product in products:
        by_family[product.categ_id.pareto_family_id.id].append(product)
    all_families = [product for family in families for product in by_family[family.id][:2]]
    two_families = [product for family in families[:2] for product in by_family[family.id][:10]]
    orders = {}
    for label, order_products in zip(ORDER_LABELS, (all_families, two_families), strict=True):
        orders[label] = env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "company_id": company.id,
                "origin": label,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": 3, "price_unit": 50})
                    for product in order_products
                ],
            }
        )
    env.flush_all()
    cr.commit()
    # As autovacuum would do on a live database: statistics and visibility maps.
    connection = psycopg2.connect(**connection_info_for(env.cr.dbname)[1])
    connection.autocommit = True
    tables = ("product_supplierinfo", "res_partner", "purchase_order", "purchase_order_line")
    with connection.cursor() as vacuum:
        for table in tables:
            vacuum.execute(
                psycopg2.sql.SQL("VACUUM ANALYZE {}").format(psycopg2.sql.Identifier(table))
            )
    connection.close()
    return orders


def timed(function, runs, env, backend_pid):
    """Wall time (cold, median, p90) and CPU time (median: this process plus
    its PostgreSQL backend, parallel workers not included) in ms."""
    env.invalidate_all()
    started = time.perf_counter()
    result = function()
    cold = time.perf_counter() - started
    times, cpus = [], []
    for _ in range(runs):
        env.invalidate_all()
        cpu = time.process_time() + backend_cpu(backend_pid)
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() + backend_cpu(backend_pid) - cpu)
    times.sort()
    return {
        "cold": cold * 1000,
        "median": statistics.median(times) * 1000,
        "p90": times[int(0.9 * (len(times) - 1))] * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "result": result,
    }


def history_domain(order):
    since = fields.Datetime.now() - relativedelta(months=24)
    return [
        ("company_id", "=", order.company_id.id),
        ("pareto_family_id", "in", order.order_line.pareto_family_id.ids),
        ("display_type", "=", False),
        ("order_id.state", "=", "purchase"),
        ("order_id.date_approve", ">=", since),
        ("partner_id.commercial_partner_id.pareto_is_sme", "=", True),
        ("partner_id.commercial_partner_id.active", "=", True),
        ("partner_id.commercial_partner_id.pareto_excluded", "=", False),
    ]


def bill_history_domain(order):
    since = fields.Date.today() - relativedelta(months=24)
    return [
        ("company_id", "=", order.company_id.id),
        ("pareto_family_id", "in", order.order_line.pareto_family_id.ids),
        ("display_type", "=", "product"),
        ("parent_state", "=", "posted"),
        ("move_id.move_type", "in", ("in_invoice", "in_refund")),
        ("move_id.invoice_date", ">=", since),
        ("move_id.commercial_partner_id.pareto_is_sme", "=", True),
        ("move_id.commercial_partner_id.active", "=", True),
        ("move_id.commercial_partner_id.pareto_excluded", "=", False),
    ]


def read_group_baseline(order):
    if order.company_id.pareto_spend_basis == "invoiced":
        return order.env["account.move.line"]._read_group(
            bill_history_domain(order), ["partner_id", "pareto_family_id"], ["balance:sum"]
        )
    Line = order.env["purchase.order.line"]
    return Line._read_group(
        history_domain(order), ["partner_id", "pareto_family_id"], ["price_subtotal:sum"]
    )


def naive_baseline(order):
    volumes = defaultdict(float)
    if order.company_id.pareto_spend_basis == "invoiced":
        for line in order.env["account.move.line"].search(bill_history_domain(order)):
            key = (line.move_id.commercial_partner_id.id, line.pareto_family_id.id)
            volumes[key] += line.balance
        return volumes
    for line in order.env["purchase.order.line"].search(history_domain(order)):
        key = (line.partner_id.commercial_partner_id.id, line.pareto_family_id.id)
        volumes[key] += line.price_subtotal / (line.order_id.currency_rate or 1.0)
    return volumes


def set_basis(env, basis):
    company = env["res.company"].search([], order="id", limit=1)
    company.pareto_spend_basis = basis
    env.flush_all()


def sql_share(order, runs):
    """Median over ``runs`` calls of (queries, ms in SQL)."""
    shares = []
    for _ in range(runs):
        captured = captured_queries(order.env, order.get_pareto_suggestions)
        shares.append((len(captured), sum(duration for _query, duration in captured) * 1000))
    return len(captured), statistics.median(duration for _count, duration in shares)


def explain_candidates(order):
    """EXPLAIN ANALYZE of the two candidate queries (price lists, history)."""
    plans = []
    for query, _duration in captured_queries(order.env, order.get_pareto_suggestions):
        if isinstance(query, SQL) and "res_partner vendor" in query.code:
            order.env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
            plans.append("\n".join(row[0] for row in order.env.cr.fetchall()))
    return plans


def print_timings(basis, orders, args, env, backend_pid):
    for label, order in orders.items():
        measures = [
            (
                "get_pareto_suggestions()",
                timed(order.get_pareto_suggestions, args.runs, env, backend_pid),
                lambda result: f"{len(result)} suggestions",
            ),
            (
                "baseline: _read_group of the history only",
                timed(lambda order=order: read_group_baseline(order), 5, env, backend_pid),
                lambda result: f"{len(result)} vendor x family groups",
            ),
        ]
        if not args.no_naive:
            measures.append(
                (
                    "baseline: naive search + Python loop, history only",
                    timed(lambda order=order: naive_baseline(order), 1, env, backend_pid),
                    lambda result: f"{len(result)} vendor x family groups",
                )
            )
        for name, measure, describe in measures:
            print_row(
                basis,
                label,
                name,
                *(f"{measure[key]:.1f}" for key in ("cold", "median", "p90", "cpu")),
                describe(measure["result"]),
            )


def print_plans(basis, orders):
    for label, order in orders.items():
        for name, plan in zip(("price lists", "history"), explain_candidates(order), strict=True):
            print(f"\nEXPLAIN ANALYZE of the {name} query, {label}, {basis} basis:\n")
            print("```")
            print(plan)
            print("```")
        print(f"\nTop suggestions, {label}, {basis} basis:")
        for suggestion in order.get_pareto_suggestions():
            print(
                f"  {suggestion['name']}: {suggestion['reason']}, local "
                f"{suggestion['is_local']}, {suggestion['distance_km']} km, "
                f"price {suggestion['price']}, score {suggestion['score']:.1f}"
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sellers", type=int, default=10, help="vendors per product")
    parser.add_argument("--addons-path", default=None)
    parser.add_argument("--no-naive", action="store_true", help="skip the slow naive baseline")
    parser.add_argument("--bases", default="ordered,invoiced", help="spend bases of company 1")
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="CPU priority of this process and of its PostgreSQL backend (a negative value "
        "needs root): on a shared machine, keeps the other jobs from skewing the figures",
    )
    parser.add_argument(
        "--serial",
        action="store_true",
        help="no parallel query workers, so that the CPU column counts all the work",
    )
    args = parser.parse_args(argv)
    env = open_env(args.db, args.addons_path, {"tracking_disable": True, "lang": "en_US"})
    cr = env.cr
    backend_pid = set_nice(cr, args.nice)
    if args.serial:
        cr.execute(SQL("SET max_parallel_workers_per_gather = 0"))
    try:
        lines = count(cr, SQL("SELECT count(*) FROM purchase_order_line"))
        bill_lines = bill_line_count(cr)
        cr.execute(SQL("SELECT count(*), count(*) FILTER (WHERE pareto_is_sme) FROM res_partner"))
        partners, smes = cr.fetchone()
        started = time.perf_counter()
        orders = prepare(env, args.sellers)
        supplierinfos = count(cr, SQL("SELECT count(*) FROM product_supplierinfo"))
        print(
            f"Database {args.db}: {lines:,} purchase lines, {bill_lines:,} vendor bill lines, "
            f"{partners:,} partners "
            f"({smes:,} SMEs), {supplierinfos:,} vendor price-list entries; "
            f"setup {time.perf_counter() - started:.1f}s"
        )
        print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
        print(f"PostgreSQL {server_version(cr)}\n")
        print(
            f"Load average before the run: {os.getloadavg()[0]:.1f}; parallel workers "
            f"{'off' if args.serial else 'on'}\n"
        )
        bases = args.bases.split(",")
        print_table_head(
            ("basis", "left"),
            ("RFQ", "left"),
            ("call", "left"),
            *((title, "right") for title in ("cold (ms)", "median (ms)", "p90 (ms)")),
            ("CPU median (ms)", "right"),
            ("result", "left"),
        )
        for basis in bases:
            set_basis(env, basis)
            print_timings(basis, orders, args, env, backend_pid)
        print()
        print_table_head(
            ("basis", "left"),
            ("RFQ", "left"),
            ("queries per call", "right"),
            ("median time in SQL (ms)", "right"),
        )
        for basis in bases:
            set_basis(env, basis)
            for label, order in orders.items():
                queries, in_sql = sql_share(order, args.runs)
                print_row(basis, label, queries, f"{in_sql:.1f}")
        for basis in bases:
            set_basis(env, basis)
            print_plans(basis, orders)
    finally:
        cr.rollback()
        cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
