"""Time the procurement heads' reports on a database filled by datagen.py.

    python3 bench/datagen.py --db DB --lines 1000000 --companies 2 --families 10 \
        --vendors 5000 [--bill-lines 1000000]
    python3 bench/bench_reports.py --db DB [--runs 5] [--baseline-runs 3] [--nice -15]

Measured in the same run, as the administrator with every company selected
(record rules apply), through the ORM calls the web client makes, each
company on the ordered basis, then on the invoiced basis:

- the SME compliance dashboard (``get_dashboard_data``: the vendor aggregate
  over the period and the same period a year earlier, the family aggregate
  over 12 months, then the engine) of one company and of the two companies
  consolidated (converted to the current company's currency);
- the pivot of ``pareto.spend.report`` by purchasing family x size class
  (spend): Odoo 19's pivot loads its four groupings (none, rows, columns,
  both) in one ``formatted_read_grouping_sets`` call; the plain family x size
  ``formatted_read_group`` is timed too;
- the baselines, once: plain Odoo's ``purchase.report`` pivot by product
  category x vendor (untaxed total), and ``account.invoice.report``'s by
  product category x vendor (untaxed amount), the same way.

Each figure is the median of ``--runs`` warm runs (``--baseline-runs`` for
the baselines; the first, cold run is printed apart), with the number of SQL
queries of a call and the time spent in them. Prints a Markdown table for
BENCHMARKS.md. Nothing is committed.
"""

import argparse
import os
import platform
import statistics
import sys
import time

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def open_env(db):
    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    config.parse_config(["-d", db, "--addons-path", f"{core},{REPO_ROOT}"], setup_logging=False)
    registry = Registry(db)
    cr = registry.cursor()
    env = api.Environment(cr, odoo.SUPERUSER_ID, {})
    admin = env.ref("base.user_admin")
    companies = env["res.company"].search([])
    admin.company_ids = companies  # the administrator works in every company
    return api.Environment(
        cr, admin.id, {"allowed_company_ids": companies.ids, "tz": "Europe/Paris", "lang": "en_US"}
    )


def pivot(model, rows, cols, measure):
    """What a pivot view with one row and one column groupby loads: one
    ``formatted_read_grouping_sets`` call (none, rows, columns, both)."""
    groups = model.formatted_read_grouping_sets(
        [], [[], [rows], [cols], [rows, cols]], [measure, "__count"]
    )
    return sum(len(sets) for sets in groups)


def timed(function, runs, env):
    env.invalidate_all()
    started = time.perf_counter()
    result = function()
    cold = time.perf_counter() - started
    times = []
    for _ in range(runs):
        env.invalidate_all()
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return cold, statistics.median(times), result


def sql_share(function, env):
    """(queries, seconds in SQL) of one warm call of ``function``."""
    cr = env.cr
    durations = []
    execute = cr.execute

    def capture(query, params=None, log_exceptions=True):
        started = time.perf_counter()
        try:
            return execute(query, params, log_exceptions)
        finally:
            durations.append(time.perf_counter() - started)

    env.invalidate_all()
    cr.execute = capture
    try:
        function()
    finally:
        cr.execute = execute
    return len(durations), sum(durations)


def set_basis(env, basis):
    env["res.company"].sudo().search([]).write({"pareto_spend_basis": basis})
    env.flush_all()


def dashboard(env, company_ids):
    data = env["pareto.compliance.dashboard"].get_dashboard_data({"company_ids": company_ids})
    return len(data["families"])


def basis_cases(env, basis):
    spend = env["pareto.spend.report"]
    company = env.company
    companies = env["res.company"].search([], order="id")
    return [
        (
            f"SME compliance dashboard, one company, current period ({basis})",
            lambda: dashboard(env, company.ids),
        ),
        (
            f"SME compliance dashboard, {len(companies)} companies consolidated ({basis})",
            lambda: dashboard(env, companies.ids),
        ),
        (
            f"pareto.spend.report: family x size class, one grouping ({basis})",
            lambda: len(
                spend.formatted_read_group([], ["family_id", "pareto_size"], ["amount:sum"])
            ),
        ),
        (
            f"pareto.spend.report pivot: family x size class ({basis})",
            lambda: pivot(spend, "family_id", "pareto_size", "amount:sum"),
        ),
    ]


def baseline_cases(env):
    return [
        (
            "purchase.report pivot: category x vendor (baseline)",
            lambda: pivot(env["purchase.report"], "category_id", "partner_id", "untaxed_total:sum"),
        ),
        (
            "account.invoice.report pivot: category x vendor (baseline)",
            lambda: pivot(
                env["account.invoice.report"],
                "product_categ_id",
                "commercial_partner_id",
                "price_subtotal:sum",
            ),
        ),
    ]


def counts(env):
    cr = env.cr
    cr.execute(SQL("SELECT count(*) FROM purchase_order_line WHERE display_type IS NULL"))
    lines = cr.fetchone()[0]
    cr.execute(
        SQL(
            "SELECT count(*) FROM account_move_line line JOIN account_move move "
            "ON move.id = line.move_id WHERE move.move_type IN ('in_invoice', 'in_refund') "
            "AND line.display_type = 'product'"
        )
    )
    return lines, cr.fetchone()[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--bases", default="ordered,invoiced")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="CPU priority of this process and of its PostgreSQL backend (negative: root)",
    )
    args = parser.parse_args(argv)
    env = open_env(args.db)
    if args.nice is not None:
        env.cr.execute(SQL("SELECT pg_backend_pid()"))
        for pid in (os.getpid(), env.cr.fetchone()[0]):
            os.setpriority(os.PRIO_PROCESS, pid, args.nice)
    try:
        lines, bill_lines = counts(env)
        env.cr.execute(SQL("SHOW server_version"))
        server = env.cr.fetchone()[0]
        print(
            f"Database {args.db}: {lines:,} purchase lines, {bill_lines:,} vendor bill lines; "
            f"PostgreSQL {server}; Python {platform.python_version()}; {os.cpu_count()} CPUs; "
            f"median of {args.runs} warm runs ({args.baseline_runs} for the baselines); "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print()
        print("| Measure | Groups | Cold (s) | Warm median (s) | Queries | In SQL (s) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        cases = []
        for basis in args.bases.split(","):
            cases += [(basis, case, args.runs) for case in basis_cases(env, basis)]
        if not args.no_baseline:
            cases += [(None, case, args.baseline_runs) for case in baseline_cases(env)]
        for basis, (label, function), runs in cases:
            if basis:
                set_basis(env, basis)
            cold, warm, groups = timed(function, runs, env)
            queries, in_sql = sql_share(function, env)
            print(f"| {label} | {groups:,} | {cold:.3f} | {warm:.3f} | {queries} | {in_sql:.3f} |")
            sys.stdout.flush()
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        env.cr.rollback()
        env.cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
