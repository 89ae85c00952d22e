"""Time the procurement heads' reports on a database filled by datagen.py.

    python3 bench/datagen.py --db DB --lines 1000000 --companies 2 --families 10 --vendors 5000
    python3 bench/bench_reports.py --db DB [--runs 5]

Measured in the same run, as the administrator with every company selected
(record rules apply), through the ORM calls the web client makes:

- the pivot of ``pareto.spend.report`` by purchasing family x size class
  (spend): Odoo 19's pivot loads its four groupings (none, rows, columns,
  both) in one ``formatted_read_grouping_sets`` call; the plain family x size
  ``formatted_read_group`` is timed too;
- the baseline: plain Odoo's ``purchase.report`` pivot by product category x
  vendor (untaxed total), the same way;
- the SME compliance dashboard (``get_dashboard_data``) of one company.

Each figure is the median of ``--runs`` warm runs (the first, cold run is
printed apart). Prints a Markdown table for BENCHMARKS.md.
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    env = open_env(args.db)
    try:
        env.cr.execute(SQL("SELECT count(*) FROM purchase_order_line WHERE display_type IS NULL"))
        lines = env.cr.fetchone()[0]
        spend = env["pareto.spend.report"]
        baseline = env["purchase.report"]
        company = env.company
        cases = [
            (
                "pareto.spend.report: family x size class, one grouping",
                lambda: len(
                    spend.formatted_read_group([], ["family_id", "pareto_size"], ["amount:sum"])
                ),
            ),
            (
                "purchase.report: category x vendor, one grouping (baseline)",
                lambda: len(
                    baseline.formatted_read_group(
                        [], ["category_id", "partner_id"], ["untaxed_total:sum"]
                    )
                ),
            ),
            (
                "pareto.spend.report pivot: family x size class",
                lambda: pivot(spend, "family_id", "pareto_size", "amount:sum"),
            ),
            (
                "purchase.report pivot: category x vendor (baseline)",
                lambda: pivot(baseline, "category_id", "partner_id", "untaxed_total:sum"),
            ),
            (
                "SME compliance dashboard, one company, current period",
                lambda: len(
                    env["pareto.compliance.dashboard"].get_dashboard_data(company.id)["families"]
                ),
            ),
        ]
        env.cr.execute(SQL("SHOW server_version"))
        server = env.cr.fetchone()[0]
        print(
            f"Database {args.db}: {lines:,} purchase lines; PostgreSQL {server}; "
            f"Python {platform.python_version()}; {os.cpu_count()} CPUs; "
            f"median of {args.runs} warm runs"
        )
        print()
        print("| Measure | Groups | Cold (s) | Warm median (s) |")
        print("| --- | ---: | ---: | ---: |")
        for label, function in cases:
            cold, warm, groups = timed(function, args.runs, env)
            print(f"| {label} | {groups:,} | {cold:.2f} | {warm:.2f} |")
            sys.stdout.flush()
    finally:
        env.cr.rollback()
        env.cr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
