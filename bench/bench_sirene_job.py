"""Benchmark: classify vendors in a real Odoo 19 server, from the Sirene stock
file (cron job, chunks, checkpoints) and from a vendor list (import wizard).

    python3 bench/bench_sirene_stock.py --rows 25000000 --path /tmp/stock.csv --keep
    python3 bench/bench_sirene_job.py --db DB --stock /tmp/stock.csv \\
        --vendors-file /tmp/stock.csv.vendors.txt --port 8151 --kill-at 0.4 \\
        --vendor-rows 100000

The database must have ``pareto_odoo`` installed. The script

1. inserts one vendor company per SIREN of ``--vendors-file`` (SQL, cloned
   from a partner made by the ORM; one in 20 has a size set by hand);
2. with ``--vendor-rows``, runs the import wizard (preview, then import) on
   a CSV of that many rows (SIREN, size, year) in this process, measures it,
   and rolls it back;
3. creates a Sirene import job reading ``--stock`` from the server's disk and
   starts it;
4. runs an Odoo server (threaded, one cron thread, default time limits) whose
   cron processes the job, polls its progress and the server's memory; with
   ``--kill-at``, kills the server (SIGKILL) once that share of the file is
   read and starts it again, to check that the job resumes from its last
   checkpoint;
5. prints the figures (wall time, cron runs and their longest duration, peak
   RSS of each server process, counters) and a JSON line.

The vendors stay in the database (drop it afterwards).
"""

import argparse
import base64
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import odoo
from odoo import Command, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

ROOT = Path(__file__).resolve().parents[1]
JOB_LOG_RE = re.compile(
    r"Job 'Pareto: classify vendors from Sirene stock files' \(\d+\) (?P<status>[\w ]+) "
    r"\(#loop \d+; done (?P<done>\d+); remaining \d+; duration (?P<seconds>[\d.]+)s\)"
)


def default_addons_path():
    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    return f"{core},{ROOT}"


def open_env(db, addons_path):
    config.parse_config(["-d", db, "--addons-path", addons_path], setup_logging=False)
    registry = Registry(db)
    return api.Environment(registry.cursor(), odoo.SUPERUSER_ID, {"tracking_disable": True})


def insert_vendors(env, sirens):
    """One vendor company per SIREN, in one INSERT ... SELECT from a template."""
    cr = env.cr
    template = env["res.partner"].create({"name": "Bench Sirene template", "is_company": True})
    env.flush_all()
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'res_partner' AND column_name != 'id' ORDER BY ordinal_position"
        )
    )
    columns = [name for (name,) in cr.fetchall()]
    overrides = {
        "name": SQL("'Sirene vendor ' || v.n"),
        "complete_name": SQL("'Sirene vendor ' || v.n"),
        "company_registry": SQL("v.siren"),
        "pareto_siren": SQL("v.siren"),
        "commercial_partner_id": SQL("NULL"),
        "pareto_size": SQL("CASE WHEN v.n %% 20 = 0 THEN 'small' END"),
        "pareto_size_source": SQL("CASE WHEN v.n %% 20 = 0 THEN 'manual' END"),
        "pareto_is_sme": SQL("v.n %% 20 = 0"),
    }
    select = [overrides.get(column, SQL.identifier("t", column)) for column in columns]
    cr.execute(
        SQL(
            "INSERT INTO res_partner (%s) SELECT %s FROM res_partner t, "
            "unnest(%s::varchar[]) WITH ORDINALITY AS v(siren, n) WHERE t.id = %s",
            SQL(", ").join(SQL.identifier(column) for column in columns),
            SQL(", ").join(select),
            sirens,
            template.id,
        )
    )
    inserted = cr.rowcount
    cr.execute(
        SQL("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    )
    cr.execute(SQL("ANALYZE res_partner"))
    return inserted


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vendor_import(env, sirens, rows):
    """Preview and import a vendor list of ``rows`` rows; rolled back."""
    sizes = ["TPE", "PE", "PME", "ETI", "GE"]
    lines = ["SIREN;Taille;Année"]
    lines += [f"{siren};{sizes[index % 5]};2023" for index, siren in enumerate(sirens[:rows])]
    data = ("\n".join(lines) + "\n").encode()
    manager = env.ref("base.user_admin")
    wizard = (
        env["pareto.vendor.import"]
        .with_user(manager)
        .create({"file": base64.b64encode(data), "filename": "vendors.csv", "year": 2024})
    )
    started = time.perf_counter()
    wizard.action_preview()
    env.flush_all()
    preview = time.perf_counter() - started
    started = time.perf_counter()
    wizard.action_import()
    env.flush_all()
    imported = time.perf_counter() - started
    figures = {
        "rows": len(lines) - 1,
        "preview_seconds": round(preview, 1),
        "import_seconds": round(imported, 1),
        "updated": wizard.updated_count,
        "conflicts": wizard.conflict_count,
        "unchanged": wizard.unchanged_count,
        "peak_rss_mib": round(peak_rss_mib()),
    }
    env.cr.rollback()
    return figures


def server_command(args, logfile):
    return [
        sys.executable,
        "-m",
        "odoo",
        "--addons-path",
        args.addons_path,
        "-d",
        args.db,
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(args.port),
        "--workers",
        "0",
        "--max-cron-threads",
        "1",
        "--logfile",
        str(logfile),
        "--log-level",
        "info",
    ]


def vmhwm_mib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def job_row(cr, job_id):
    cr.execute(
        SQL(
            "SELECT state, COALESCE(rows_done, 0), COALESCE(rows_total, 0), "
            "COALESCE(updated_count, 0), COALESCE(matched_count, 0), COALESCE(closed_count, 0), "
            "COALESCE(kept_manual_count, 0), COALESCE(kept_newer_count, 0), "
            "COALESCE(unknown_size_count, 0), COALESCE(unchanged_count, 0), "
            "COALESCE(vendor_count, 0), error_message FROM pareto_sirene_job WHERE id = %s",
            job_id,
        )
    )
    keys = (
        "state rows_done rows_total updated matched closed kept_manual kept_newer "
        "unknown_size unchanged vendors error"
    ).split()
    return dict(zip(keys, cr.fetchone(), strict=True))


def run_job(args, env, job_id):
    """Run Odoo servers until the job is done; kill one at --kill-at."""
    cr = env.cr
    logdir = Path(args.logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    servers, timeline, killed_at = [], [], None
    process = None
    try:
        while True:
            if process is None:
                logfile = logdir / f"server_{len(servers) + 1}.log"
                process = subprocess.Popen(server_command(args, logfile))
                servers.append({"pid": process.pid, "log": str(logfile), "peak_rss_mib": None})
            time.sleep(args.poll)
            cr.rollback()  # a fresh snapshot
            row = job_row(cr, job_id)
            elapsed = time.perf_counter() - started
            timeline.append((round(elapsed), row["rows_done"]))
            print(
                f"  {elapsed:7.0f} s  {row['state']:<8} {row['rows_done']:>12,} / "
                f"{row['rows_total']:,} rows",
                flush=True,
            )
            servers[-1]["peak_rss_mib"] = vmhwm_mib(process.pid) or servers[-1]["peak_rss_mib"]
            if row["state"] in ("done", "failed", "cancelled"):
                break
            if (
                args.kill_at
                and killed_at is None
                and row["rows_total"]
                and row["rows_done"] >= args.kill_at * row["rows_total"]
            ):
                killed_at = row["rows_done"]
                print(f"  SIGKILL the server at checkpoint {killed_at:,}", flush=True)
                process.send_signal(signal.SIGKILL)
                process.wait()
                process = None
            if elapsed > args.timeout:
                raise TimeoutError(f"the job is not done after {args.timeout} s")
    finally:
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    wall = time.perf_counter() - started
    runs = []
    for server in servers:
        for match in JOB_LOG_RE.finditer(Path(server["log"]).read_text()):
            runs.append((match["status"], int(match["done"]), float(match["seconds"])))
    return row, wall, servers, runs, killed_at, timeline


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--stock", required=True, help="StockUniteLegale file (.csv or .zip)")
    parser.add_argument("--vendors-file", required=True, help="SIRENs of the vendors, one a line")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--addons-path", default=default_addons_path())
    parser.add_argument("--chunksize", type=int, default=500_000)
    parser.add_argument("--kill-at", type=float, default=0.0, help="share of the file, 0 = never")
    parser.add_argument("--vendor-rows", type=int, default=0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=3 * 3600)
    parser.add_argument("--logdir", default="/tmp/bench_sirene_job")
    args = parser.parse_args(argv)

    sirens = Path(args.vendors_file).read_text(encoding="ascii").split()
    env = open_env(args.db, args.addons_path)
    try:
        started = time.perf_counter()
        inserted = insert_vendors(env, sirens)
        env.cr.commit()
        print(f"Inserted {inserted:,} vendors in {time.perf_counter() - started:.1f} s", flush=True)

        vendor_list = None
        if args.vendor_rows:
            vendor_list = vendor_import(env, sirens, args.vendor_rows)
            print(f"Vendor list import: {vendor_list}", flush=True)

        job = env["pareto.sirene.job"].create(
            {
                "name": "Benchmark",
                "source": "path",
                "file_path": str(Path(args.stock).resolve()),
                "chunk_size": args.chunksize,
                "company_ids": [Command.set(env["res.company"].search([]).ids)],
            }
        )
        job.action_start()
        env.cr.commit()
        print(f"Job {job.id} queued: {args.stock}", flush=True)
        row, wall, servers, runs, killed_at, _timeline = run_job(args, env, job.id)
    finally:
        env.cr.close()

    durations = [seconds for _status, _done, seconds in runs]
    figures = {
        "vendors": row["vendors"],
        "rows": row["rows_done"],
        "state": row["state"],
        "error": row["error"],
        "wall_seconds": round(wall),
        "cron_runs": len(runs),
        "longest_run_seconds": max(durations) if durations else None,
        "killed_at_rows": killed_at,
        "server_peak_rss_mib": [
            round(server["peak_rss_mib"]) if server["peak_rss_mib"] else None for server in servers
        ],
        "updated": row["updated"],
        "matched": row["matched"],
        "unchanged": row["unchanged"],
        "closed": row["closed"],
        "kept_manual": row["kept_manual"],
        "kept_newer": row["kept_newer"],
        "unknown_size": row["unknown_size"],
        "vendor_import": vendor_list,
    }
    print(
        f"Sirene job: {figures['state']}, {figures['rows']:,} rows, "
        f"{figures['vendors']:,} vendors, {figures['updated']:,} sizes set, "
        f"{figures['closed']:,} closed reported, {figures['kept_manual']:,} manual kept\n"
        f"  wall time {wall:.0f} s in {len(runs)} cron runs "
        f"(longest {figures['longest_run_seconds']} s); "
        f"server peak RSS {figures['server_peak_rss_mib']} MiB"
    )
    print(json.dumps(figures))
    return 0 if row["state"] == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
