"""Registry client against a scripted local stand-in of the API (never the internet)."""

import email.utils
import json
import multiprocessing
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from pareto_odoo.engine import sizes
from pareto_odoo.engine.registry import (
    RateLimiter,
    RegistryBadResponse,
    RegistryClient,
    RegistryCompany,
    RegistryError,
    RegistryRateLimited,
    RegistryUnavailable,
    filter_companies,
)

FIXTURES = Path(__file__).parent / "fixtures" / "registry"

ATELIER = "842153678"  # PME, band 11, Argenteuil
PAPETERIES = "793402181"  # PME, band 21, Montreuil
CARTONNAGES = "817364201"  # PME, band 12, Bobigny
LEFEBVRE = "512876046"  # closed
PROPRETE = "438619025"  # GE subsidiary with 10-19 employees
DUBOIS = "901274555"  # sole trader, no coordinates


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Reply:
    """One scripted answer; a ``str`` body is sent verbatim, anything else as JSON."""

    status: int = 200
    body: object = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    path: str
    params: dict
    headers: dict


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        fake = self.server.fake
        reply = fake.next_reply(Received(url.path, params, dict(self.headers)))
        if reply.delay:
            # Released at teardown, so a test never waits for the whole delay.
            fake.released.wait(reply.delay)
        body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        data = body.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass  # keep the test output clean


class _Server(ThreadingHTTPServer):
    # Join handler threads on close, so no thread outlives its test.
    daemon_threads = False

    def handle_error(self, request, client_address):
        pass  # a client that timed out has closed its socket: nothing to report


class FakeRegistry:
    """Scripted API on 127.0.0.1 that records the requests it receives."""

    def __init__(self):
        self.received = []
        self.released = threading.Event()
        self._rules = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval keeps shutdown (hence teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}
        )

    def reply(self, path, *replies, **query):
        """Answer GET ``path`` (when its query includes ``query``) with
        ``replies`` in turn, the last one repeating."""
        self._rules.append((path, query, list(replies)))

    def next_reply(self, received):
        with self._lock:
            self.received.append(received)
            for path, query, replies in self._rules:
                if path == received.path and query.items() <= received.params.items():
                    return replies.pop(0) if len(replies) > 1 else replies[0]
        return Reply(404, {"erreur": "No fixture for this request."})

    def start(self):
        self._thread.start()

    def stop(self):
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def registry():
    fake = FakeRegistry()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(registry, sleeps):
    with RegistryClient(registry.url, timeout=5, sleep=sleeps.append) as client:
        yield client


def by_siren(companies):
    return {company.siren: company for company in companies}


# Searching and parsing


def test_search_sends_filters_and_a_descriptive_user_agent(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    page = client.search(
        naf_codes=["18.12Z", "17.23z"], departements="93, 95", region="11", categories=["PME"]
    )
    (request,) = registry.received
    assert request.path == "/search"
    assert request.params == {
        "activite_principale": "18.12Z,17.23Z",
        "departement": "93,95",
        "region": "11",
        "categorie_entreprise": "PME",
        "etat_administratif": "A",
        "page": "1",
        "per_page": "25",
    }
    assert request.headers["User-Agent"].startswith("pareto_odoo/")
    assert "(Odoo purchasing SME-share addon;" in request.headers["User-Agent"]
    assert (page.page, page.per_page, page.total_results, page.total_pages) == (1, 2, 3, 2)
    assert [company.siren for company in page.results] == [ATELIER, PAPETERIES]


def test_company_fields_and_partner_values(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    atelier = by_siren(client.search(q="atelier graphique").results)[ATELIER]
    assert registry.received[0].params["q"] == "atelier graphique"
    assert atelier == RegistryCompany(
        siren=ATELIER,
        siret="84215367800011",
        name="ATELIER GRAPHIQUE DU PARISIS",
        street="12 RUE PAUL VAILLANT COUTURIER",
        street2=None,
        zip="95100",
        city="ARGENTEUIL",
        latitude=48.947213,
        longitude=2.246817,
        naf_code="18.12Z",
        category="PME",
        headcount_band="11",
        size=sizes.SMALL,
        size_year=2022,
        is_active=True,
        department="95",
    )
    assert atelier.to_partner_values() == {
        "is_company": True,
        "name": "ATELIER GRAPHIQUE DU PARISIS",
        "company_registry": "84215367800011",
        "street": "12 RUE PAUL VAILLANT COUTURIER",
        "street2": False,
        "zip": "95100",
        "city": "ARGENTEUIL",
        "partner_latitude": 48.947213,
        "partner_longitude": 2.246817,
        "pareto_naf_code": "18.12Z",
        "pareto_size": "small",
        "pareto_size_source": "registry",
        "pareto_size_year": 2022,
    }


def test_legal_name_address_complement_and_category_year(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    papeteries = by_siren(client.search(q="papeteries").results)[PAPETERIES]
    # nom_complet adds the acronym: the legal name is preferred.
    assert papeteries.name == "PAPETERIES REUNIES DE MONTREUIL"
    assert (papeteries.street, papeteries.street2) == ("45 BD DE CHANZY", "BATIMENT B")
    assert papeteries.size == sizes.MEDIUM
    # The category's year (2021) wins over the headcount band's (2022).
    assert papeteries.size_year == 2021


def test_closed_company_is_inactive_and_filtered_out(registry, client):
    registry.reply("/search", Reply(body=fixture("search_closed")))
    (closed,) = client.search(q="imprimerie lefebvre", active_only=False).results
    assert "etat_administratif" not in registry.received[0].params
    assert closed.siren == LEFEBVRE
    assert not closed.is_active
    assert closed.size is None
    values = closed.to_partner_values()
    assert "pareto_size" not in values and "pareto_size_source" not in values
    assert filter_companies([closed]) == []
    assert filter_companies([closed], active_only=False) == [closed]


def test_group_subsidiary_is_large_despite_its_headcount(registry, client):
    registry.reply("/search", Reply(body=fixture("search_group_subsidiary")))
    (subsidiary,) = client.search(q="proprete services").results
    assert (subsidiary.category, subsidiary.headcount_band) == ("GE", "11")
    assert subsidiary.size == sizes.LARGE
    assert subsidiary.size_year == 2022
    assert subsidiary.to_partner_values()["pareto_size"] == "large"


def test_empty_results(registry, client):
    registry.reply("/search", Reply(body=fixture("search_empty")))
    page = client.search(q="nothing like this")
    assert (page.results, page.total_results, page.total_pages) == ([], 0, 0)
    assert list(client.iter_search(q="nothing like this")) == []
    assert len(registry.received) == 2


def test_iter_search_walks_pages_up_to_max_pages(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")), page="1")
    registry.reply("/search", Reply(body=fixture("search_page2")), page="2")
    companies = list(client.iter_search(naf_codes="18.12Z,17.23Z", per_page=2))
    assert [company.siren for company in companies] == [ATELIER, PAPETERIES, CARTONNAGES]
    assert [request.params["page"] for request in registry.received] == ["1", "2"]
    assert {request.params["per_page"] for request in registry.received} == {"2"}

    registry.received.clear()
    assert len(list(client.iter_search(naf_codes="18.12Z", per_page=2, max_pages=1))) == 2
    assert len(registry.received) == 1


def test_near_point_then_filter_companies(registry, client):
    registry.reply("/near_point", Reply(body=fixture("near_point")))
    page = client.near_point(48.86, 2.35, 10, naf_codes="17.23Z")
    assert registry.received[0].params == {
        "lat": "48.86",
        "long": "2.35",
        "radius": "10",
        "activite_principale": "17.23Z",
        "page": "1",
        "per_page": "25",
    }
    companies = page.results
    assert [c.siren for c in companies] == [PAPETERIES, PROPRETE, LEFEBVRE, DUBOIS]
    sme_nearby = filter_companies(companies, categories="PME", departements=["93", "75"])
    assert [c.siren for c in sme_nearby] == [PAPETERIES, DUBOIS]
    in_92_93 = filter_companies(companies, departements="92,93")
    assert [c.siren for c in in_92_93] == [PAPETERIES, PROPRETE]
    assert [c.siren for c in filter_companies(companies)] == [PAPETERIES, PROPRETE, DUBOIS]


def test_sole_trader_without_coordinates(registry, client):
    registry.reply("/near_point", Reply(body=fixture("near_point")))
    dubois = by_siren(client.near_point(48.86, 2.35, 5).results)[DUBOIS]
    # No legal name for a sole trader: nom_complet is the person's name.
    assert dubois.name == "MARIE DUBOIS"
    assert (dubois.latitude, dubois.longitude) == (None, None)
    assert (dubois.size, dubois.size_year, dubois.department) == (sizes.MICRO, 2022, "75")
    values = dubois.to_partner_values()
    assert "partner_latitude" not in values and "partner_longitude" not in values
    assert values["company_registry"] == "90127455500019"


def test_iter_near_point(registry, client):
    registry.reply("/near_point", Reply(body=fixture("near_point")))
    assert len(list(client.iter_near_point(48.86, 2.35, 5, naf_codes="81.21Z"))) == 4
    assert len(registry.received) == 1  # total_pages is 1


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("near_point", {"lat": 48.8, "lon": 2.3, "radius_km": 51}),
        ("near_point", {"lat": 48.8, "lon": 2.3, "radius_km": 0}),
        ("search", {"q": "x", "per_page": 26}),
        ("search", {"q": "x", "page": 0}),
    ],
)
def test_invalid_arguments_fail_before_any_request(registry, client, call, kwargs):
    with pytest.raises(ValueError):
        getattr(client, call)(**kwargs)
    assert registry.received == []


# SIREN / SIRET lookup


@pytest.mark.parametrize("number", ["793 402 181", "79340218100010", "793402181"])
def test_lookup_picks_the_matching_siren(registry, client, number):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    company = client.lookup_siren(number)
    assert company.siren == PAPETERIES
    # Closed companies are found too, so that the user learns the company closed.
    assert registry.received[0].params == {"q": PAPETERIES, "page": "1", "per_page": "25"}


def test_lookup_unknown_siren(registry, client):
    registry.reply("/search", Reply(body=fixture("search_empty")))
    assert client.lookup_siren(ATELIER) is None


@pytest.mark.parametrize(
    "number", ["793402182", "79340218100011", "7934021", "ABCDEFGHI", "", None]
)
def test_lookup_rejects_invalid_numbers_before_any_request(registry, client, number):
    with pytest.raises(ValueError, match="not a valid SIREN"):
        client.lookup_siren(number)
    assert registry.received == []


# Faults


def test_retry_after_seconds_then_success(registry, client, sleeps):
    registry.reply(
        "/search",
        Reply(429, {"erreur": "Too many requests"}, headers={"Retry-After": "3"}),
        Reply(body=fixture("search_group_subsidiary")),
    )
    assert client.search(q="proprete").results[0].siren == PROPRETE
    assert sleeps == [3.0]
    assert len(registry.received) == 2


def test_retry_after_http_date(registry, client, sleeps):
    retry_at = email.utils.formatdate(time.time() + 5, usegmt=True)
    registry.reply(
        "/search",
        Reply(429, headers={"Retry-After": retry_at}),
        Reply(body=fixture("search_empty")),
    )
    client.search(q="x")
    (wait,) = sleeps
    assert 3.0 < wait <= 5.0


def test_rate_limited_after_retries(registry, client, sleeps):
    registry.reply("/search", Reply(429, headers={"Retry-After": "2"}))
    with pytest.raises(RegistryRateLimited, match="try again in 2 seconds") as info:
        client.search(q="x")
    assert info.value.retry_after == 2.0
    assert sleeps == [2.0, 2.0]
    assert len(registry.received) == 3  # first try + max_retries


def test_rate_limited_without_waiting_longer_than_allowed(registry, client, sleeps):
    registry.reply("/search", Reply(429, headers={"Retry-After": "120"}))
    with pytest.raises(RegistryRateLimited) as info:
        client.search(q="x")
    assert info.value.retry_after == 120.0
    assert sleeps == []
    assert len(registry.received) == 1


def test_rate_limiter_is_honoured_before_every_attempt(registry, sleeps):
    class CountingLimiter:
        calls = 0

        def acquire(self):
            self.calls += 1

    limiter = CountingLimiter()
    registry.reply(
        "/search", Reply(429, headers={"Retry-After": "1"}), Reply(body=fixture("search_empty"))
    )
    with RegistryClient(registry.url, rate_limiter=limiter, sleep=sleeps.append) as client:
        client.search(q="x")
    assert limiter.calls == 2


def test_server_error_is_unavailable(registry, client):
    registry.reply("/search", Reply(500, "<html>Internal Server Error</html>"))
    with pytest.raises(RegistryUnavailable, match="HTTP 500"):
        client.search(q="x")
    assert len(registry.received) == 1


def test_slow_answer_is_unavailable(registry, sleeps):
    registry.reply("/search", Reply(body=fixture("search_empty"), delay=10))
    with (
        RegistryClient(registry.url, timeout=0.5, sleep=sleeps.append) as client,
        pytest.raises(RegistryUnavailable, match="did not answer in time"),
    ):
        client.search(q="x")


def test_unreachable_registry_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        RegistryClient(f"http://127.0.0.1:{port}") as client,
        pytest.raises(RegistryUnavailable, match="Could not reach"),
    ):
        client.search(q="x")


def test_client_error_carries_the_api_message(registry, client):
    message = "Veuillez indiquer au moins un paramètre de recherche."
    registry.reply("/search", Reply(400, {"erreur": message}))
    with pytest.raises(RegistryError, match=message) as info:
        client.search()
    assert not isinstance(info.value, RegistryUnavailable)


@pytest.mark.parametrize(
    "body",
    [
        '{"results": [',
        "",
        {"total_results": 0},
        {"results": "none"},
        {"results": ["not a company"]},
        [],
    ],
)
def test_malformed_answers(registry, client, body):
    registry.reply("/search", Reply(body=body))
    with pytest.raises(RegistryBadResponse, match="unexpected response"):
        client.search(q="x")


def test_parsing_tolerates_missing_and_odd_values():
    assert RegistryCompany.from_result({}) == RegistryCompany()
    assert RegistryCompany().to_partner_values() == {"is_company": True}
    company = RegistryCompany.from_result(
        {
            "siren": ATELIER,
            "siege": {"latitude": "NaN", "longitude": "abc", "code_postal": None, "siret": 12},
            "categorie_entreprise": None,
            "tranche_effectif_salarie": "12",
            "annee_tranche_effectif_salarie": "2021",
        }
    )
    assert (company.latitude, company.longitude, company.zip) == (None, None, None)
    assert (company.size, company.size_year) == (sizes.SMALL, 2021)
    assert company.to_partner_values()["company_registry"] == "12"
    assert RegistryCompany.from_result({"siege": ["not", "a", "dict"]}).siret is None
    assert (
        RegistryCompany.from_result({"siege": {"latitude": "91", "longitude": ""}}).latitude is None
    )
    with pytest.raises(RegistryBadResponse):
        RegistryCompany.from_result(None)


# Rate limiter


def test_rate_limiter_spaces_requests(tmp_path):
    now = [1000.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(tmp_path / "rate", rate=2, period=1.0, clock=lambda: now[0], sleep=sleep)
    delays = [limiter.acquire() for _ in range(5)]
    assert delays == [0.0, 0.0, 1.0, 0.0, 1.0]
    assert waits == [1.0, 1.0]


def test_rate_limiter_survives_a_damaged_file(tmp_path):
    path = tmp_path / "rate"
    path.write_text("garbage", encoding="ascii")
    assert RateLimiter(path, rate=2).acquire() == 0.0


def _acquire_many(path, count, barrier, done):
    limiter = RateLimiter(path, rate=20, period=1.0)
    barrier.wait(timeout=60)
    for _ in range(count):
        limiter.acquire()
    done.put(time.time())


def test_rate_limiter_holds_across_processes(tmp_path):
    # 30 requests at 20 per second from 3 processes: the last 10 wait >= 1 s.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    done = context.Queue()
    path = str(tmp_path / "rate")
    workers = [
        context.Process(target=_acquire_many, args=(path, 10, barrier, done)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    start = time.time()  # no worker can acquire before the barrier opens
    barrier.wait(timeout=60)
    ends = [done.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    done.close()
    done.join_thread()
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert max(ends) - start >= 0.98
