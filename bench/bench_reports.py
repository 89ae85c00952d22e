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

import os
import platform
import sys

from benchkit import (
    bench_parser,
    bill_line_count,
    count,
    print_row,
    print_table_head,
    run_as_admin,
    server_version,
    sql_share,
    timed,
)

from odoo.tools import SQL


def pivot(model, rows, cols, measure):
    """What a pivot view with one row and one column groupby loads: one
    ``formatted_read_grouping_sets`` call (none, rows, columns, both)."""
    groups = model.formatted_read_grouping_sets(
        [], [[], [rows], [cols], [rows, cols]], [measure, "__count"]
    )
    return sum(len(sets) for sets in groups)


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
    lines = count(
        env.cr, SQL("SELECT count(*) FROM purchase_order_line WHERE display_type IS NULL")
    )
    return lines, bill_line_count(env.cr)


def main(argv=None):
    parser = bench_parser(__doc__)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--bases", default="ordered,invoiced")
    args = parser.parse_args(argv)

    def body(env):
        lines, bill_lines = counts(env)
        server = server_version(env.cr)
        print(
            f"Database {args.db}: {lines:,} purchase lines, {bill_lines:,} vendor bill lines; "
            f"PostgreSQL {server}; Python {platform.python_version()}; {os.cpu_count()} CPUs; "
            f"median of {args.runs} warm runs ({args.baseline_runs} for the baselines); "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print()
        print_table_head(
            ("Measure", "left"),
            ("Groups", "right"),
            ("Cold (s)", "right"),
            ("Warm median (s)", "right"),
            ("Queries", "right"),
            ("In SQL (s)", "right"),
        )
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
            print_row(label, f"{groups:,}", f"{cold:.3f}", f"{warm:.3f}", queries, f"{in_sql:.3f}")

    return run_as_admin(args, body)


if __name__ == "__main__":
    sys.exit(main())
