"""Time installing pareto_odoo on a database that already holds N purchase lines.

    python3 bench/bench_install.py [--lines 1000000] [--partners 100000] [--keep]

Steps, in one run: a fresh database with ``purchase`` only; ``datagen.py``
fills it (without pareto_odoo, so no family yet); then ``-i pareto_odoo`` is
timed there. Baselines measured in the same run: installing pareto_odoo on an
empty database with ``purchase`` only, and one plain SQL UPDATE touching every
purchase line (what a per-line recompute would cost at best, before ORM
overhead). Prints a Markdown table for BENCHMARKS.md.
"""

import argparse
import os
import platform
import subprocess
import sys
import time

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)


def addons_path():
    import odoo  # noqa: PLC0415  (Odoo is only needed when the benchmark runs)

    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    return f"{core},{REPO_ROOT}"


def odoo(db, *args):
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        db,
        f"--addons-path={addons_path()}",
        "--http-interface=127.0.0.1",
        "--stop-after-init",
        "--log-level=warn",
        *args,
    ]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


def recreate(db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--vendors", type=int, default=5_000)
    parser.add_argument("--db-prefix", default="pareto_bench_install")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args()
    big, empty = f"{args.db_prefix}_big", f"{args.db_prefix}_empty"

    recreate(empty)
    odoo(empty, "-i", "purchase")
    install_empty = odoo(empty, "-i", "pareto_odoo")

    recreate(big)
    odoo(big, "-i", "purchase")
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            os.path.join(HERE, "datagen.py"),
            "--db",
            big,
            "--lines",
            str(args.lines),
            "--partners",
            str(args.partners),
            "--vendors",
            str(args.vendors),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    generation = time.monotonic() - started

    with psycopg2.connect(dbname=big) as connection, connection.cursor() as cr:
        cr.execute("SELECT count(*) FROM purchase_order_line")
        lines = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM res_partner")
        partners = cr.fetchone()[0]
        started = time.monotonic()
        cr.execute("UPDATE purchase_order_line SET write_date = write_date")
        update_all = time.monotonic() - started
        connection.rollback()

    install_big = odoo(big, "-i", "pareto_odoo")

    with psycopg2.connect(dbname=big) as connection, connection.cursor() as cr:
        cr.execute("SELECT count(*) FROM res_partner WHERE pareto_department IS NOT NULL")
        with_department = cr.fetchone()[0]

    cpu = platform.processor() or platform.machine()
    print(f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}")
    print(
        f"Data: {lines:,} purchase lines, {partners:,} partners (generated in {generation:.0f} s)"
    )
    print()
    print("| Step | Time |")
    print("|---|---|")
    print(f"| Install pareto_odoo on {lines:,} lines | {install_big:.1f} s |")
    print(f"| Baseline: install pareto_odoo on an empty database | {install_empty:.1f} s |")
    print(f"| Baseline: one SQL UPDATE of every purchase line | {update_all:.1f} s |")
    print(f"\nPartners given a département at install: {with_department:,}")
    sys.stdout.flush()
    if not args.keep:
        recreate(big)
        recreate(empty)


if __name__ == "__main__":
    main()
