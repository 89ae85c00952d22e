"""What the benchmarks share: opening a database, timing calls, capturing
their SQL, counting the spend lines, printing Markdown tables.

Imported by the scripts of this folder (``python3 bench/bench_x.py`` puts
the folder on ``sys.path``).
"""

import argparse
import os
import statistics
import time

import odoo
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def addons_path():
    """Odoo's own addons and this repository's."""
    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    return f"{core},{REPO_ROOT}"


def open_env(db, addons=None, context=None):
    """A superuser environment on a new cursor of ``db`` (rolled back and
    closed by the caller)."""
    config.parse_config(["-d", db, "--addons-path", addons or addons_path()], setup_logging=False)
    cr = Registry(db).cursor()
    return api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))


def open_admin_env(db):
    """The administrator (record rules apply) working in every company, all
    selected, Paris time, in English."""
    env = open_env(db)
    admin = env.ref("base.user_admin")
    companies = env["res.company"].search([])
    admin.company_ids = companies  # the administrator works in every company
    return api.Environment(
        env.cr,
        admin.id,
        {"allowed_company_ids": companies.ids, "tz": "Europe/Paris", "lang": "en_US"},
    )


def backend_pid(cr, nice=None):
    """The PostgreSQL backend's pid; gives it the priority ``nice`` (None:
    unchanged)."""
    cr.execute(SQL("SELECT pg_backend_pid()"))
    pid = cr.fetchone()[0]
    if nice is not None:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
    return pid


def set_nice(cr, nice):
    """This process and its PostgreSQL backend at the CPU priority ``nice``
    (None: unchanged; negative: root); returns the backend's pid."""
    if nice is not None:
        os.setpriority(os.PRIO_PROCESS, os.getpid(), nice)
    return backend_pid(cr, nice)


def backend_cpu(pid):
    """CPU time (s) the PostgreSQL backend ``pid`` has used (Linux)."""
    with open(f"/proc/{pid}/schedstat", encoding="ascii") as schedstat:
        return int(schedstat.read().split()[0]) / 1e9


def timed(function, runs, env):
    """(cold s, median s of ``runs`` warm runs, result of the cold run), the
    ORM cache cleared before each call."""
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


def median_ms(func, runs, before=None, timings=None):
    """(median ms of ``runs`` calls of ``func``, the last result); ``before()``
    is called before each, the times are appended to ``timings``."""
    timings = [] if timings is None else timings
    result = None
    for _index in range(runs):
        if before:
            before()
        started = time.perf_counter()
        result = func()
        timings.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(timings), result


def captured_queries(env, function):
    """The SQL queries one call of ``function()`` runs (the ORM cache cleared
    first), each with the seconds it took: [(query, seconds)]."""
    cr = env.cr
    captured = []
    execute = cr.execute

    def capture(query, params=None, log_exceptions=True):
        started = time.perf_counter()
        try:
            return execute(query, params, log_exceptions)
        finally:
            captured.append((query, time.perf_counter() - started))

    env.invalidate_all()
    cr.execute = capture
    try:
        function()
    finally:
        cr.execute = execute
    return captured


def sql_share(function, env):
    """(queries, seconds in SQL) of one warm call of ``function``."""
    captured = captured_queries(env, function)
    return len(captured), sum(seconds for _query, seconds in captured)


def count(cr, query):
    """The first column of the one row of ``query``."""
    cr.execute(query)
    return cr.fetchone()[0]


BILL_LINES_QUERY = SQL(
    "SELECT count(*) FROM account_move_line line JOIN account_move move "
    "ON move.id = line.move_id WHERE move.move_type IN ('in_invoice', 'in_refund') "
    "AND line.display_type = 'product'"
)


def bill_line_count(cr):
    """The product lines of vendor bills and refunds."""
    return count(cr, BILL_LINES_QUERY)


def server_version(cr):
    return count(cr, SQL("SHOW server_version"))


def print_table_head(*columns):
    """The head of a Markdown table: ``columns`` are (title, align), align
    ``"left"``, ``"right"`` or ``"center"``."""
    rules = {"left": "---", "right": "---:", "center": ":---:"}
    print("| " + " | ".join(title for title, _align in columns) + " |")
    print("| " + " | ".join(rules[align] for _title, align in columns) + " |")


def print_row(*cells):
    """A row of a Markdown table, flushed (benchmarks print as they go)."""
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def bench_parser(doc):
    """The options every report benchmark takes: --db, --runs, --no-baseline
    and --nice; the caller adds its own."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--nice",
        type=int,
        default=None,
        help="CPU priority of this process and of its PostgreSQL backend (negative: root)",
    )
    return parser


def run_as_admin(args, body):
    """Run ``body(env)`` as the administrator on ``args.db`` at the priority
    ``args.nice``, print the load average at the end, and leave the
    database as it was (rolled back)."""
    env = open_admin_env(args.db)
    set_nice(env.cr, args.nice)
    try:
        body(env)
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        env.cr.rollback()
        env.cr.close()
    return 0
