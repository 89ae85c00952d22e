"""Registry client against the scripted local stand-in of the API (never the internet)."""

import email.utils
import itertools
import socket
import threading
import time

import pytest

from pareto_odoo.engine import identifiers, sizes
from pareto_odoo.engine.registry import (
    MAX_NAME_LENGTH,
    RegistryBadResponse,
    RegistryClient,
    RegistryCompany,
    RegistryError,
    RegistryRateLimited,
    RegistryUnavailable,
    SlotLimiter,
    default_user_agent,
    filter_companies,
)

from .registry_server import FakeRegistry, Reply, Sirens, company, fixture, page


@pytest.fixture
def registry():
    fake = FakeRegistry().start()
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
    assert [company.siren for company in page.results] == [Sirens.ATELIER, Sirens.PAPETERIES]


def test_company_fields_and_profile(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    atelier = by_siren(client.search(q="atelier graphique").results)[Sirens.ATELIER]
    assert registry.received[0].params["q"] == "atelier graphique"
    # Domain values only: the Odoo layer maps them to partner fields.
    assert atelier == RegistryCompany(
        siren=Sirens.ATELIER,
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
        turnover=1843000.0,
        net_result=61200.0,
        finance_year=2023,
        is_ess=True,
        is_siae=False,
        is_mission=False,
    )


def test_latest_financial_year_wins(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    papeteries = by_siren(client.search(q="papeteries").results)[Sirens.PAPETERIES]
    assert (papeteries.finance_year, papeteries.turnover, papeteries.net_result) == (
        2023,
        9874000.0,
        287500.0,
    )
    assert (papeteries.is_ess, papeteries.is_siae, papeteries.is_mission) == (False, True, False)


def test_legal_name_address_complement_and_category_year(registry, client):
    registry.reply("/search", Reply(body=fixture("search_page1")))
    papeteries = by_siren(client.search(q="papeteries").results)[Sirens.PAPETERIES]
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
    assert closed.siren == Sirens.LEFEBVRE
    assert not closed.is_active
    assert closed.size is None
    assert (closed.finance_year, closed.turnover) == (None, None)  # "finances": {}
    assert filter_companies([closed]) == []
    assert filter_companies([closed], active_only=False) == [closed]


def test_group_subsidiary_is_large_despite_its_headcount(registry, client):
    registry.reply("/search", Reply(body=fixture("search_group_subsidiary")))
    (subsidiary,) = client.search(q="proprete services").results
    assert (subsidiary.category, subsidiary.headcount_band) == ("GE", "11")
    assert subsidiary.size == sizes.LARGE
    assert subsidiary.size_year == 2022
    assert subsidiary.is_mission is True


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
    assert [company.siren for company in companies] == [
        Sirens.ATELIER,
        Sirens.PAPETERIES,
        Sirens.CARTONNAGES,
    ]
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
    assert [c.siren for c in companies] == [
        Sirens.PAPETERIES,
        Sirens.PROPRETE,
        Sirens.LEFEBVRE,
        Sirens.DUBOIS,
    ]
    sme_nearby = filter_companies(companies, categories="PME", departements=["93", "75"])
    assert [c.siren for c in sme_nearby] == [Sirens.PAPETERIES, Sirens.DUBOIS]
    in_92_93 = filter_companies(companies, departements="92,93")
    assert [c.siren for c in in_92_93] == [Sirens.PAPETERIES, Sirens.PROPRETE]
    assert [c.siren for c in filter_companies(companies)] == [
        Sirens.PAPETERIES,
        Sirens.PROPRETE,
        Sirens.DUBOIS,
    ]


def test_sole_trader_without_coordinates(registry, client):
    registry.reply("/near_point", Reply(body=fixture("near_point")))
    dubois = by_siren(client.near_point(48.86, 2.35, 5).results)[Sirens.DUBOIS]
    # No legal name for a sole trader: nom_complet is the person's name.
    assert dubois.name == "MARIE DUBOIS"
    assert (dubois.latitude, dubois.longitude) == (None, None)
    assert (dubois.size, dubois.size_year, dubois.department) == (sizes.MICRO, 2022, "75")
    assert dubois.siret == "90127455500019"


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
    assert company.siren == Sirens.PAPETERIES
    # Closed companies are found too, so that the user learns the company closed.
    assert registry.received[0].params == {"q": Sirens.PAPETERIES, "page": "1", "per_page": "25"}


def test_lookup_unknown_siren(registry, client):
    registry.reply("/search", Reply(body=fixture("search_empty")))
    assert client.lookup_siren(Sirens.ATELIER) is None


@pytest.mark.parametrize(
    "number", ["793402182", "79340218100011", "7934021", "ABCDEFGHI", "", None]
)
def test_lookup_rejects_invalid_numbers_before_any_request(registry, client, number):
    with pytest.raises(identifiers.InvalidIdentifier):
        client.lookup_siren(number)
    assert registry.received == []


# Faults


def test_retry_after_seconds_then_success(registry, client, sleeps):
    registry.reply(
        "/search",
        Reply(429, {"erreur": "Too many requests"}, headers={"Retry-After": "3"}),
        Reply(body=fixture("search_group_subsidiary")),
    )
    assert client.search(q="proprete").results[0].siren == Sirens.PROPRETE
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
    with pytest.raises(RegistryRateLimited) as info:
        client.search(q="x")
    assert (info.value.code, info.value.retry_after) == ("rate_limited", 2.0)
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
    with pytest.raises(RegistryUnavailable) as info:
        client.search(q="x")
    assert (info.value.code, info.value.params) == ("server_error", {"status": 500})
    assert len(registry.received) == 1


def test_slow_answer_is_unavailable(registry, sleeps):
    registry.reply("/search", Reply(body=fixture("search_empty"), delay=10))
    with (
        RegistryClient(registry.url, timeout=0.5, sleep=sleeps.append) as client,
        pytest.raises(RegistryUnavailable) as info,
    ):
        client.search(q="x")
    assert (info.value.code, info.value.params) == ("timeout", {"seconds": 0.5})


@pytest.mark.parametrize("trickle_headers", [False, True])
def test_timeout_is_a_deadline_for_a_trickling_server(registry, sleeps, trickle_headers):
    """One byte every 0.3 s never lets a per-read timeout of 1 s expire; the
    deadline ends the call after 1 s all the same (not after the ~40 s the
    whole answer would take)."""
    body = fixture("search_empty")
    registry.reply("/search", Reply(body=body, trickle=0.3, trickle_headers=trickle_headers))
    started = time.monotonic()
    with (
        RegistryClient(registry.url, timeout=1.0, sleep=sleeps.append) as client,
        pytest.raises(RegistryUnavailable) as info,
    ):
        client.search(q="x")
    elapsed = time.monotonic() - started
    assert info.value.code == "timeout"
    assert 0.9 <= elapsed < 2.5, elapsed
    assert len(registry.received) == 1


def test_deadline_covers_the_retries_after_429(registry, sleeps):
    registry.reply("/search", Reply(429, headers={"Retry-After": "3"}))
    with (
        RegistryClient(registry.url, timeout=2.0, sleep=sleeps.append) as client,
        pytest.raises(RegistryRateLimited),
    ):
        client.search(q="x")
    assert sleeps == []  # waiting 3 s would go past the 2 s deadline


def test_client_is_reusable_after_a_deadline(registry, sleeps):
    registry.reply(
        "/search",
        Reply(body=fixture("search_empty"), trickle=0.3),
        Reply(body=fixture("search_group_subsidiary")),
    )
    with RegistryClient(registry.url, timeout=1.0, sleep=sleeps.append) as client:
        with pytest.raises(RegistryUnavailable):
            client.search(q="x")
        assert client.search(q="x").results[0].siren == Sirens.PROPRETE


def test_unreachable_registry_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        RegistryClient(f"http://127.0.0.1:{port}") as client,
        pytest.raises(RegistryUnavailable) as info,
    ):
        client.search(q="x")
    assert info.value.code == "unreachable"


def test_client_error_carries_the_api_message(registry, client):
    message = "Veuillez indiquer au moins un paramètre de recherche."
    registry.reply("/search", Reply(400, {"erreur": message}))
    with pytest.raises(RegistryError) as info:
        client.search()
    assert not isinstance(info.value, RegistryUnavailable)
    assert (info.value.code, info.value.params) == ("rejected", {"status": 400, "detail": message})


@pytest.mark.parametrize(
    "body",
    [
        '{"results": [',
        "",
        {"total_results": 0},
        {"results": "none"},
        {"results": ["not a company"]},
        [],
        "[" * 100_000 + "]" * 100_000,  # deeper than the JSON decoder goes
        '{"results": [], "total_results": ' + "9" * 5000 + "}",  # an integer too long to read
    ],
)
def test_malformed_answers(registry, client, body):
    registry.reply("/search", Reply(body=body))
    with pytest.raises(RegistryBadResponse) as info:
        client.search(q="x")
    assert info.value.code == "bad_response"


@pytest.mark.parametrize("content_length", [True, False])
def test_oversized_answer_is_refused(registry, client, content_length):
    # A 10 MB company name: refused as a whole, whether or not its size is announced.
    huge = page(company(Sirens.ATELIER, nom_raison_sociale="A" * 10_000_000))
    registry.reply("/search", Reply(body=huge, content_length=content_length))
    with pytest.raises(RegistryBadResponse) as info:
        client.search(q="x")
    assert (info.value.code, info.value.params) == ("too_large", {"limit": 2 * 1024 * 1024})


def test_redirect_to_another_host_is_refused(registry, client):
    registry.reply("/search", Reply(302, headers={"Location": "https://evil.example/search?q=x"}))
    with pytest.raises(RegistryError) as info:
        client.search(q="x")
    assert (info.value.code, info.value.params) == ("redirected", {"host": "evil.example"})
    assert len(registry.received) == 1


def test_redirect_within_the_registry_is_followed(registry, client):
    registry.reply("/search", Reply(301, headers={"Location": "/v2/search?q=x"}))
    registry.reply("/v2/search", Reply(body=fixture("search_group_subsidiary")))
    assert client.search(q="x").results[0].siren == Sirens.PROPRETE
    assert [received.path for received in registry.received] == ["/search", "/v2/search"]


def test_endless_redirects_fail(registry, client):
    registry.reply("/search", Reply(302, headers={"Location": "/search?again=1"}))
    with pytest.raises(RegistryError) as info:
        client.search(q="x")
    assert info.value.code == "failed"
    assert len(registry.received) == 4


def test_parsing_tolerates_missing_and_odd_values():
    assert RegistryCompany.from_result({}) == RegistryCompany()
    company_ = RegistryCompany.from_result(
        {
            "siren": Sirens.ATELIER,
            "siege": {"latitude": "NaN", "longitude": "abc", "code_postal": None, "siret": 12},
            "categorie_entreprise": None,
            "tranche_effectif_salarie": "12",
            "annee_tranche_effectif_salarie": "2021",
        }
    )
    assert (company_.latitude, company_.longitude, company_.zip) == (None, None, None)
    assert (company_.size, company_.size_year) == (sizes.SMALL, 2021)
    assert company_.siret is None  # 12 is not a SIRET
    assert RegistryCompany.from_result({"siege": ["not", "a", "dict"]}).siret is None
    assert (
        RegistryCompany.from_result({"siege": {"latitude": "91", "longitude": ""}}).latitude is None
    )
    with pytest.raises(RegistryBadResponse):
        RegistryCompany.from_result(None)


def test_every_value_is_validated():
    """Values outside their type, length or range are unknown (None), never
    passed on: a year of 99999999999 (beyond int4), a NAF code sent as a
    float, a name longer than any company's, NUL characters (PostgreSQL
    refuses them), a SIRET of another company, infinite or absurd amounts."""
    result = company(
        Sirens.ATELIER,
        nom_raison_sociale="X" * (MAX_NAME_LENGTH + 1),
        nom_complet="ATELIER\x00 GRAPHIQUE\n",
        activite_principale=18.12,
        annee_categorie_entreprise="99999999999",
        annee_tranche_effectif_salarie=99999999999,
        categorie_entreprise="PME; DROP TABLE",
        tranche_effectif_salarie="99",
        siege={
            "siret": "79340218100010",  # Papeteries' head office
            "code_postal": 93100.0,
            "libelle_commune": "M" * 1000,
            "latitude": "1e400",
        },
        finances={
            "2023": {"ca": 1e400, "resultat_net": -5e16},
            "99999": {"ca": 1, "resultat_net": 1},
            "2021": {"ca": -3, "resultat_net": -12000},
        },
        complements={"est_ess": "true", "est_siae": 1, "est_societe_mission": None},
        etat_administratif="A",
    )
    parsed = RegistryCompany.from_result(result)
    assert parsed.name == "ATELIER GRAPHIQUE"
    assert (parsed.naf_code, parsed.size_year, parsed.category, parsed.headcount_band) == (
        None,
        None,
        None,
        None,
    )
    assert parsed.size is None
    assert (parsed.siren, parsed.siret, parsed.zip, parsed.city, parsed.latitude) == (
        Sirens.ATELIER,
        None,
        None,
        None,
        None,
    )
    # 2023 has nothing valid; 2021 has a net result (a negative turnover is not one).
    assert (parsed.finance_year, parsed.turnover, parsed.net_result) == (2021, None, -12000.0)
    assert (parsed.is_ess, parsed.is_siae, parsed.is_mission) == (None, None, None)
    assert RegistryCompany.from_result(company("842153679")).siren is None  # bad check digit


def test_odd_values_from_the_server(registry, client):
    registry.reply(
        "/search",
        Reply(
            body='{"results": [{"siren": "842153678", "annee_categorie_entreprise": NaN,'
            ' "finances": {"2023": {"ca": Infinity, "resultat_net": 5}}}],'
            ' "total_pages": 99999999999, "total_results": -1}'
        ),
    )
    result = client.search(q="x")
    assert result.total_pages == 1 and result.total_results == 1  # the defaults
    (parsed,) = result.results
    assert (parsed.size_year, parsed.turnover, parsed.net_result) == (None, None, 5.0)


def test_user_agent_names_the_addon_version(registry):
    registry.reply("/search", Reply(body=fixture("search_empty")))
    agent = default_user_agent("19.0.1.2.0")
    assert agent.startswith("pareto_odoo/19.0.1.2.0 (")
    with RegistryClient(registry.url, user_agent=agent) as client:
        client.search(q="x")
    assert registry.received[0].headers["User-Agent"] == agent


# Rate limiter


def test_slot_limiter_waits_for_its_slot_outside_the_reservation():
    slots = iter([0.0, 0.15, 0.3])
    waits = []
    limiter = SlotLimiter(lambda: next(slots), sleep=waits.append)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.15, 0.3]
    assert waits == [0.15, 0.3]


def test_slot_limiter_refuses_to_hold_a_caller_too_long():
    waits = []
    limiter = SlotLimiter(lambda: 12.0, max_wait=5.0, sleep=waits.append)
    with pytest.raises(RegistryRateLimited) as info:
        limiter.acquire()
    assert info.value.retry_after == 12.0
    assert waits == []


def test_slot_limiter_spaces_concurrent_threads(registry):
    """Threads sharing one slot clock: requests reach the server 0.1 s apart."""
    lock = threading.Lock()
    next_slot = [0.0]

    def reserve():
        with lock:
            now = time.monotonic()
            slot = max(next_slot[0], now)
            next_slot[0] = slot + 0.1
            return slot - now

    registry.reply("/search", Reply(body=fixture("search_empty")))

    def work():
        with RegistryClient(registry.url, rate_limiter=SlotLimiter(reserve)) as client:
            for _ in range(3):
                client.search(q="x")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    arrivals = sorted(received.at for received in registry.received)
    assert len(arrivals) == 12
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) > 0.05, gaps
    assert arrivals[-1] - arrivals[0] >= 1.0
