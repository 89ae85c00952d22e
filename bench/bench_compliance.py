"""Server time of ``purchase.order.get_pareto_compliance()`` for a 20-line order,
on databases of 10,000 to 1,000,000 confirmed purchase lines (and as many
vendor bill lines on the invoiced basis).

    python3 bench/bench_compliance.py [--sizes 10000,100000,1000000] [--runs 50]
    python3 bench/bench_compliance.py --basis invoiced --sizes 1000000 [--bill-lines N]

For each size, a database ``<prefix>_<size>`` is cloned from a template with
``pareto_odoo`` installed and filled by ``bench/datagen.py`` (2 companies,
10 families, 5,000 vendors; with ``--basis invoiced``, ``--bill-lines``
vendor bill lines too, by default as many as purchase lines). Then, in this
process, on a 20-line draft order of company 1 covering the 10 families
(vendor not an SME), company 1 on the ``--basis`` spend basis, it measures
the median of:

- ``get_pareto_compliance()`` (the family aggregate ``pareto.spend.daily``
  and the change log not merged yet, plus the lines of the UTC days that a
  local period boundary cuts), cache cleared before each call; on the
  invoiced basis, the ordered basis is timed too on the same database;
- the same figures with a naive ORM search-and-sum over the lines (purchase
  lines, or vendor bill lines on the invoiced basis);
- the same figures with ``purchase.report``'s ``_read_group`` (per category,
  total and SME part), or ``account.invoice.report``'s (per category and
  account: bills without product land by account prefix);
- the cost of the triggers on writes: ``button_confirm()`` of a 20-line order
  (and ``action_post()`` of a 20-line bill on the invoiced basis) with the
  triggers, and with them disabled (baseline), in the same run;
- the merge of the change log (``pareto.spend.delta._merge()``) after
  ``--merge-after`` such confirmations, the full rebuild of both aggregates
  (``pareto.spend.delta._rebuild()``) and the aggregates' sizes;

and checks that the three methods give the same totals. Prints a Markdown
table and the EXPLAIN ANALYZE of the compliance query for BENCHMARKS.md.
Databases are dropped unless ``--keep``; ``--reuse`` keeps filled ones.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time

import pytz
from benchkit import (
    REPO_ROOT,
    addons_path,
    backend_cpu,
    backend_pid,
    bill_line_count,
    captured_queries,
    count,
    median_ms,
)

import odoo
from odoo import api
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

sys.path.insert(0, REPO_ROOT)
from pareto_odoo.engine import accounts

TRIGGER_TABLES = (
    "purchase_order_line",
    "purchase_order",
    "account_move_line",
    "account_move",
    "res_partner",
)
BILL_TYPES = ("in_invoice", "in_refund")
AGGREGATES = ("pareto_spend_daily", "pareto_spend_vendor", "pareto_spend_delta")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--prefix", default="pa_bench")
    parser.add_argument("--runs", type=int, default=20, help="timed calls per round")
    parser.add_argument("--rounds", type=int, default=10, help="rounds over the databases")
    parser.add_argument("--slow-runs", type=int, default=5, help="runs of the slow methods")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="reuse filled databases")
    parser.add_argument("--basis", choices=("ordered", "invoiced"), default="ordered")
    parser.add_argument(
        "--bill-lines", type=int, default=None, help="default: the size on the invoiced basis"
    )
    parser.add_argument("--partners", type=int, default=None, help="datagen --partners")
    parser.add_argument("--sme-partners", type=int, default=None, help="datagen --sme-partners")
    parser.add_argument(
        "--merge-after", type=int, default=100, help="confirmations before the timed merge"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="CPU priority of this process and of its PostgreSQL backends (negative: root), "
        "so that the other jobs of a shared machine skew the figures less",
    )
    return parser.parse_args(argv)


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


def fill(name, template, size, args):
    run("dropdb", "--if-exists", name)
    run("createdb", "-T", template, name)
    started = time.monotonic()
    extra = ["--bill-lines", str(bill_lines(args, size))]
    for option in ("partners", "sme_partners"):
        if getattr(args, option) is not None:
            extra += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
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
        *extra,
    )
    return time.monotonic() - started


def bill_lines(args, size):
    if args.bill_lines is not None:
        return args.bill_lines
    return size if args.basis == "invoiced" else 0


def period_utc(order):
    start, end = order.company_id._pareto_period_bounds(order._pareto_spend_date())
    tz = order.env.tz

    def utc(day):
        local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    return utc(start), utc(end + datetime.timedelta(days=1))


def naive_orm(order):
    """Figures by searching the purchase lines and summing them in Python."""
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


def naive_orm_bills(order):
    """Figures by searching the vendor bill lines and summing them in Python
    (the measured order is a draft: no bill line is its own)."""
    start, end = order.company_id._pareto_period_bounds(order._pareto_spend_date())
    result = {}
    for family in order.order_line.pareto_family_id:
        lines = order.env["account.move.line"].search(
            [
                ("company_id", "=", order.company_id.id),
                ("pareto_family_id", "=", family.id),
                ("display_type", "=", "product"),
                ("move_id.state", "=", "posted"),
                ("move_id.move_type", "in", BILL_TYPES),
                ("move_id.invoice_date", ">=", start),
                ("move_id.invoice_date", "<=", end),
                ("move_id.commercial_partner_id.pareto_excluded", "=", False),
            ]
        )
        total = sme = 0.0
        for line in lines:
            total += line.balance
            if line.move_id.commercial_partner_id.pareto_is_sme:
                sme += line.balance
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


def invoice_report(order):
    """Figures with account.invoice.report's _read_group per product category
    and account: a line with a product counts in its category's family, one
    without in the family of its account's prefix (longest wins), as the
    generated data maps them. Bills' ``price_subtotal`` there is −balance."""
    start, end = order.company_id._pareto_period_bounds(order._pareto_spend_date())
    families = order.order_line.pareto_family_id
    category_family = {
        category.id: family.id for family in families for category in family.product_category_ids
    }
    prefixes = [
        (family.id, accounts.parse_prefixes(family.account_prefixes)) for family in families
    ]
    domain = [
        ("company_id", "=", order.company_id.id),
        ("state", "=", "posted"),
        ("move_type", "in", BILL_TYPES),
        ("invoice_date", ">=", start),
        ("invoice_date", "<=", end),
        ("commercial_partner_id.pareto_excluded", "=", False),
    ]
    Report = order.env["account.invoice.report"]
    result = {}
    for index, extra in enumerate(([], [("commercial_partner_id.pareto_is_sme", "=", True)])):
        groups = Report._read_group(
            [*domain, *extra], ["product_categ_id", "account_id"], ["price_subtotal:sum"]
        )
        for category, account, amount in groups:
            if category:
                family_id = category_family.get(category.id)
            else:
                code = account.with_company(order.company_id).code
                family_id = accounts.family_of_account(code, prefixes)
            if family_id:
                figures = result.setdefault(family_id, [0.0, 0.0])
                figures[index] -= amount
    return {family_id: tuple(figures) for family_id, figures in result.items()}


def explain(env, order):
    """EXPLAIN ANALYZE of the compliance query (captured while it runs)."""
    captured = [
        query
        for query, _seconds in captured_queries(env, order.get_pareto_compliance)
        if isinstance(query, SQL) and "pareto_spend_daily" in query.code
    ]
    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) %s", captured[-1]))
    return "\n".join(row[0] for row in env.cr.fetchall())


def set_triggers(env, enabled):
    action = SQL("ENABLE") if enabled else SQL("DISABLE")
    for table in TRIGGER_TABLES:
        env.cr.execute(SQL("ALTER TABLE %s %s TRIGGER USER", SQL.identifier(table), action))


def new_order(env, vendor, products):
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
    return order


def new_bill(env, vendor, products):
    bill = env["account.move"].create(
        {
            "move_type": "in_invoice",
            "partner_id": vendor.id,
            "invoice_date": datetime.date.today(),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": 100,
                        "tax_ids": [Command.clear()],
                    }
                )
                for product in products
            ],
        }
    )
    env.flush_all()
    return bill


def write_time(env, make, act, runs, triggers):
    """Median ms of ``act(record)`` (flushed) on ``runs`` records made by
    ``make()``, with the spend triggers on or off (baseline)."""

    def one():
        record = make()
        started = time.perf_counter()
        act(record)
        env.flush_all()
        return (time.perf_counter() - started) * 1000.0

    set_triggers(env, triggers)
    try:
        return statistics.median(one() for _index in range(runs))
    finally:
        set_triggers(env, True)


def user_env(cr, basis):
    """The administrator (record rules apply), company 1 on ``basis``,
    Paris time."""
    env = api.Environment(cr, odoo.SUPERUSER_ID, {"tz": "Europe/Paris"})
    admin = env.ref("base.user_admin")
    company = env["res.company"].search([], order="id", limit=1)
    if company.pareto_spend_basis != basis:
        company.pareto_spend_basis = basis
        env.flush_all()
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


def cpu_ms(pid):
    """CPU time (ms) of this process plus the PostgreSQL backend ``pid``."""
    return (time.process_time() + backend_cpu(pid)) * 1000.0


def time_compliance(names, bases, rounds, runs, nice=None):
    """{(name, basis): [ms]}: get_pareto_compliance() on each database and
    basis in turn, round after round, so that they share the machine's load
    alike (the machine is shared with other jobs)."""
    timings = {(name, basis): ([], []) for name in names for basis in bases}
    registries = {name: Registry(name) for name in names}
    for _round in range(rounds):
        for (name, basis), (values, cpus) in timings.items():
            with registries[name].cursor() as cr:
                pid = backend_pid(cr, nice)
                env, company = user_env(cr, basis)
                order = bench_order(env, company)
                for _warmup in range(3):
                    env.invalidate_all()
                    order.get_pareto_compliance()
                for _index in range(runs):
                    env.invalidate_all()
                    cpu = cpu_ms(pid)
                    started = time.perf_counter()
                    order.get_pareto_compliance()
                    values.append((time.perf_counter() - started) * 1000.0)
                    cpus.append(cpu_ms(pid) - cpu)
                cr.rollback()
    for name in names:
        Registry.delete(name)
        odoo.sql_db.close_db(name)
    return timings


def check_equal(ours, others, tolerance):
    for label, other in others.items():
        for family_id, (total, sme) in ours.items():
            other_total, other_sme = other.get(family_id, (0.0, 0.0))
            assert abs(total - other_total) < tolerance, (label, family_id, total, other_total)
            assert abs(sme - other_sme) < tolerance, (label, family_id, sme, other_sme)


def aggregate_sizes(cr):
    """{table: (rows, bytes with indexes)} of the aggregates and the log."""
    sizes = {}
    for table in AGGREGATES:
        cr.execute(
            SQL(
                "SELECT COUNT(*), pg_total_relation_size(%s) FROM %s",
                table,
                SQL.identifier(table),
            )
        )
        sizes[table] = cr.fetchone()
    return sizes


def baselines(env, order, args):
    """(naive ms, report ms) of the basis' two baselines, checked equal to
    get_pareto_compliance()'s figures."""
    invoiced = args.basis == "invoiced"
    naive, report_ = (naive_orm_bills, invoice_report) if invoiced else (naive_orm, purchase_report)
    ours = {
        row["family_id"]: (row["total"], row["sme_total"]) for row in order.get_pareto_compliance()
    }
    naive_ms, naive_figures = median_ms(
        lambda: naive(order), args.slow_runs, before=env.invalidate_all
    )
    report_ms, report_figures = median_ms(
        lambda: report_(order), args.slow_runs, before=env.invalidate_all
    )
    check_equal(ours, {"naive ORM": naive_figures, "report": report_figures}, 0.2)
    return naive_ms, report_ms, sum(total for total, _sme in ours.values())


def write_costs(env, order, args):
    """Medians (ms) of a confirmation (and, invoiced, a bill's posting),
    triggers on / off; then the merge of ``--merge-after`` confirmations."""
    products = order.order_line.product_id
    vendor = order.partner_id
    result = {}

    def confirm(record):
        record.with_context(pareto_skip_warning=True).button_confirm()

    def make_order():
        return new_order(env, vendor, products)

    result["confirm"] = [
        write_time(env, make_order, confirm, 10, triggers) for triggers in (True, False)
    ]
    if args.basis == "invoiced":

        def make_bill():
            return new_bill(env, vendor, products)

        result["post"] = [
            write_time(env, make_bill, lambda bill: bill.action_post(), 10, triggers)
            for triggers in (True, False)
        ]
    env["pareto.spend.delta"].sudo()._merge()
    for _index in range(args.merge_after):
        confirm(make_order())
        if args.basis == "invoiced":
            new_bill(env, vendor, products).action_post()
    env.flush_all()
    env.cr.execute(SQL("SELECT COUNT(*) FROM pareto_spend_delta"))
    result["merge_rows"] = env.cr.fetchone()[0]
    started = time.perf_counter()
    env["pareto.spend.delta"].sudo()._merge()
    result["merge_ms"] = (time.perf_counter() - started) * 1000.0
    return result


def measure(name, args):
    registry = Registry(name)
    with registry.cursor() as cr:
        backend_pid(cr, args.nice)
        env, company = user_env(cr, args.basis)
        lines = count(cr, SQL("SELECT COUNT(*) FROM purchase_order_line"))
        bill_lines_ = bill_line_count(cr)
        sizes = aggregate_sizes(cr)
        order = bench_order(env, company)
        assert len(order.order_line) == 20, "a 20-line order"
        assert len(order.order_line.pareto_family_id) == 10, "over the 10 families"
        naive_ms, report_ms, spend = baselines(env, order, args)
        plan = explain(env, order)
        costs = write_costs(env, order, args)
        started = time.perf_counter()
        env["pareto.spend.delta"].sudo()._rebuild()
        rebuild_s = time.perf_counter() - started
        cr.rollback()
    Registry.delete(name)
    odoo.sql_db.close_db(name)
    return {
        "lines": lines,
        "bill_lines": bill_lines_,
        "sizes": sizes,
        "period_spend": spend,
        "naive_ms": naive_ms,
        "report_ms": report_ms,
        "costs": costs,
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
    if args.nice is not None:
        os.setpriority(os.PRIO_PROCESS, os.getpid(), args.nice)
    sizes = [int(size) for size in args.sizes.split(",")]
    template = f"{args.prefix}_template"
    make_template(template)
    results = {}
    try:
        for size in sizes:
            name = f"{args.prefix}_{size}"
            fill_s = None
            if not (args.reuse and db_exists(name)):
                fill_s = fill(name, template, size, args)
            results[size] = measure(name, args)
            results[size]["fill_s"] = fill_s
            print(f"{size} lines measured", file=sys.stderr, flush=True)
        names = {f"{args.prefix}_{size}": size for size in sizes}
        bases = ["ordered", "invoiced"] if args.basis == "invoiced" else ["ordered"]
        load = os.getloadavg()[0]
        timings = time_compliance(list(names), bases, args.rounds, args.runs, args.nice)
        load = (load + os.getloadavg()[0]) / 2
        for (name, basis), (values, cpus) in timings.items():
            res = results[names[name]]
            res[f"{basis}_ms"] = statistics.median(values)
            res[f"{basis}_p10_ms"] = statistics.quantiles(values, n=10)[0]
            res[f"{basis}_cpu_ms"] = statistics.median(cpus)
            res["calls"] = len(values)
            res["load"] = load
        report(results, args)
    finally:
        if not args.keep:
            for size in sizes:
                run("dropdb", "--if-exists", f"{args.prefix}_{size}")
            run("dropdb", "--if-exists", template)
    return 0


def report(results, args):
    print(f"Machine: {machine()}\n")
    basis = args.basis
    lines = "purchase lines" + (" + bill lines" if basis == "invoiced" else "")
    naive = "naive ORM search+sum" + (" (bill lines)" if basis == "invoiced" else "")
    read_group = "account.invoice.report" if basis == "invoiced" else "purchase.report"
    other = " | ordered basis, same DB" if basis == "invoiced" else ""
    print(
        f"| {lines} | get_pareto_compliance() {basis} median (p10) [CPU]{other} | {naive} "
        f"| {read_group} _read_group | datagen fill | load avg |"
    )
    print("|---:|---:|" + ("---:|" if other else "") + "---:|---:|---:|---:|")
    for res in results.values():
        fill_s = f"{res['fill_s']:.0f} s" if res["fill_s"] is not None else "reused"
        ours = res[f"{basis}_ms"]
        count = f"{res['lines']:,}" + (f" + {res['bill_lines']:,}" if other else "")
        ordered = (
            f" | {res['ordered_ms']:.1f} ms ({res['ordered_p10_ms']:.1f}) "
            f"[{res['ordered_cpu_ms']:.1f}]"
            if other
            else ""
        )
        print(
            f"| {count} | **{ours:.1f} ms** ({res[f'{basis}_p10_ms']:.1f}) "
            f"[{res[f'{basis}_cpu_ms']:.1f}]{ordered} "
            f"| {res['naive_ms']:,.0f} ms (×{res['naive_ms'] / ours:,.0f}) "
            f"| {res['report_ms']:,.0f} ms (×{res['report_ms'] / ours:,.0f}) "
            f"| {fill_s} | {res['load']:.1f} |"
        )
    print(
        "\n| purchase lines | "
        + " | ".join(f"{table} rows (size)" for table in AGGREGATES)
        + " | confirm 20 lines (triggers / off) | post a 20-line bill (triggers / off) "
        "| merge after N confirmations: log rows, time | full rebuild |"
    )
    print("|---:|" + "---:|" * (len(AGGREGATES) + 4))
    for res in results.values():
        sizes = " | ".join(
            f"{rows:,} ({size / 2**20:.1f} MiB)" for rows, size in res["sizes"].values()
        )
        costs = res["costs"]
        post = "–" if "post" not in costs else "{:.0f} / {:.0f} ms".format(*costs["post"])
        print(
            f"| {res['lines']:,} | {sizes} "
            f"| {costs['confirm'][0]:.0f} / {costs['confirm'][1]:.0f} ms | {post} "
            f"| N={args.merge_after}: {costs['merge_rows']:,} rows, {costs['merge_ms']:.0f} ms "
            f"| {res['rebuild_s']:.2f} s |"
        )
    largest = results[max(results)]
    print(f"\nPlan of the compliance query ({basis} basis) at {largest['lines']:,} lines:\n")
    print("```\n" + largest["plan"] + "\n```", flush=True)


if __name__ == "__main__":
    sys.exit(main())
