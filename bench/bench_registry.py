"""Benchmark: the national registry from Odoo — rate limit and database overhead.

1. Rate limit (no Odoo needed). ``--workers`` processes, standing for the
   workers of one Odoo server, call the registry client as fast as they can
   for ``--seconds`` against a stand-in of the API on 127.0.0.1 that records
   when each request arrives; once without a limiter (baseline), once with
   the ``RateLimiter`` file that ``pareto.registry`` shares between workers.
   Reports requests per second and the most requests seen in any 1-second
   window (the registry allows 7), plus the cost of one ``acquire()`` that
   does not wait.

2. Database side of the scheduled refresh and of the discovery (``--db``, a
   database with ``pareto_odoo`` installed, e.g. filled by ``datagen.py
   --partners 100000 --sme-partners 10000``). Gives ``--vendors`` company
   partners a valid SIREN and a supplier rank (committed: use a bench
   database), then times the refresh's batch selection (search ordered by
   registry date, nulls first, then the count of what remains) and the
   discovery's "already a partner?" check on 50 SIRENs, median of
   ``--repeat`` runs, against the time the rate limit imposes per batch.

    python3 bench/bench_registry.py --workers 4 --seconds 5
    python3 bench/bench_registry.py --db pr_bench --vendors 10000
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pareto_odoo.engine.registry import (  # noqa: E402
    RateLimiter,
    RegistryClient,
    RegistryCompany,
)

EMPTY_PAGE = json.dumps(
    {"results": [], "total_results": 0, "page": 1, "per_page": 25, "total_pages": 0}
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.arrivals.append(time.time())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(EMPTY_PAGE)))
        self.end_headers()
        self.wfile.write(EMPTY_PAGE)

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


# As pareto.registry builds it: one request every RATE_SPACING_SECONDS.
RATE_SPACING_SECONDS = 0.15


def _limiter(lock_path, style):
    if style == "even":
        return RateLimiter(lock_path, rate=1, period=RATE_SPACING_SECONDS)
    return RateLimiter(lock_path, rate=7, period=1.0)  # the engine's default


def _worker(url, lock_path, style, barrier, deadline, counter):
    limiter = _limiter(lock_path, style) if lock_path else None
    barrier.wait()
    done = 0
    with RegistryClient(url, timeout=10, rate_limiter=limiter) as client:
        while time.time() < deadline.value:
            client.search(q="bench")
            done += 1
    with counter.get_lock():
        counter.value += done


def max_in_window(times, window=1.0):
    times = sorted(times)
    best, start = 0, 0
    for end, value in enumerate(times):
        while value - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def run_rate(url, server, workers, seconds, lock_path, style="even"):
    """Requests seen by the server while ``workers`` processes (started and
    ready before the clock starts) call the client for ``seconds``."""
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    barrier = context.Barrier(workers + 1)
    deadline = context.Value("d", 0.0)
    processes = [
        context.Process(target=_worker, args=(url, lock_path, style, barrier, deadline, counter))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    deadline.value = time.time() + 3600
    barrier.wait(timeout=120)
    start = time.time()
    server.arrivals = []
    deadline.value = start + seconds
    for process in processes:
        process.join()
    arrivals = [value for value in server.arrivals if value < start + seconds]
    return {
        "requests": len(arrivals),
        "per_second": len(arrivals) / seconds,
        "max_in_1s": max_in_window(arrivals),
    }


def acquire_cost(lock_path, count=5000):
    """Seconds per acquire() that does not wait: the file lock and its I/O."""
    limiter = RateLimiter(lock_path, rate=1, period=1e-9)
    start = time.perf_counter()
    for _ in range(count):
        limiter.acquire()
    return (time.perf_counter() - start) / count * 1e6


def bench_rate(args):
    server = _Server(("127.0.0.1", 0), _Handler)
    server.arrivals = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    with tempfile.TemporaryDirectory() as tmp:
        lock_path = os.path.join(tmp, "pareto_odoo_registry.rate")
        results = (
            ("no limiter (baseline)", run_rate(url, server, args.workers, args.seconds, None)),
            (
                "7 per 1 s window",
                run_rate(url, server, args.workers, args.seconds, lock_path + "7", "window"),
            ),
            (
                "even, 1 per 0.15 s",
                run_rate(url, server, args.workers, args.seconds, lock_path, "even"),
            ),
        )
        cost = acquire_cost(os.path.join(tmp, "cost.rate"))
    server.shutdown()
    print(f"Rate limit: {args.workers} processes for {args.seconds:g} s")
    for label, result in results:
        print(
            f"  {label:24} {result['requests']:6d} requests  "
            f"{result['per_second']:8.1f}/s  max in any 1 s window: {result['max_in_1s']}"
        )
    print(f"  acquire() without waiting: {cost:.1f} µs")


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
        vendor = env["res.partner"].browse(row[0] if row else partners_model.search(domain)[:1].id)
        cr.execute(
            SQL(
                "SELECT count(*) FROM purchase_order_line line JOIN purchase_order po"
                " ON po.id = line.order_id WHERE po.partner_id = %s AND po.state = 'purchase'",
                vendor.id,
            )
        )
        vendor_lines = cr.fetchone()[0]
        sizes = {"micro": "large", "small": "large", "medium": "large"}
        company = RegistryCompany(
            siren=vendor.pareto_siren,
            siret=None,
            street="1 RUE DU BENCH",
            zip="93100",
            city="MONTREUIL",
            latitude=48.86,
            longitude=2.44,
            naf_code="17.23Z",
            category="GE",
            size=sizes.get(vendor.pareto_size, "small"),
            size_year=2023,
            is_active=True,
            department="93",
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
        f"  baseline: the rate limit's spacing, {RATE_SPACING_SECONDS * 1000:.0f} ms per vendor, "
        f"{RATE_SPACING_SECONDS * 50 * 1000:.0f} ms per batch of 50"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--db")
    parser.add_argument("--addons-path")
    parser.add_argument("--vendors", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if args.db:
        bench_db(args)
    else:
        bench_rate(args)


if __name__ == "__main__":
    main()
