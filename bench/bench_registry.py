"""Benchmark: the national registry from Odoo — rate limit and database overhead.

1. Rate limit (``rate``). ``--servers`` processes, standing for Odoo servers
   sharing one database, each run ``--workers`` threads, standing for their
   workers, that call the registry client as fast as they can for
   ``--seconds`` against the loopback stand-in of the API (the tests' own,
   ``engine/tests/registry_server.py``), which records when each request
   arrives. Once without a limiter (baseline), once with the addon's limiter:
   request slots booked in PostgreSQL (``pareto.registry.slot``, one row,
   one short READ COMMITTED transaction per request, each on the thread's own
   connection). Reports requests per second and the most requests seen in
   any 1-second window (the registry allows 7), and what one booking costs
   (median and 99th percentile of the booking transaction, measured during
   the run, under contention).

2. Database side of the scheduled refresh and of the discovery (``refresh``,
   a database with ``pareto_odoo`` installed, e.g. filled by ``datagen.py
   --partners 100000 --sme-partners 10000``). Gives ``--vendors`` company
   partners a valid SIREN and a supplier rank (committed: use a bench
   database), then times the refresh's batch selection (search ordered by
   registry date, nulls first, then the count of what remains) and the
   discovery's "already a partner?" check on 50 SIRENs, median of
   ``--repeat`` runs, against the time the rate limit imposes per batch.

    python3 bench/bench_registry.py rate --db DB --servers 3 --workers 4 --seconds 10
    python3 bench/bench_registry.py refresh --db pr_bench --vendors 10000
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pareto_odoo.engine.registry import (  # noqa: E402
    RegistryClient,
    RegistryCompany,
    SlotLimiter,
)
from pareto_odoo.engine.tests import registry_server  # noqa: E402
from pareto_odoo.engine.tests.registry_server import FakeRegistry, Reply, fixture  # noqa: E402


def _odoo(db, addons_path=None):
    """Configure Odoo for ``db`` (no registry loaded); return the slot booking."""
    import odoo  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    config.parse_config(
        ["-d", db, "--addons-path", addons_path or f"{core},{ROOT}"], setup_logging=False
    )
    from odoo.addons.pareto_odoo.models import pareto_registry_slot  # noqa: PLC0415

    return pareto_registry_slot


def _server(db, addons_path, url, limited, barrier, deadline, results, workers):
    """One "Odoo server": ``workers`` threads calling the registry until the deadline."""
    slots = _odoo(db, addons_path)
    from odoo import sql_db  # noqa: PLC0415

    bookings = []

    def reserve():  # as pareto.registry.slot._reserve, on this thread's own connection
        started = time.perf_counter()
        with sql_db.db_connect(db).cursor() as cr:
            start, now = slots.reserve_slot(cr)
            answered = time.monotonic()
        bookings.append(time.perf_counter() - started)
        return start - now - (time.monotonic() - answered)

    def work():
        limiter = SlotLimiter(reserve) if limited else None
        with RegistryClient(url, timeout=10, rate_limiter=limiter) as client:
            barrier.wait()
            while time.time() < deadline.value:
                client.search(q="bench")

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(bookings)


def max_in_window(times, window=1.0):
    times = sorted(times)
    best, start = 0, 0
    for end, value in enumerate(times):
        while value - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def run_rate(args, fake, limited):
    """Requests seen by the registry while the servers' workers (all ready
    before the clock starts) call it for ``args.seconds``."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(args.servers * args.workers + 1)
    deadline = context.Value("d", time.time() + 3600)
    results = context.Queue()
    processes = [
        context.Process(
            target=_server,
            args=(
                args.db,
                args.addons_path,
                fake.url,
                limited,
                barrier,
                deadline,
                results,
                args.workers,
            ),
        )
        for _ in range(args.servers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=300)
    start = time.time()
    fake.received.clear()
    deadline.value = start + args.seconds
    bookings = [value for _ in processes for value in results.get(timeout=300)]
    for process in processes:
        process.join()
    arrivals = [received.at for received in fake.received if received.at < start + args.seconds]
    bookings.sort()
    return {
        "requests": len(arrivals),
        "per_second": len(arrivals) / args.seconds,
        "max_in_1s": max_in_window(arrivals),
        "booking_median_ms": statistics.median(bookings) * 1000 if bookings else None,
        "booking_p99_ms": bookings[int(len(bookings) * 0.99)] * 1000 if bookings else None,
        "bookings": len(bookings),
    }


def bench_rate(args):
    slots = _odoo(args.db, args.addons_path)
    fake = FakeRegistry().start()
    fake.reply("/search", Reply(body=fixture("search_empty")))
    try:
        baseline = run_rate(args, fake, limited=False)
        limited = run_rate(args, fake, limited=True)
    finally:
        fake.stop()
    total = args.servers * args.workers
    print(
        f"Rate limit: {args.servers} servers x {args.workers} workers ({total} clients) "
        f"for {args.seconds:g} s, one database"
    )
    for label, result in (
        ("no limiter (baseline)", baseline),
        (f"slots in PostgreSQL, 1 per {slots.SPACING_SECONDS:g} s", limited),
    ):
        print(
            f"  {label:34} {result['requests']:6d} requests  "
            f"{result['per_second']:8.1f}/s  max in any 1 s window: {result['max_in_1s']}"
        )
    print(
        f"  booking a slot (its own transaction, under contention): median "
        f"{limited['booking_median_ms']:.2f} ms, p99 {limited['booking_p99_ms']:.2f} ms "
        f"over {limited['bookings']} bookings"
    )


def _valid_sirens(count, start=30_000_000):
    from stdnum import luhn  # noqa: PLC0415

    for base in range(start, start + count):
        digits = f"{base:08d}"
        yield digits + luhn.calc_check_digit(digits)


def bench_db(args):
    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import SQL, config  # noqa: PLC0415

    core = os.path.join(os.path.dirname(odoo.__path__[0]), "addons")
    config.parse_config(
        ["-d", args.db, "--addons-path", args.addons_path or f"{core},{ROOT}"],
        setup_logging=False,
    )
    from odoo.addons.pareto_odoo.models.pareto_registry_slot import (  # noqa: PLC0415
        SPACING_SECONDS as spacing,
    )

    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(SQL("SELECT count(*), count(*) FILTER (WHERE is_company) FROM res_partner"))
        partners, companies = cr.fetchone()
        # The first --vendors companies get a SIREN; a third were never refreshed,
        # the rest have dates spread over two years (most of them are due).
        # Setup only, triggers off: only registry columns change.
        cr.execute(SQL("SET LOCAL session_replication_role = replica"))
        cr.execute(
            SQL(
                """WITH chosen AS (
                       SELECT id, row_number() OVER (ORDER BY id) AS n FROM res_partner
                        WHERE is_company AND id NOT IN (SELECT partner_id FROM res_company)
                        ORDER BY id LIMIT %s)
                   UPDATE res_partner partner
                      SET company_registry = mapping.siren, pareto_siren = mapping.siren,
                          supplier_rank = GREATEST(partner.supplier_rank, 1),
                          pareto_registry_date = CASE WHEN chosen.n %% 3 = 0 THEN NULL
                              ELSE CURRENT_DATE - (chosen.n %% 730)::int END
                     FROM chosen
                     JOIN unnest(%s::varchar[]) WITH ORDINALITY AS mapping(siren, n)
                       ON mapping.n = chosen.n
                    WHERE partner.id = chosen.id""",
                args.vendors,
                list(_valid_sirens(args.vendors)),
            )
        )
        updated = cr.rowcount
        cr.commit()
        cr.execute(SQL("ANALYZE res_partner"))
        cr.commit()
        gateway = env["pareto.registry"]
        partners_model = env["res.partner"].with_context(active_test=True)
        domain = gateway._registry_refresh_domain()
        due = partners_model.search_count(domain)

        def batch():
            env.invalidate_all()
            found = partners_model.search(
                domain, order="pareto_registry_date ASC NULLS FIRST, id", limit=50
            )
            partners_model.search_count(domain)
            return found

        sample = list(_valid_sirens(50, start=30_000_000 + args.vendors // 2))

        def known():
            env.invalidate_all()
            return partners_model.with_context(active_test=False).search_fetch(
                [("pareto_siren", "in", sample)], ["pareto_siren"]
            )

        # Writing one vendor's registry data (ORM write, chatter note): the
        # vendor with the most confirmed lines, its address and size changing.
        cr.execute(
            SQL(
                """SELECT po.partner_id FROM purchase_order po
                    JOIN res_partner partner ON partner.id = po.partner_id
                   WHERE po.state = 'purchase' AND partner.pareto_siren IS NOT NULL
                   GROUP BY po.partner_id ORDER BY count(*) DESC LIMIT 1"""
            )
        )
        row = cr.fetchone()
        vendor = env["res.partner"].browse(row[0] if row else [])
        vendor = vendor or partners_model.search(domain, limit=1)
        vendor = vendor or partners_model.search([("pareto_siren", "!=", False)], limit=1)
        cr.execute(
            SQL(
                "SELECT count(*) FROM purchase_order_line line JOIN purchase_order po"
                " ON po.id = line.order_id WHERE po.partner_id = %s AND po.state = 'purchase'",
                vendor.id,
            )
        )
        vendor_lines = cr.fetchone()[0]
        # The registry's answer, as its client parses it: the tests' company
        # (Montreuil), large when the vendor is an SME so that its size changes.
        large = vendor.pareto_size in ("micro", "small", "medium")
        company = RegistryCompany.from_result(
            registry_server.company(
                vendor.pareto_siren, categorie_entreprise="GE" if large else "PME"
            )
        )

        def apply():
            cr.execute(SQL("SAVEPOINT bench_apply"))
            gateway._apply_company(vendor.sudo(), company, overwrite_manual=False)
            env.flush_all()
            cr.execute(SQL("ROLLBACK TO SAVEPOINT bench_apply"))
            env.invalidate_all()
            env.transaction.clear()

        timings = {}
        for label, call in (
            ("refresh batch selection", batch),
            ("discovery SIREN check", known),
            (f"write one vendor ({vendor_lines} lines)", apply),
        ):
            call()  # warm-up
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                call()
                runs.append((time.perf_counter() - start) * 1000)
            timings[label] = statistics.median(runs)
        cr.rollback()
    print(
        f"Database {args.db}: {partners} partners ({companies} companies), "
        f"{updated} vendors with a SIREN, {due} due for a refresh"
    )
    for label, value in timings.items():
        print(f"  {label:32} median {value:7.2f} ms over {args.repeat} runs")
    print(
        f"  baseline: the rate limit's spacing, {spacing * 1000:.0f} ms per vendor, "
        f"{spacing * 50 * 1000:.0f} ms per batch of 50"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rate = commands.add_parser("rate", help="the rate limit across servers and workers")
    rate.add_argument("--db", required=True)
    rate.add_argument("--addons-path")
    rate.add_argument("--servers", type=int, default=3)
    rate.add_argument("--workers", type=int, default=4)
    rate.add_argument("--seconds", type=float, default=10.0)
    refresh = commands.add_parser("refresh", help="database side of the refresh and discovery")
    refresh.add_argument("--db", required=True)
    refresh.add_argument("--addons-path")
    refresh.add_argument("--vendors", type=int, default=10000)
    refresh.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.command == "rate":
        bench_rate(args)
    else:
        bench_db(args)


if __name__ == "__main__":
    main()
