"""Time the payment report and the statutory late-payment table (issue 13)
on a database filled by datagen.py, beside Odoo's account.invoice.report.

    python3 /opt/odoo19/odoo-bin -d DB -i pareto_odoo --stop-after-init \
        --addons-path=/opt/odoo19/addons,.
    python3 bench/datagen.py --db DB --lines 200000 --bill-lines 1000000 --lines-per-bill 1
    python3 bench/bench_payments.py --db DB [--runs 5] [--nice -15] [--no-baseline]

Measured in the same run, as the administrator with every company selected
(record rules apply), through the ORM calls the web client makes:

- ``pareto.payment.report``: the grouping by size class (average payment
  delay and late days, total, count), the pivot the web client loads (one
  ``formatted_read_grouping_sets`` call: none, rows, columns, both) of SME
  x bill month (average delay and late days), and the same by main
  purchasing family (a correlated subquery per bill), as one grouping and
  as a pivot of family x bill month;
- ``res.company.get_pareto_late_payment_table`` of each company at today
  and at the last 31 December, of all vendors and of SMEs only;
- the baselines: ``account.invoice.report``'s vendor bills grouped by
  vendor (untaxed total, count), and its pivot of payment status x invoice
  month (untaxed total), the same way.

Each figure is the median of ``--runs`` warm runs (the first, cold run is
printed apart), with the number of SQL queries of a warm call and the time
spent in them, and its ratio to the baseline of the same kind (groupings and
late-payment tables to the baseline grouping, pivots to the baseline pivot).
Prints a Markdown table for BENCHMARKS.md. Nothing is committed.
"""

import datetime
import os
import platform
import sys

from benchkit import bench_parser, run_as_admin, sql_share, timed

from odoo import fields
from odoo.tools import SQL

DELAYS = ["delay_days:avg", "late_days:avg"]
BILL_TYPES = ("in_invoice", "in_refund")


def pivot(model, rows, cols, measures, domain=()):
    """What a pivot view with one row and one column groupby loads: one
    ``formatted_read_grouping_sets`` call (none, rows, columns, both)."""
    groups = model.formatted_read_grouping_sets(
        list(domain), [[], [rows], [cols], [rows, cols]], [*measures, "__count"]
    )
    return f"{sum(len(sets) for sets in groups):,} groups"


def grouping(model, groupby, aggregates, domain=()):
    groups = model.formatted_read_group(list(domain), groupby, aggregates)
    return f"{len(groups):,} groups"


def late_table(company, closing, sme_only):
    table = company.get_pareto_late_payment_table(fields.Date.to_string(closing), sme_only)
    total = table["total"]
    return f"{total['count']:,} late, {total['amount']:,.0f} due, {total['share'] or 0:.1f} %"


def last_december(today):
    """The last 31 December (today when it is one)."""
    if (today.month, today.day) == (12, 31):
        return today
    return datetime.date(today.year - 1, 12, 31)


def baseline_cases(env):
    """[(label, kind, function)] of plain Odoo's invoice report."""
    report = env["account.invoice.report"]
    bills = [("move_type", "=", "in_invoice")]
    return [
        (
            "account.invoice.report: vendor bills by vendor (baseline)",
            "grouping",
            lambda: grouping(report, ["partner_id"], ["price_subtotal:sum", "__count"], bills),
        ),
        (
            "account.invoice.report pivot: payment status x invoice month (baseline)",
            "pivot",
            lambda: pivot(
                report, "payment_state", "invoice_date:month", ["price_subtotal:sum"], bills
            ),
        ),
    ]


def report_cases(env):
    """[(label, kind, function)] of the payment report."""
    report = env["pareto.payment.report"]
    by_size = [*DELAYS, "amount_total:sum", "__count"]
    return [
        (
            "pareto.payment.report: by size class (delays, total, count)",
            "grouping",
            lambda: grouping(report, ["pareto_size"], by_size),
        ),
        (
            "pareto.payment.report pivot: SME x bill month (delays)",
            "pivot",
            lambda: pivot(report, "is_sme", "invoice_date:month", DELAYS),
        ),
        (
            "pareto.payment.report: by main family (delays, total, count)",
            "grouping",
            lambda: grouping(report, ["family_id"], by_size),
        ),
        (
            "pareto.payment.report pivot: main family x bill month (delays)",
            "pivot",
            lambda: pivot(report, "family_id", "invoice_date:month", DELAYS),
        ),
    ]


def table_cases(env):
    """[(label, kind, function)] of the late-payment table of each company
    at today and at the last 31 December, all vendors then SMEs only."""
    today = fields.Date.context_today(env.user)
    cases = []
    for company in env["res.company"].search([], order="id"):
        for closing in (today, last_december(today)):
            for sme_only in (False, True):
                vendors = "SMEs" if sme_only else "all vendors"
                cases.append(
                    (
                        f"late-payment table: {company.name}, {closing}, {vendors}",
                        "grouping",
                        lambda c=company, d=closing, s=sme_only: late_table(c, d, s),
                    )
                )
    return cases


def counts(env):
    """{name: count} of the data the report reads."""
    queries = {
        "bills": "SELECT count(*) FROM account_move WHERE state = 'posted' "
        "AND move_type = 'in_invoice'",
        "refunds": "SELECT count(*) FROM account_move WHERE state = 'posted' "
        "AND move_type = 'in_refund'",
        "paid": "SELECT count(*) FROM account_move WHERE pareto_payment_date IS NOT NULL "
        "AND move_type IN ('in_invoice', 'in_refund')",
        "disputed": "SELECT count(*) FROM account_move WHERE payment_state = 'blocked' "
        "AND move_type IN ('in_invoice', 'in_refund')",
        "bill_lines": "SELECT count(*) FROM account_move_line line JOIN account_move move "
        "ON move.id = line.move_id WHERE move.move_type IN ('in_invoice', 'in_refund') "
        "AND line.display_type = 'product'",
        "partials": "SELECT count(*) FROM account_partial_reconcile",
        "partners": "SELECT count(*) FROM res_partner",
        "companies": "SELECT count(*) FROM res_company",
    }
    result = {}
    for name, query in queries.items():
        env.cr.execute(SQL(query))
        result[name] = env.cr.fetchone()[0]
    return result


def print_header(env, args):
    sizes = counts(env)
    env.cr.execute(SQL("SHOW server_version"))
    server = env.cr.fetchone()[0]
    print(
        f"Database {args.db}: {sizes['bills']:,} posted vendor bills and {sizes['refunds']:,} "
        f"refunds ({sizes['bill_lines']:,} product lines), {sizes['paid']:,} fully paid, "
        f"{sizes['disputed']:,} disputed, {sizes['partials']:,} partial reconciles, "
        f"{sizes['partners']:,} partners, {sizes['companies']} companies; PostgreSQL {server}; "
        f"Python {platform.python_version()}; {os.cpu_count()} CPUs; today "
        f"{fields.Date.context_today(env.user)}; median of {args.runs} warm runs; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print(
        "| Measure | Result | Cold (s) | Warm median (s) | Queries | In SQL (s) "
        "| × baseline | < 1 s |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |")


def run_case(env, case, runs, baselines):
    """Time one case, print its row; return its warm median."""
    label, kind, function = case
    cold, warm, result = timed(function, runs, env)
    queries, in_sql = sql_share(function, env)
    base = baselines.get(kind)
    ratio = f"{warm / base:.2f}" if base else "–"
    under = "yes" if warm < 1 else "**no**"
    print(
        f"| {label} | {result} | {cold:.3f} | {warm:.3f} | {queries} | {in_sql:.3f} "
        f"| {ratio} | {under} |"
    )
    sys.stdout.flush()
    return warm


def main(argv=None):
    parser = bench_parser(__doc__)
    args = parser.parse_args(argv)

    def body(env):
        print_header(env, args)
        baselines = {}
        if not args.no_baseline:
            for case in baseline_cases(env):
                baselines[case[1]] = run_case(env, case, args.runs, {})
        for case in report_cases(env) + table_cases(env):
            run_case(env, case, args.runs, baselines)

    return run_as_admin(args, body)


if __name__ == "__main__":
    sys.exit(main())
