"""Server time of ``purchase.order.get_pareto_compliance()`` for a 20-line order,
on databases of 10,000 to 1,000,000 confirmed purchase lines.

    python3 bench/bench_compliance.py [--sizes 10000,100000,1000000] [--runs 50]

For each size, a database ``<prefix>_<size>`` is cloned from a template with
``pareto_odoo`` installed and filled by ``bench/datagen.py`` (2 companies,
10 families, 5,000 vendors). Then, in this process, on a 20-line draft order
of company 1 covering the 10 families (vendor not an SME), it measures the
median of:

- ``get_pareto_compliance()`` (the daily aggregate kept by triggers, plus the
  partial first and last days from the lines), cache cleared before each call;
- the same figures with a naive ORM search-and-sum over the lines;
- the same figures with ``purchase.report``'s ``_read_group`` (per category,
  total and SME part);
- the cost of the triggers on writes: ``button_confirm()`` of a 20-line order
  with the triggers, and with them disabled (baseline), in the same run;

and checks that the three methods give the same totals. Prints a Markdown
table for BENCHMARKS.md. Databases are dropped unless ``--keep``.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time

import pytz

import odoo
from odoo import api
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIGGER_TABLES = ("purchase_order_line", "purchase_order", "res_partner")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--prefix", default="pa_bench")
    parser.add_argument("--runs", type=int, default=20, help="timed calls per round")
    parser.add_argument("--rounds", type=int, default=10, help="rounds over the databases")
    parser.add_argument("--slow-runs", type=int, default=5, help="runs of the slow methods")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="reuse filled databases")
    return parser.parse_args(argv)


def addons_path():
    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    return f"{core},{REPO_ROOT}"


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def db_exists(name):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "1"


def make_template(name):
    if db_exists(name):
        return 0.0
    started = time.monotonic()
    run(
        sys.executable,
        "-m",
        "odoo",
        "--addons-path",
        addons_path(),
        "-d",
        name,
        "-i",
        "pareto_odoo",
        "--stop-after-init",
        "--http-port",
        "8119",
        "--log-level",
        "warn",
    )
    return time.monotonic() - started


def fill(name, template, size):
    run("dropdb", "--if-exists", name)
    run("createdb", "-T", template, name)
    started = time.monotonic()
    run(
        sys.executable,
        os.path.join(REPO_ROOT, "bench", "datagen.py"),
        "--db",
        name,
        "--lines",
        str(size),
        "--companies",
        "2",
        "--families",
        "10",
        "--vendors",
        "5000",
    )
    return time.monotonic() - started


def median_ms(func, runs, before=None, timings=None):
    timings = [] if timings is None else timings
    for _index in range(runs):
        if before:
            before()
        started = time.perf_counter()
        result = func()
        timings.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(timings), result


def period_utc(order):
    start, end = order.company_id._pareto_period_bounds(order._pareto_spend_date())
    tz = order.env.tz

    def utc(day):
        local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    return utc(start), utc(end + datetime.timedelta(days=1))


def naive_orm(order):
    """Figures by searching the lines and summing them in Python."""
    start, end = period_utc(order)
    result = {}
    for family in order.order_line.pareto_family_id:
        lines = order.env["purchase.order.line"].search(
            [
                ("company_id", "=", order.company_id.id),
                ("pareto_family_id", "=", family.id),
                ("display_type", "=", False),
                ("is_downpayment", "=", False),
                ("order_id", "!=", order.id),
                ("order_id.state", "=", "purchase"),
                ("order_id.date_approve", ">=", start),
                ("order_id.date_approve", "<", end),
                ("order_id.partner_id.commercial_partner_id.pareto_excluded", "=", False),
            ]
        )
        total = sme = 0.0
        for line in lines:
            amount = line.price_subtotal / (line.order_id.currency_rate or 1.0)
            total += amount
            if line.order_id.partner_id.commercial_partner_id.pareto_is_sme:
                sme += amount
        result[family.id] = (total, sme)
    return result


def purchase_report(order):
    """Figures with purchase.report's _read_group, per product category (one
    category per family in the generated data)."""
    start, end = period_utc(order)
    families = order.order_line.pareto_family_id
    category_family = {
        category.id: family.id for family in families for category in family.product_category_ids
    }
    domain = [
        ("company_id", "=", order.company_id.id),
        ("state", "=", "purchase"),
        ("date_approve", ">=", start),
        ("date_approve", "<", end),
        ("category_id", "in", list(category_family)),
        ("commercial_partner_id.pareto_excluded", "=", False),
    ]
    Report = order.env["purchase.report"]
    totals = dict(Report._read_group(domain, ["category_id"], ["untaxed_total:sum"]))
    smes = dict(
        Report._read_group(
            [*domain, ("commercial_partner_id.pareto_is_sme", "=", True)],
            ["category_id"],
            ["untaxed_total:sum"],
        )
    )
    return {
        category_family[category.id]: (total, smes.get(category, 0.0))
        for category, total in totals.items()
    }


def explain(env, order):
    """EXPLAIN ANALYZE of the compliance query (captured while it runs)."""
    captured = []
    execute = env.cr.execute

    def capture(query, params=None, log_exceptions=True):
        if isinstance(query, SQL) and "pareto_spend_daily" in query.code:
            captured.append(query)
        return execute(query, params, log_exceptions)

    env.cr.execute = capture
    try:
        order.get_pareto_compliance()
    finally:
        env.cr.execute = execute
    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) %s", captured[-1]))
    return "\n".join(row[0] for row in env.cr.fetchall())


def confirm_time(env, vendor, products, runs, triggers):
    def one():
        order = env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": 1, "price_unit": 100})
                    for product in products
                ],
            }
        )
        env.flush_all()
        started = time.perf_counter()
        order.with_context(pareto_skip_warning=True).button_confirm()
        env.flush_all()
        return (time.perf_counter() - started) * 1000.0

    action = SQL("ENABLE") if triggers else SQL("DISABLE")
    for table in TRIGGER_TABLES:
        env.cr.execute(SQL("ALTER TABLE %s %s TRIGGER USER", SQL.identifier(table), action))
    try:
        return statistics.median(one() for _index in range(runs))
    finally:
        for table in TRIGGER_TABLES:
            env.cr.execute(SQL("ALTER TABLE %s ENABLE TRIGGER USER", SQL.identifier(table)))


def user_env(cr):
    """The administrator (record rules apply), company 1, Paris time."""
    env = api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "Europe/Paris"})
    admin = env.ref("base.user_admin")
    company = env["res.company"].search([], order="id", limit=1)
    return env(
        user=admin.id, su=False, context=dict(env.context, allowed_company_ids=company.ids)
    ), company


def bench_order(env, company):
    """The 20-line draft order (10 families, vendor not an SME), committed
    once so that every round times the same order."""
    order = env["purchase.order"].search([("name", "=", "BENCH-COMPLIANCE")], limit=1)
    if order:
        return order
    products = env["product.product"].search(
        [("name", "=like", "Bench product %")], order="id", limit=20
    )
    vendor = env["res.partner"].sudo().create({"name": "Bench large vendor", "is_company": True})
    vendor.sudo().pareto_size = "large"
    order = env["purchase.order"].create(
        {
            "name": "BENCH-COMPLIANCE",
            "partner_id": vendor.id,
            "company_id": company.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_qty": 2, "price_unit": 500})
                for product in products
            ],
        }
    )
    env.flush_all()
    env.cr.commit()
    return order


def time_compliance(names, rounds, runs):
    """{name: [ms]}: get_pareto_compliance() on each database in turn, round
    after round, so that the databases share the machine's load alike (the
    machine is shared with other jobs)."""
    timings = {name: [] for name in names}
    registries = {name: Registry(name) for name in names}
    for _round in range(rounds):
        for name in names:
            with registries[name].cursor() as cr:
                env, company = user_env(cr)
                order = bench_order(env, company)
                for _warmup in range(3):
                    env.invalidate_all()
                    order.get_pareto_compliance()
                median_ms(
                    order.get_pareto_compliance,
                    runs,
                    before=env.invalidate_all,
                    timings=timings[name],
                )
                cr.rollback()
    for name in names:
        Registry.delete(name)
        odoo.sql_db.close_db(name)
    return timings


def measure(name, args):
    registry = Registry(name)
    with registry.cursor() as cr:
        env, company = user_env(cr)
        cr.execute(SQL("SELECT COUNT(*) FROM purchase_order_line"))
        lines = cr.fetchone()[0]
        cr.execute(SQL("SELECT COUNT(*) FROM pareto_spend_daily"))
        aggregate_rows = cr.fetchone()[0]
        order = bench_order(env, company)
        products = order.order_line.product_id
        vendor = order.partner_id
        assert len(order.order_line) == 20, "a 20-line order"
        assert len(order.order_line.pareto_family_id) == 10, "over the 10 families"
        figures = order.get_pareto_compliance()
        ours = {row["family_id"]: (row["total"], row["sme_total"]) for row in figures}
        naive_ms, naive = median_ms(
            lambda: naive_orm(order), args.slow_runs, before=env.invalidate_all
        )
        report_ms, report = median_ms(
            lambda: purchase_report(order), args.slow_runs, before=env.invalidate_all
        )
        for family_id, (total, sme) in ours.items():
            for label, other in (("naive ORM", naive), ("purchase.report", report)):
                other_total, other_sme = other.get(family_id, (0.0, 0.0))
                assert abs(total - other_total) < 0.01 * max(1, len(products)), (
                    label,
                    family_id,
                    total,
                    other_total,
                )
                assert abs(sme - other_sme) < 0.01 * max(1, len(products)), (label, sme, other_sme)
        plan = explain(env, order)
        spend = sum(total for total, _sme in ours.values())
        confirm_ms = confirm_time(env, vendor, products, 10, triggers=True)
        confirm_baseline_ms = confirm_time(env, vendor, products, 10, triggers=False)
        started = time.perf_counter()
        env["pareto.spend.daily"].sudo()._rebuild()
        rebuild_s = time.perf_counter() - started
        cr.rollback()
    Registry.delete(name)
    odoo.sql_db.close_db(name)
    return {
        "lines": lines,
        "aggregate_rows": aggregate_rows,
        "period_spend": spend,
        "naive_ms": naive_ms,
        "report_ms": report_ms,
        "confirm_ms": confirm_ms,
        "confirm_baseline_ms": confirm_baseline_ms,
        "rebuild_s": rebuild_s,
        "plan": plan,
    }


def machine():
    def read(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    pg = read(["psql", "-d", "postgres", "-Atc", "SHOW server_version"])
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpus} cores, {mem:.0f} GiB RAM, PostgreSQL {pg}, Python {sys.version.split()[0]}, "
        f"Odoo {odoo.release.version}"
    )


def main(argv=None):
    args = parse_args(argv)
    config.parse_config(["--addons-path", addons_path()], setup_logging=False)
    sizes = [int(size) for size in args.sizes.split(",")]
    template = f"{args.prefix}_template"
    make_template(template)
    results = {}
    try:
        for size in sizes:
            name = f"{args.prefix}_{size}"
            fill_s = None
            if not (args.reuse and db_exists(name)):
                fill_s = fill(name, template, size)
            results[size] = measure(name, args)
            results[size]["fill_s"] = fill_s
            print(f"{size} lines measured", file=sys.stderr, flush=True)
        names = {f"{args.prefix}_{size}": size for size in sizes}
        load = os.getloadavg()[0]
        timings = time_compliance(list(names), args.rounds, args.runs)
        load = (load + os.getloadavg()[0]) / 2
        for name, size in names.items():
            results[size]["ours_ms"] = statistics.median(timings[name])
            results[size]["ours_p10_ms"] = statistics.quantiles(timings[name], n=10)[0]
            results[size]["calls"] = len(timings[name])
            results[size]["load"] = load
        report(results)
    finally:
        if not args.keep:
            for size in sizes:
                run("dropdb", "--if-exists", f"{args.prefix}_{size}")
            run("dropdb", "--if-exists", template)
    return 0


def report(results):
    print(f"Machine: {machine()}\n")
    print(
        "| purchase lines | aggregate rows | get_pareto_compliance() median (p10) "
        "| naive ORM search+sum | purchase.report _read_group "
        "| confirm 20 lines (triggers / baseline) | datagen fill | full rebuild | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for res in results.values():
        fill_s = f"{res['fill_s']:.0f} s" if res["fill_s"] is not None else "reused"
        print(
            f"| {res['lines']:,} | {res['aggregate_rows']:,} "
            f"| **{res['ours_ms']:.1f} ms** ({res['ours_p10_ms']:.1f}) "
            f"| {res['naive_ms']:,.0f} ms (×{res['naive_ms'] / res['ours_ms']:,.0f}) "
            f"| {res['report_ms']:,.0f} ms (×{res['report_ms'] / res['ours_ms']:,.0f}) "
            f"| {res['confirm_ms']:.0f} / {res['confirm_baseline_ms']:.0f} ms "
            f"| {fill_s} | {res['rebuild_s']:.2f} s | {res['load']:.1f} |"
        )
    largest = results[max(results)]
    print(f"\nPlan of the compliance query at {largest['lines']:,} lines:\n")
    print("```\n" + largest["plan"] + "\n```", flush=True)


if __name__ == "__main__":
    sys.exit(main())
