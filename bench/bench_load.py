"""Load benchmark: buyers confirming orders at once, plain Odoo against Pareto.

    python3 bench/bench_load.py [--runs 3] [--orders 200] [--buyers 8] [--workers 4] \\
        [--port 18600] [--db-prefix loadbench] [--workdir /tmp/loadbench] [--keep]

Issue 11 item 13: ``--buyers`` buyers (Purchase / User) confirm ``--orders``
draft RFQs of one purchasing family at the same time, through JSON-RPC as the
web client does, on a multi-worker Odoo server; plain Odoo is measured in the
same run, on the same data.

1. Two template databases are built from one, with demo data:
   ``<prefix>_tpl_plain`` (``purchase``) and ``<prefix>_tpl_pareto``, a copy
   of it where ``pareto_odoo`` is then installed. The bench's own records are
   created the same way in both, through the ORM: a product category with
   ``--products`` products, ``--vendors`` vendor companies (each in every
   product's price list, as regular vendors are), the buyers,
   ``--history-orders`` confirmed orders of SME vendors (the family starts
   on target) and the draft RFQs, spread over the vendors and given to the
   buyers in turn. Only in the Pareto database: a purchasing family mapped
   to the category, and the vendors' size classes (one vendor in
   ``--sme-every`` is an SME, the others large companies).
2. Each run copies both templates (database and filestore) and, in turn (the
   order alternates from one run to the next), starts
   ``odoo --workers N --max-cron-threads C`` on the copy (log in a file), lets
   ``--buyers`` threads log in through ``/web/session/authenticate`` as their
   own buyer, open their RFQ list (warm-up), then, all released at once,
   confirm their share of the orders one after the other with
   ``/web/dataset/call_button/purchase.order/button_confirm`` and the context
   of the form's *Confirm Order* button (``pareto_check_compliance`` on the
   Pareto database). When the answer is the below-target warning, the client
   answers it as a buyer does (reads the wizard, gives a justification when
   the company requires one, clicks *Confirm anyway*), and that is counted
   in the confirmation's latency; ``--warning skip`` sends
   ``pareto_skip_warning`` instead. With the default data the family stays on
   target, so no warning is shown, but the check runs for every non-SME
   vendor.
3. Measures: throughput (confirmed orders / seconds from the release to the
   last answer), latency per confirmation (mean, p50, p95, p99, max; failed
   confirmations included: the buyer waited too), failed confirmations, and
   in the server log the ERROR and WARNING records, the serialization
   failures ("could not serialize") and Odoo's retries.
4. After the server stops, the copy is checked in a separate process:
   every bench order is confirmed and, on the Pareto database, for every
   company and purchasing family, the totals that the compliance computation
   returns for the current period (``get_pareto_compliance()`` on an unsaved
   order with one empty line per family, so nothing is excluded or added)
   equal a direct SQL sum over the confirmed purchase lines of that period.

It prints a table per run and the ratios Pareto / plain (throughput, p95)
against the goal of the issue (>= 0.9x throughput, p95 <= 1.5x, no ERROR line,
figures equal, every order confirmed), and a JSON line; everything is kept
in ``<workdir>/results.json``, the server logs beside it. Correctness decides
the exit code, speed does not: 1 when a figure differs, 2 when a confirmation
failed (the buyer was answered an error, the order stays a draft), else 0.
The ratios of one run are what holds: the machine may be shared.

``--reuse-templates`` keeps the templates of a previous run with the same
data options (saves the installs; never after changing the addon). The internal subcommands
``setup`` and ``check`` run in their own process, on one database.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
BENCH_PREFIX = "Load Bench"
PASSWORD = "loadbench-buyer"
TIMEZONE = "Europe/Paris"
JUSTIFICATION = "Load benchmark: confirmed by the benchmark's buyer."
# Odoo's log line: "2025-01-31 12:00:00,123 4242 ERROR db logger: message".
LOG_LINE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (?P<level>[A-Z]+) ")
GOAL_THROUGHPUT, GOAL_P95 = 0.9, 1.5
# Amounts are compared to the cent (the compliance figures are rounded to it).
TOLERANCE = 0.01


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    for name in ("setup", "check"):
        internal = sub.add_parser(name, help=f"(internal) {name} one database")
        internal.add_argument("--db", required=True)
        internal.add_argument("--addons-path", required=True)
        internal.add_argument("--data-dir", required=True)
        internal.add_argument("--json", required=True, help="the setup's description of the data")
        internal.add_argument("--options", default="{}", help="the main command's sizes (JSON)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--orders", type=int, default=200, help="draft RFQs confirmed per run")
    parser.add_argument("--buyers", type=int, default=8, help="buyers = concurrent clients")
    parser.add_argument("--lines-per-order", type=int, default=5)
    parser.add_argument("--products", type=int, default=10)
    parser.add_argument("--vendors", type=int, default=10)
    parser.add_argument("--sme-every", type=int, default=3, help="one vendor in N is an SME")
    parser.add_argument("--history-orders", type=int, default=8, help="confirmed at setup")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cron-threads", type=int, default=0, help="--max-cron-threads")
    parser.add_argument("--warning", choices=("answer", "skip"), default="answer")
    parser.add_argument("--port", type=int, default=18600, help="HTTP port (+1: gevent)")
    parser.add_argument("--db-prefix", default="loadbench")
    parser.add_argument("--workdir", default="/tmp/loadbench", help="logs, data dir, results")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=300.0, help="per HTTP request (s)")
    parser.add_argument("--reuse-templates", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the run databases")
    parser.add_argument("--addons-path", default=None)
    return parser.parse_args(argv)


def odoo_root():
    import odoo  # noqa: PLC0415  (only the subcommands need Odoo itself)

    return Path(odoo.__path__[0]).parent


def default_addons_path():
    return f"{odoo_root() / 'addons'},{REPO_ROOT}"


# ----------------------------------------------------------------------
# Inside Odoo (subcommands): the bench's data, and the check afterwards
# ----------------------------------------------------------------------


def open_registry(args):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        ["-d", args.db, "--addons-path", args.addons_path, "--data-dir", args.data_dir],
        setup_logging=False,
    )
    return odoo, Registry(args.db)


def create_catalogue(env, options):
    """The bench's category, products and vendors, each vendor in every
    product's price list."""
    rng = random.Random(options["seed"])
    category = env["product.category"].create({"name": BENCH_PREFIX})
    products = env["product.product"].create(
        [
            {
                "name": f"{BENCH_PREFIX} Product {index + 1}",
                "categ_id": category.id,
                "type": "consu",
                "purchase_ok": True,
                "standard_price": rng.randint(5, 500),
            }
            for index in range(options["products"])
        ]
    )
    france = env.ref("base.fr")
    vendors = env["res.partner"].create(
        [
            {
                "name": f"{BENCH_PREFIX} Vendor {index + 1}",
                "is_company": True,
                "supplier_rank": 1,
                "zip": f"75{index % 20 + 1:03d}",
                "city": "Paris",
                "country_id": france.id,
            }
            for index in range(options["vendors"])
        ]
    )
    # Every vendor is already in every product's price list, as for the
    # regular purchases of a live database: otherwise plain Odoo's
    # confirmation adds it (_add_supplier_to_product writes the product), and
    # concurrent confirmations of the same products conflict on that.
    env["product.supplierinfo"].create(
        [
            {
                "partner_id": vendor.id,
                "product_tmpl_id": product.product_tmpl_id.id,
                "price": product.standard_price,
                "min_qty": 0.0,
            }
            for product in products
            for vendor in vendors
        ]
    )
    return category, products, vendors


def create_buyers(env, company, count):
    """``count`` buyers (Purchase / User) of ``company``."""
    from odoo.fields import Command  # noqa: PLC0415

    groups = [env.ref("base.group_user").id, env.ref("purchase.group_purchase_user").id]
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"{BENCH_PREFIX} Buyer {index + 1}",
                    "login": f"loadbench_buyer_{index + 1}",
                    "email": f"loadbench_buyer_{index + 1}@example.com",
                    "password": PASSWORD,
                    "tz": TIMEZONE,
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [Command.set(groups)],
                }
                for index in range(count)
            ]
        )
    )


def create_master_data(env, options):
    """Catalogue and buyers; with Pareto, the family and the vendors' sizes."""
    company = env.ref("base.main_company")
    category, products, vendors = create_catalogue(env, options)
    sme = [index % options["sme_every"] == 0 for index in range(len(vendors))]
    if "pareto.family" in env:
        family = env["pareto.family"].create(
            {"name": BENCH_PREFIX, "code": "LOADBENCH", "target_share": 20.0}
        )
        category.pareto_family_id = family
        for vendor, is_sme in zip(vendors, sme, strict=True):
            vendor.pareto_size = "small" if is_sme else "large"
    buyers = create_buyers(env, company, options["buyers"])
    return company, products, vendors, sme, buyers


def order_values(rng, company, products, vendor, buyer, lines):
    from odoo.fields import Command  # noqa: PLC0415

    return {
        "partner_id": vendor.id,
        "company_id": company.id,
        "user_id": buyer.id,
        "order_line": [
            Command.create(
                {
                    "product_id": products[rng.randrange(len(products))].id,
                    "product_qty": rng.randint(1, 20),
                    "price_unit": rng.randint(10, 2000),
                }
            )
            for _ in range(lines)
        ],
    }


def setup_database(args):
    """Create the bench's data in ``args.db`` and describe it in ``args.json``."""
    options = json.loads(args.options)
    odoo, registry = open_registry(args)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        company, products, vendors, sme, buyers = create_master_data(env, options)
        rng = random.Random(options["seed"] + 1)
        lines = options["lines_per_order"]
        smes = vendors.filtered(lambda vendor: sme[vendors.ids.index(vendor.id)])
        history = env["purchase.order"].create(
            [
                order_values(rng, company, products, smes[index % len(smes)], buyers[0], lines)
                for index in range(options["history_orders"])
            ]
        )
        history.with_context(pareto_skip_warning=True).button_confirm()
        drafts = env["purchase.order"].create(
            [
                order_values(
                    rng,
                    company,
                    products,
                    vendors[index % len(vendors)],
                    buyers[index % len(buyers)],
                    lines,
                )
                for index in range(options["orders"])
            ]
        )
        if "pareto.family" in env:
            # The bench never needs the national registry (nor the internet).
            env["ir.config_parameter"].set_param("pareto_odoo.registry_url", "http://127.0.0.1:9")
        shares = {
            buyer.login: drafts.filtered(lambda order, buyer=buyer: order.user_id == buyer).ids
            for buyer in buyers
        }
        description = {
            "db": args.db,
            "pareto": "pareto.family" in env,
            "password": PASSWORD,
            "shares": shares,
            "orders": drafts.ids,
            "sme_vendors": sum(sme),
            "vendors": len(vendors),
        }
    Path(args.json).write_text(json.dumps(description, indent=1))


# The independent oracle: the design's definition of spend (DESIGN.md), summed
# straight from the purchase lines, not through the addon's aggregate.
DIRECT_SUM = """
SELECT po.company_id, line.pareto_family_id,
       SUM(line.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1)),
       COALESCE(SUM(line.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1))
                FILTER (WHERE vendor.pareto_is_sme), 0)
  FROM purchase_order_line line
  JOIN purchase_order po ON po.id = line.order_id
  JOIN res_partner contact ON contact.id = po.partner_id
  JOIN res_partner vendor ON vendor.id = COALESCE(contact.commercial_partner_id, contact.id)
 WHERE po.state = 'purchase'
   AND po.company_id = %(company_id)s
   AND line.pareto_family_id IS NOT NULL
   AND line.display_type IS NULL
   AND line.is_downpayment IS NOT TRUE
   AND vendor.pareto_excluded IS NOT TRUE
   AND (po.date_approve AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
       BETWEEN %(start)s AND %(end)s
 GROUP BY po.company_id, line.pareto_family_id
"""


def compliance_totals(env, company, families):
    """{family_id: (total, sme_total)} and the period, as the compliance
    computation returns them: an unsaved order of ``company`` (its own
    partner as vendor) with one empty line per family, so that nothing of
    the period is excluded and nothing is added."""
    from odoo.fields import Command  # noqa: PLC0415

    env = env(context=dict(env.context, tz=TIMEZONE, allowed_company_ids=company.ids))
    order = env["purchase.order"].new(
        {
            "company_id": company.id,
            "partner_id": company.partner_id.id,
            "currency_id": company.currency_id.id,
            "order_line": [
                Command.create({"name": family.name, "product_qty": 0.0, "price_unit": 0.0})
                for family in families
            ],
        }
    )
    for line, family in zip(order.order_line, families, strict=True):
        line.pareto_family_id = family
    rows = order.get_pareto_compliance()
    period = (rows[0]["period_start"], rows[0]["period_end"]) if rows else (None, None)
    return {row["family_id"]: (row["total"], row["sme_total"]) for row in rows}, period


def check_families(env):
    """Compare, per company and family, the compliance totals of the current
    period with the direct sum; a list of rows, ``equal`` on each."""
    from odoo.tools import SQL  # noqa: PLC0415

    rows = []
    for company in env["res.company"].search([]):
        basis = company["pareto_spend_basis"] if "pareto_spend_basis" in company else "ordered"
        families = env["pareto.family"].search(
            [("company_id", "in", [False, company.id])], order="id"
        )
        if not families:
            continue
        if basis != "ordered":
            rows.append({"company_id": company.id, "skipped": f"spend basis {basis}"})
            continue
        computed, (start, end) = compliance_totals(env, company, families)
        if not computed:
            rows.append({"company_id": company.id, "equal": False, "computed": None})
            continue
        env.cr.execute(SQL(DIRECT_SUM, company_id=company.id, tz=TIMEZONE, start=start, end=end))
        direct = {family_id: (total, sme) for _, family_id, total, sme in env.cr.fetchall()}
        for family_id in sorted(set(direct) | set(computed)):
            total, sme = (float(value) for value in direct.get(family_id, (0.0, 0.0)))
            got = computed.get(family_id)
            equal = got is not None and (
                abs(got[0] - total) <= TOLERANCE and abs(got[1] - sme) <= TOLERANCE
            )
            rows.append(
                {
                    "company_id": company.id,
                    "family_id": family_id,
                    "period": [str(start), str(end)],
                    "direct": [round(total, 2), round(sme, 2)],
                    "computed": list(got) if got is not None else None,
                    "equal": equal,
                }
            )
    return rows


def check_database(args):
    """Print (JSON) the bench orders' states and, with Pareto, the figures."""
    description = json.loads(Path(args.json).read_text())
    odoo, registry = open_registry(args)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        orders = env["purchase.order"].browse(description["orders"])
        confirmed = orders.filtered(lambda order: order.state == "purchase")
        result = {
            "orders": len(orders),
            "confirmed": len(confirmed),
            "amount_untaxed": round(sum(confirmed.mapped("amount_untaxed")), 2),
            "families": check_families(env) if description["pareto"] else [],
        }
        cr.rollback()
    print(json.dumps(result, default=str))


# ----------------------------------------------------------------------
# The clients: one buyer each, JSON-RPC as the web client
# ----------------------------------------------------------------------


class RpcError(Exception):
    pass


class Client:
    """A buyer's browser session: JSON-RPC over one HTTP connection."""

    def __init__(self, url, timeout):
        self.url, self.timeout = url, timeout
        self.session = requests.Session()
        self.request_id = 0
        self.context = {}

    def call(self, path, params):
        self.request_id += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": self.request_id, "params": params}
        response = self.session.post(self.url + path, json=payload, timeout=self.timeout)
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            error = body["error"]
            raise RpcError((error.get("data") or {}).get("message") or error.get("message"))
        return body["result"]

    def authenticate(self, db, login, password):
        info = self.call(
            "/web/session/authenticate", {"db": db, "login": login, "password": password}
        )
        if not info.get("uid"):
            raise RpcError(f"cannot log in as {login}")
        company_id = info["user_companies"]["current_company"]
        self.context = dict(info["user_context"], allowed_company_ids=[company_id])

    def call_kw(self, model, method, args, kwargs=None, context=None, button=False):
        kwargs = dict(kwargs or {}, context=dict(self.context, **(context or {})))
        route = "call_button" if button else "call_kw"
        return self.call(
            f"/web/dataset/{route}/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )


@dataclass
class Confirmation:
    order_id: int
    seconds: float
    ended: float
    wizard: bool = False
    error: str | None = None


def answer_warning(client, action):
    """Answer the below-target warning as a buyer: the dialog reads the
    wizard, the buyer types a justification when required, then clicks
    *Confirm anyway*."""
    wizard_id, context = action["res_id"], action.get("context") or {}
    if isinstance(context, str):
        context = {}
    model = "pareto.confirm.warning"
    spec = {"summary": {}, "justification_required": {}, "justification": {}}
    record = client.call_kw(model, "web_read", [[wizard_id]], {"specification": spec}, context)
    if record[0]["justification_required"]:
        client.call_kw(
            model,
            "web_save",
            [[wizard_id], {"justification": JUSTIFICATION}],
            {"specification": {}},
            context,
        )
    return client.call_kw(model, "action_confirm", [[wizard_id]], {}, context, button=True)


def confirm(client, order_id, button_context):
    """Click *Confirm Order*; True if the warning had to be answered."""
    result = client.call_kw(
        "purchase.order", "button_confirm", [[order_id]], {}, button_context, button=True
    )
    if isinstance(result, dict) and result.get("res_model") == "pareto.confirm.warning":
        answer_warning(client, result)
        return True
    return False


def buyer_session(url, db, login, order_ids, options, barrier, results):
    """One client: log in, warm up, wait for the others, confirm the orders."""
    client = Client(url, options["timeout"])
    try:
        client.authenticate(db, login, PASSWORD)
        # Warm-up: the buyer opens the list of their RFQs.
        client.call_kw(
            "purchase.order",
            "web_search_read",
            [],
            {"domain": [["id", "in", order_ids]], "specification": {"name": {}, "state": {}}},
        )
        barrier.wait()
    except Exception:
        barrier.abort()
        raise
    button_context = {"validate_analytic": True}
    if options["pareto"]:
        button_context["pareto_check_compliance"] = True
        if options["warning"] == "skip":
            button_context["pareto_skip_warning"] = True
    for order_id in order_ids:
        started = time.perf_counter()
        wizard, error = False, None
        try:
            wizard = confirm(client, order_id, button_context)
        except (RpcError, requests.RequestException) as exc:
            error = str(exc)[:500]
        ended = time.perf_counter()
        results.append(Confirmation(order_id, ended - started, ended, wizard, error))


def run_clients(url, description, options):
    """All buyers at once; returns the release time and the confirmations."""
    shares = description["shares"]
    barrier = threading.Barrier(len(shares) + 1)
    results = []
    threads = [
        threading.Thread(
            target=buyer_session,
            args=(url, description["db"], login, ids, options, barrier, results),
            daemon=True,
        )
        for login, ids in shares.items()
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=300)
    released = time.perf_counter()
    for thread in threads:
        thread.join()
    return released, results


# ----------------------------------------------------------------------
# The orchestration: templates, copies, servers, figures
# ----------------------------------------------------------------------


def percentile(values, share):
    """Nearest-rank percentile of ``values`` (0 < share <= 100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def odoo_command(args, db, *extra):
    # odoo-bin (through bench/odoo_server.py), not "python -m odoo": the
    # multi-worker server starts its gevent process by running its own
    # sys.argv[0] again.
    return [
        sys.executable,
        str(HERE / "odoo_server.py"),
        f"--addons-path={args.addons_path}",
        f"--data-dir={args.data_dir}",
        "-d",
        db,
        "--http-interface=127.0.0.1",
        *extra,
    ]


def data_options(args):
    """The options that shape the bench's data (and so the templates)."""
    keys = "orders buyers lines_per_order products vendors sme_every history_orders seed"
    return {key: getattr(args, key) for key in keys.split()}


def database_exists(db):
    done = subprocess.run(["psql", "-d", db, "-Atc", "SELECT 1"], capture_output=True, check=False)
    return done.returncode == 0


def subcommand(args, name, db, description_path):
    options = data_options(args)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        name,
        f"--db={db}",
        f"--addons-path={args.addons_path}",
        f"--data-dir={args.data_dir}",
        f"--json={description_path}",
        f"--options={json.dumps(options)}",
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return done.stdout


def drop(args, db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=True)
    shutil.rmtree(Path(args.data_dir) / "filestore" / db, ignore_errors=True)


def template_name(args, kind):
    return f"{args.db_prefix}_tpl_{kind}"


def build_templates(args):
    """The two template databases, from one: ``purchase`` with demo data is
    installed once, copied, and ``pareto_odoo`` (with its demo data) is
    installed on the copy; then the bench's records are created in each.
    Returns the setup's description of each."""
    kinds = ("plain", "pareto")
    paths = {kind: Path(args.workdir) / f"{template_name(args, kind)}.json" for kind in kinds}
    marker = Path(args.workdir) / f"{args.db_prefix}_tpl.options"
    options = json.dumps(data_options(args), sort_keys=True)
    reusable = marker.exists() and marker.read_text() == options
    if not (
        args.reuse_templates
        and reusable
        and all(database_exists(template_name(args, kind)) for kind in kinds)
    ):
        marker.unlink(missing_ok=True)
        started = time.monotonic()
        plain, pareto = (template_name(args, kind) for kind in kinds)
        for db in (plain, pareto):
            drop(args, db)
        install(args, plain, "purchase")
        copy_database(args, plain, pareto)
        install(args, pareto, "pareto_odoo")
        for kind in kinds:
            subcommand(args, "setup", template_name(args, kind), paths[kind])
        print(f"templates built in {time.monotonic() - started:.0f} s", flush=True)
        marker.write_text(options)
    return {kind: json.loads(paths[kind].read_text()) for kind in kinds}


def install(args, db, modules):
    log = Path(args.workdir) / f"{db}.install.log"
    command = odoo_command(
        args, db, "-i", modules, "--with-demo", "--stop-after-init", f"--logfile={log}"
    )
    subprocess.run(command, check=True)


def copy_database(args, template, db):
    """``db`` as a copy of ``template``: database and filestore."""
    drop(args, db)
    subprocess.run(["createdb", "-T", template, db], check=True)
    filestore = Path(args.data_dir) / "filestore"
    if (filestore / template).exists():
        shutil.copytree(filestore / template, filestore / db)


def copy_template(args, kind, run):
    db = f"{args.db_prefix}_run{run}_{kind}"
    copy_database(args, template_name(args, kind), db)
    return db


def wait_ready(url, process, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Odoo server stopped (exit code {process.returncode})")
        try:
            if requests.get(f"{url}/web/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the Odoo server did not answer on {url} within {seconds} s")


def stop_server(process):
    """SIGTERM the server we started; SIGKILL its process group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def log_records(path):
    """(level, text) of each record of an Odoo log file (a record runs to
    the next line that starts with a timestamp: tracebacks, SQL)."""
    level, lines = None, []
    for line in Path(path).read_text(errors="replace").splitlines():
        match = LOG_LINE_RE.match(line)
        if match:
            if lines:
                yield level, "\n".join(lines)
            level, lines = match["level"], [line]
        else:
            lines.append(line)
    if lines:
        yield level, "\n".join(lines)


def scan_log(path):
    """Counts of the server log: ERROR and WARNING records, serialization
    failures (a "bad query ... could not serialize" ERROR record per failed
    attempt), Odoo's retries and requests given up after the last retry (an
    ERROR record more, with the traceback), and the first messages."""
    counts = {"error": 0, "warning": 0, "serialize": 0, "retries": 0, "given_up": 0}
    samples = []
    for level, text in log_records(path):
        if level in ("ERROR", "CRITICAL"):
            counts["error"] += 1
            counts["serialize"] += "bad query" in text and "could not serialize" in text
        elif level == "WARNING":
            counts["warning"] += 1
        if level in ("ERROR", "CRITICAL", "WARNING") and len(samples) < 5:
            samples.append(text.split("\n", 1)[0][:300])
        counts["retries"] += "tries left, try again" in text
        counts["given_up"] += "maximum number of tries reached" in text
    counts["samples"] = samples
    return counts


def measure(args, kind, run, description):
    """One database of one run: copy, server, clients, log, check."""
    db = copy_template(args, kind, run)
    url = f"http://127.0.0.1:{args.port}"
    log = Path(args.workdir) / f"{db}.server.log"
    log.unlink(missing_ok=True)
    command = odoo_command(
        args,
        db,
        f"--db-filter=^{re.escape(db)}$",
        f"--http-port={args.port}",
        f"--gevent-port={args.port + 1}",
        f"--workers={args.workers}",
        f"--max-cron-threads={args.cron_threads}",
        f"--logfile={log}",
        "--log-level=info",
    )
    process = subprocess.Popen(command, start_new_session=True)
    try:
        wait_ready(url, process)
        options = {"timeout": args.timeout, "warning": args.warning, "pareto": kind == "pareto"}
        load_before = os.getloadavg()[0]
        released, results = run_clients(url, dict(description, db=db), options)
        load_after = os.getloadavg()[0]
    finally:
        stop_server(process)
    template_json = Path(args.workdir) / f"{template_name(args, kind)}.json"
    check = json.loads(subcommand(args, "check", db, template_json))
    if not args.keep:
        drop(args, db)
    done = [result for result in results if result.error is None]
    # Every confirmation's latency, failed ones included: the buyer waited.
    latencies = [result.seconds for result in results] or [0.0]
    elapsed = max((result.ended for result in results), default=released) - released
    return {
        "kind": kind,
        "run": run,
        "orders": len(results),
        "failed": len(results) - len(done),
        "errors": sorted({result.error.split("\n", 1)[0] for result in results if result.error}),
        "wizards": sum(result.wizard for result in results),
        "seconds": round(elapsed, 2),
        "throughput": round(len(done) / elapsed, 2) if elapsed else 0.0,
        "mean_ms": round(sum(latencies) / len(latencies) * 1000),
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "p99_ms": round(percentile(latencies, 99) * 1000),
        "max_ms": round(max(latencies) * 1000),
        "latencies_ms": [round(seconds * 1000) for seconds in latencies],
        "load": [round(load_before, 1), round(load_after, 1)],
        "log": scan_log(log),
        "check": check,
    }


def all_confirmed(result):
    """Every order of the run confirmed, no buyer answered with an error."""
    return result["failed"] == 0 and result["check"]["confirmed"] == result["check"]["orders"]


def figures_equal(result):
    """Every family's compliance totals equal the direct sum (Pareto)."""
    return all(row["equal"] for row in result["check"]["families"] if "skipped" not in row)


def print_tables(results):
    columns = [
        "Run", "Odoo", "Orders/s", "mean (ms)", "p50 (ms)", "p95 (ms)", "p99 (ms)",
        "max (ms)", "Confirmed",
        "Warnings answered", "ERROR records", "Serialization failures", "Retries",
        "Figures equal", "Load avg",
    ]  # fmt: skip
    print("\n| " + " | ".join(columns) + " |")
    print("|---|---|" + "---:|" * 11 + "---|---|")
    for result in results:
        log, check = result["log"], result["check"]
        figures = ("yes" if figures_equal(result) else "NO") if check["families"] else "–"
        print(
            f"| {result['run']} | {result['kind']} | {result['throughput']:.2f} | "
            f"{result['mean_ms']} | {result['p50_ms']} | {result['p95_ms']} | "
            f"{result['p99_ms']} | {result['max_ms']} | "
            f"{check['confirmed']}/{check['orders']} | {result['wizards']} | {log['error']} | "
            f"{log['serialize']} | {log['retries']} | {figures} | "
            f"{result['load'][0]}–{result['load'][1]} |"
        )
    print("\n| Run | Throughput Pareto / plain (goal >= 0.9) | p95 Pareto / plain (goal <= 1.5) |")
    print("|---|---:|---:|")
    ratios = []
    for run in sorted({result["run"] for result in results}):
        by_kind = {result["kind"]: result for result in results if result["run"] == run}
        plain, pareto = by_kind["plain"], by_kind["pareto"]
        throughput = pareto["throughput"] / plain["throughput"] if plain["throughput"] else 0.0
        p95 = pareto["p95_ms"] / plain["p95_ms"] if plain["p95_ms"] else float("inf")
        ratios.append((round(throughput, 2), round(p95, 2)))
        print(f"| {run} | {throughput:.2f}× | {p95:.2f}× |")
    return ratios


def verdict(results, ratios):
    pareto = [result for result in results if result["kind"] == "pareto"]
    goals = {
        "throughput >= 0.9x plain": all(ratio >= GOAL_THROUGHPUT for ratio, _ in ratios),
        "p95 <= 1.5x plain": all(ratio <= GOAL_P95 for _, ratio in ratios),
        "no ERROR line (Pareto)": all(result["log"]["error"] == 0 for result in pareto),
        "figures equal": all(figures_equal(result) for result in pareto),
        "every order confirmed": all(all_confirmed(result) for result in results),
    }
    print()
    for goal, met in goals.items():
        print(f"- {goal}: {'met' if met else 'NOT MET'}")
    return goals


def machine():
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    version = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "SHOW server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(int(memory) / 1024**2, 1),
        "postgresql": version,
        "python": platform.python_version(),
        "load": [round(value, 1) for value in os.getloadavg()],
    }


def main_bench(args):
    args.addons_path = args.addons_path or default_addons_path()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    args.data_dir = str(Path(args.workdir) / "data")
    print(json.dumps({"machine": machine()}), flush=True)
    descriptions = build_templates(args)
    results = []
    for run in range(1, args.runs + 1):
        kinds = ("plain", "pareto") if run % 2 else ("pareto", "plain")
        for kind in kinds:
            result = measure(args, kind, run, descriptions[kind])
            short = {key: value for key, value in result.items() if key != "latencies_ms"}
            print(json.dumps(short), flush=True)
            results.append(result)
    ratios = print_tables(results)
    goals = verdict(results, ratios)
    summary = {"machine": machine(), "goals": goals, "results": results}
    Path(args.workdir, "results.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({"goals": goals, "ratios": ratios}))
    # Correctness decides the exit code, speed does not.
    if not goals["figures equal"]:
        return 1
    return 0 if goals["every order confirmed"] else 2


def main(argv=None):
    args = parse_args(argv)
    if args.command == "setup":
        setup_database(args)
        return 0
    if args.command == "check":
        check_database(args)
        return 0
    return main_bench(args)


if __name__ == "__main__":
    sys.exit(main())
