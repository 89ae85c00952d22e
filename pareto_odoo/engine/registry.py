"""Client of the national company registry (API Recherche d'entreprises).

The registry is an optional enrichment: every failure surfaces as a
:class:`RegistryError` carrying a code and its values (see
:mod:`pareto_odoo.engine.errors`), which the caller phrases for users.

Everything the registry sends is checked before use: types, lengths, ranges
and formats (a value that fails is treated as unknown), the size of the
answer is capped, redirects to another host are refused, and ``timeout`` is
a deadline for the whole HTTP exchange, however slowly the server sends.
"""

import contextlib
import datetime
import email.utils
import functools
import json
import math
import re
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import ProxyManager

from . import identifiers, sizes, territory
from .errors import CodedError

DEFAULT_BASE_URL = "https://recherche-entreprises.api.gouv.fr"
# The API allows 7 requests per second per IP address.
DEFAULT_RATE = 7
MAX_PER_PAGE = 25
MAX_RADIUS_KM = 50.0
# Retry-After assumed when a 429 response does not say how long to wait.
DEFAULT_RETRY_AFTER = 1.0
# A page of 25 companies is about 100 KB: anything much larger is not the API.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
# Longest texts kept from the registry (Sirene's own fields are shorter);
# a longer value is treated as unknown.
MAX_NAME_LENGTH = 250
MAX_ADDRESS_LENGTH = 250
MAX_CITY_LENGTH = 100
MAX_PAGE_COUNT = 10_000_000

# Error codes (RegistryError.code) and their values.
TIMEOUT = "timeout"  # seconds
UNREACHABLE = "unreachable"  # -
SERVER_ERROR = "server_error"  # status
RATE_LIMITED = "rate_limited"  # retry_after (seconds, float)
BAD_RESPONSE = "bad_response"  # -
TOO_LARGE = "too_large"  # limit (bytes)
REJECTED = "rejected"  # status, detail (the API's own message, or None)
REDIRECTED = "redirected"  # host
FAILED = "failed"  # detail


class RegistryError(CodedError):
    """A registry request failed (REJECTED, REDIRECTED, FAILED)."""

    MESSAGES = {
        TIMEOUT: "The company registry did not answer within {seconds:g} seconds.",
        UNREACHABLE: "Could not reach the company registry.",
        SERVER_ERROR: "The company registry is unavailable (HTTP {status}).",
        RATE_LIMITED: "The company registry is receiving too many requests; "
        "try again in {retry_after:.0f} second(s).",
        BAD_RESPONSE: "The company registry sent an unexpected response.",
        TOO_LARGE: "The company registry sent an answer larger than {limit} bytes.",
        REJECTED: "The company registry rejected the request (HTTP {status}): {detail}",
        REDIRECTED: "The company registry redirected the request to another host ({host}).",
        FAILED: "The company registry request failed: {detail}",
    }


class RegistryUnavailable(RegistryError):
    """The registry is down, unreachable or too slow (TIMEOUT, UNREACHABLE, SERVER_ERROR)."""


class RegistryRateLimited(RegistryError):
    """The registry (or our own share of its budget) refuses requests for now."""

    def __init__(self, retry_after):
        self.retry_after = float(retry_after)
        super().__init__(RATE_LIMITED, retry_after=self.retry_after)


class RegistryBadResponse(RegistryError):
    """The registry answered something that is not the documented JSON (BAD_RESPONSE, TOO_LARGE)."""

    def __init__(self, code=BAD_RESPONSE, **params):
        super().__init__(code, **params)


class SlotLimiter:
    """Rate limiter over a shared clock of request slots.

    ``reserve()`` books the next free slot for all the processes sharing it
    (in PostgreSQL for the Odoo servers of one database) and returns the
    seconds until that slot; :meth:`acquire` then sleeps that long, outside
    any lock or transaction. A slot further away than ``max_wait`` raises
    :class:`RegistryRateLimited` instead of holding the caller.
    """

    def __init__(self, reserve, *, max_wait=None, sleep=time.sleep):
        self._reserve = reserve
        self.max_wait = max_wait
        self._sleep = sleep

    def acquire(self):
        """Block until a request may start; return the seconds waited."""
        delay = max(0.0, float(self._reserve()))
        if self.max_wait is not None and delay > self.max_wait:
            raise RegistryRateLimited(delay)
        if delay:
            self._sleep(delay)
        return delay


# ---------------------------------------------------------------------------
# Values: everything the registry sends is checked here
# ---------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES_RE = re.compile(r"\s+")
# NAF codes: rév. 2 ("62.01Z") and rév. 1 ("74.1A").
_NAF_RE = re.compile(r"^\d{2}\.\d{1,2}[A-Z]$")
_ZIP_RE = re.compile(r"^\d{5}$")


def _text(value, max_length):
    """A text of at most ``max_length`` characters, whitespace collapsed and
    control characters removed; None for anything else or longer."""
    if not isinstance(value, str) or len(value) > 4 * max_length:
        return None
    text = _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", value)).strip()
    return text if text and len(text) <= max_length else None


def _code(value, pattern=None, allowed=None):
    """An upper-case code matching ``pattern`` or in ``allowed``, else None."""
    text = _text(value, 16)
    if text is None:
        return None
    text = text.upper()
    if pattern is not None and not pattern.match(text):
        return None
    if allowed is not None and text not in allowed:
        return None
    return text


def _digits(value):
    """A text of digits from a string or an int (never a float or a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    text = _text(value, 32)
    return text if text and text.isascii() and text.isdigit() else None


def _coordinate(value, limit):
    """A latitude/longitude (strings in the API) as a float, None when invalid."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and len(value) > 32:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


def _amount(value, *, signed):
    """An amount in euros (an int in the API) that a vendor can store, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return None if sizes.figure_error(number, signed=signed) else number


def _flag(value):
    return value if isinstance(value, bool) else None


def _finances(value):
    """(year, turnover, net result) of the latest year the registry gives, or Nones."""
    if not isinstance(value, dict):
        return None, None, None
    latest = None
    for key, figures in value.items():
        year = sizes.valid_year(key)
        if year is None or not isinstance(figures, dict):
            continue
        turnover = _amount(figures.get("ca"), signed=False)
        net_result = _amount(figures.get("resultat_net"), signed=True)
        if (turnover is not None or net_result is not None) and (
            latest is None or year > latest[0]
        ):
            latest = (year, turnover, net_result)
    return latest or (None, None, None)


def _siren_siret(result, siege):
    """The result's SIREN and its head office's SIRET, both valid (else None)."""
    siren = identifiers.siren_of(_digits(result.get("siren")))
    siret = identifiers.siret_of(_digits(siege.get("siret")))
    if siret and siret[:9] != siren:
        siret = None
    return siren, siret


def _address(siege):
    street_parts = (
        _text(siege.get(key), MAX_ADDRESS_LENGTH)
        for key in ("numero_voie", "indice_repetition", "type_voie", "libelle_voie")
    )
    street = " ".join(part for part in street_parts if part)
    zip_code = _digits(siege.get("code_postal"))
    return {
        "street": street if street and len(street) <= MAX_ADDRESS_LENGTH else None,
        "street2": _text(siege.get("complement_adresse"), MAX_ADDRESS_LENGTH),
        "zip": zip_code if zip_code and _ZIP_RE.match(zip_code) else None,
        "city": _text(siege.get("libelle_commune"), MAX_CITY_LENGTH),
        "latitude": _coordinate(siege.get("latitude"), 90.0),
        "longitude": _coordinate(siege.get("longitude"), 180.0),
    }


@dataclass(frozen=True)
class RegistryCompany:
    """One legal unit (unité légale) of the registry, located at its head office.

    Domain values only; None (or False for ``is_active``) when the registry
    does not tell or sent something invalid. ``turnover`` and ``net_result``
    are those of ``finance_year``, the latest year of the registry's
    ``finances``; ``is_ess``, ``is_siae`` and ``is_mission`` are the
    registry's ``est_ess``, ``est_siae`` and ``est_societe_mission``.
    """

    siren: str | None = None
    siret: str | None = None
    name: str | None = None
    street: str | None = None
    street2: str | None = None
    zip: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    naf_code: str | None = None
    category: str | None = None
    headcount_band: str | None = None
    size: str | None = None
    size_year: int | None = None
    is_active: bool = False
    department: str | None = None
    turnover: float | None = None
    net_result: float | None = None
    finance_year: int | None = None
    is_ess: bool | None = None
    is_siae: bool | None = None
    is_mission: bool | None = None

    @classmethod
    def from_result(cls, result):
        """Parse one item of a response's ``results``; missing or invalid data gives None."""
        if not isinstance(result, dict):
            raise RegistryBadResponse()
        siege = result.get("siege")
        siege = siege if isinstance(siege, dict) else {}
        complements = result.get("complements")
        complements = complements if isinstance(complements, dict) else {}
        category = _code(result.get("categorie_entreprise"), allowed=sizes.REGISTRY_CATEGORIES)
        band = _code(result.get("tranche_effectif_salarie"), allowed=sizes.REGISTRY_BANDS)
        siren, siret = _siren_siret(result, siege)
        address = _address(siege)
        finance_year, turnover, net_result = _finances(result.get("finances"))
        return cls(
            siren=siren,
            siret=siret,
            name=_text(result.get("nom_raison_sociale"), MAX_NAME_LENGTH)
            or _text(result.get("nom_complet"), MAX_NAME_LENGTH),
            **address,
            naf_code=_code(result.get("activite_principale"), pattern=_NAF_RE),
            category=category,
            headcount_band=band,
            size=sizes.size_from_registry(category, band),
            size_year=sizes.registry_size_year(
                result.get("annee_categorie_entreprise"),
                result.get("annee_tranche_effectif_salarie"),
            ),
            is_active=result.get("etat_administratif") == "A",
            department=territory.department_from_zip(address["zip"]),
            turnover=turnover,
            net_result=net_result,
            finance_year=finance_year,
            is_ess=_flag(complements.get("est_ess")),
            is_siae=_flag(complements.get("est_siae")),
            is_mission=_flag(complements.get("est_societe_mission")),
        )


@dataclass(frozen=True)
class RegistryPage:
    """One page of registry results."""

    results: list[RegistryCompany]
    page: int
    per_page: int
    total_results: int
    total_pages: int


def filter_companies(companies, categories=None, departements=None, active_only=True):
    """Companies matching the filters that ``/near_point`` cannot apply itself.

    ``categories`` (PME, ETI, GE) and ``departements`` are lists or
    comma-separated texts; empty means no filter.
    """
    categories = set(_split(categories))
    departements = set(_split(departements))
    return [
        company
        for company in companies
        if (company.is_active or not active_only)
        and (not categories or company.category in categories)
        and (not departements or company.department in departements)
    ]


# ---------------------------------------------------------------------------
# Deadline: the sockets of a call are shut down when its time is up
# ---------------------------------------------------------------------------

_CURRENT = threading.local()


class _Deadline:
    """The deadline of the HTTP exchanges of one call, in this thread.

    Every connection used while it is active registers itself; when the time
    is up a timer thread shuts their sockets down, which ends any read in
    progress at once, however slowly the server sends (a per-read timeout
    would restart with every byte).
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._connections = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self):
        return self.end - time.monotonic()

    def watch(self, connection):
        with self._lock:
            self._connections.append(connection)
            if self.expired:
                _shutdown(connection)

    def _expire(self):
        with self._lock:
            self.expired = True
            for connection in self._connections:
                _shutdown(connection)

    def __enter__(self):
        _CURRENT.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        _CURRENT.deadline = None
        self._connections.clear()


def _shutdown(connection):
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _watch_current(connection):
    deadline = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(connection)


class _WatchedConnection:
    """Registers the connection with the current call's deadline."""

    def connect(self):
        result = super().connect()
        _watch_current(self)
        return result

    def request(self, *args, **kwargs):
        _watch_current(self)
        return super().request(*args, **kwargs)


class _HTTPConnection(_WatchedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOL_CLASSES = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """requests adapter whose connections obey the current call's deadline."""

    def init_poolmanager(self, *args, **kwargs):
        result = super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return result

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is ProxyManager:  # not SOCKS: its pools are its own
            manager.pool_classes_by_scheme = dict(_POOL_CLASSES)
        return manager


def new_session():
    """A requests session whose HTTP exchanges obey the client's deadline."""
    session = requests.Session()
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# ---------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------


class RegistryClient:
    """HTTP client of the registry; use as a context manager or call :meth:`close`.

    ``timeout`` (seconds) is the deadline of one request: connecting,
    sending, receiving the whole answer and following same-host redirects,
    plus the waits of its retries after a 429. ``_request`` is the only
    method that talks to the network.
    """

    def __init__(
        self,
        base_url=DEFAULT_BASE_URL,
        *,
        timeout=10,
        user_agent=None,
        rate_limiter=None,
        max_retries=2,
        session=None,
        sleep=time.sleep,
        max_retry_wait=30.0,
        max_response_bytes=MAX_RESPONSE_BYTES,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.user_agent = user_agent or default_user_agent()
        self.rate_limiter = rate_limiter
        self.max_retries = max_retries
        # Waiting longer than this would hold an Odoo worker too long.
        self.max_retry_wait = max_retry_wait
        self.max_response_bytes = max_response_bytes
        self._owns_session = session is None
        self.session = session or new_session()
        self._sleep = sleep

    def close(self):
        """Close the HTTP session if this client created it."""
        if self._owns_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def search(
        self,
        q=None,
        *,
        naf_codes=None,
        departements=None,
        region=None,
        categories=None,
        active_only=True,
        page=1,
        per_page=MAX_PER_PAGE,
    ):
        """One page of ``/search``; list filters take lists or comma-separated texts.

        The API ignores every filter when ``q`` is a SIREN or a SIRET.
        """
        _check_paging(page, per_page)
        params = {
            "q": (q or "").strip() or None,
            "activite_principale": _join(naf_codes),
            "departement": _join(departements),
            "region": _join(region),
            "categorie_entreprise": _join(categories),
            "etat_administratif": "A" if active_only else None,
            "page": page,
            "per_page": per_page,
        }
        return _parse_page(self._request("/search", params), page, per_page)

    def near_point(self, lat, lon, radius_km, *, naf_codes=None, page=1, per_page=MAX_PER_PAGE):
        """One page of ``/near_point``: companies with an establishment within
        ``radius_km`` (at most 50) of the point.

        The API filters on activity only: see :func:`filter_companies`.
        """
        if not 0 < radius_km <= MAX_RADIUS_KM:
            raise ValueError(f"The search radius must be between 0 and {MAX_RADIUS_KM:g} km.")
        _check_paging(page, per_page)
        params = {
            "lat": lat,
            "long": lon,
            "radius": radius_km,
            "activite_principale": _join(naf_codes),
            "page": page,
            "per_page": per_page,
        }
        return _parse_page(self._request("/near_point", params), page, per_page)

    def iter_search(self, *, max_pages=10, **criteria):
        """Companies of successive :meth:`search` pages, up to ``max_pages`` pages."""
        return _walk_pages(functools.partial(self.search, **criteria), max_pages)

    def iter_near_point(self, lat, lon, radius_km, *, max_pages=10, **criteria):
        """Companies of successive :meth:`near_point` pages, up to ``max_pages`` pages."""
        fetch = functools.partial(self.near_point, lat, lon, radius_km, **criteria)
        return _walk_pages(fetch, max_pages)

    def lookup_siren(self, siren_or_siret):
        """The company of a SIREN or SIRET (active or closed), or None.

        Raises :class:`pareto_odoo.engine.identifiers.InvalidIdentifier` (a
        ValueError), before any request, when the number is invalid or empty.
        """
        siren, _siret = identifiers.parse(siren_or_siret)
        if siren is None:
            raise identifiers.InvalidIdentifier(siren_or_siret, identifiers.INVALID_LENGTH)
        page = self.search(q=siren, active_only=False)
        return next((company for company in page.results if company.siren == siren), None)

    def _request(self, path, params):
        """GET ``path`` and return the decoded JSON, retrying on 429, within the deadline."""
        params = {key: value for key, value in params.items() if value is not None}
        attempt = 0
        end = time.monotonic() + self.timeout
        while True:
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            status, headers, payload = self._exchange(self.base_url + path, params, end)
            if status != 429:
                return _decode(status, payload)
            wait = _retry_after_seconds(headers.get("Retry-After"))
            # Retrying before the server's delay would only be refused again.
            if (
                attempt >= self.max_retries
                or wait > self.max_retry_wait
                or time.monotonic() + wait >= end
            ):
                raise RegistryRateLimited(wait)
            attempt += 1
            self._sleep(wait)

    def _exchange(self, url, params, end):
        """``(status, headers, body bytes)`` of GET ``url``, following redirects
        within the registry's host, before ``end`` (``time.monotonic()``)."""
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise RegistryUnavailable(TIMEOUT, seconds=self.timeout)
        with _Deadline(remaining) as deadline:
            try:
                for _hop in range(MAX_REDIRECTS + 1):
                    response = self._get(url, params, deadline)
                    with response:
                        location = response.headers.get("Location")
                        if response.is_redirect and location:
                            url, params = self._redirect_target(url, location), None
                            continue
                        body = self._body(response)
                        if deadline.expired:  # the body was cut short at the deadline
                            raise RegistryUnavailable(TIMEOUT, seconds=self.timeout)
                        return response.status_code, response.headers, body
                raise RegistryError(FAILED, detail="too many redirects")
            except OSError as exc:  # requests' exceptions included
                raise self._transport_error(exc, deadline) from exc

    def _transport_error(self, exc, deadline):
        """The RegistryError of a network failure."""
        timed_out = deadline.expired or isinstance(exc, requests.Timeout)
        if timed_out:
            return RegistryUnavailable(TIMEOUT, seconds=self.timeout)
        if isinstance(exc, requests.RequestException) and not isinstance(
            exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError
        ):
            return RegistryError(FAILED, detail=type(exc).__name__)
        return RegistryUnavailable(UNREACHABLE)

    def _get(self, url, params, deadline):
        remaining = max(deadline.remaining(), 0.001)
        return self.session.get(
            url,
            params=params,
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
            # One number (connect and each read): Odoo's test harness compares it to 10 s.
            timeout=remaining,
            stream=True,
            allow_redirects=False,
        )

    def _redirect_target(self, url, location):
        """The absolute URL of a redirect, refused unless on the registry's own host."""
        target = urljoin(url, location)
        origin, destination = urlsplit(self.base_url), urlsplit(target)
        if (destination.scheme, destination.hostname, destination.port) != (
            origin.scheme,
            origin.hostname,
            origin.port,
        ):
            raise RegistryError(REDIRECTED, host=destination.hostname or "")
        return target

    def _body(self, response):
        """The body of ``response``, refused beyond ``max_response_bytes``."""
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise RegistryBadResponse(TOO_LARGE, limit=limit)
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > limit:
                raise RegistryBadResponse(TOO_LARGE, limit=limit)
            chunks.append(chunk)
        return b"".join(chunks)


def default_user_agent(version="dev"):
    """Descriptive User-Agent, as the registry's terms ask; ``version`` is the addon's."""
    return f"pareto_odoo/{version} (Odoo purchasing SME-share addon; self-hosted Odoo server)"


def _json(payload):
    """Decoded JSON; NaN and Infinity (not JSON) read as None."""
    try:
        return json.loads(payload, parse_constant=lambda _constant: None)
    except (ValueError, RecursionError) as exc:
        raise RegistryBadResponse() from exc


def _decode(status, payload):
    if status >= 500:
        raise RegistryUnavailable(SERVER_ERROR, status=status)
    if status >= 300:
        try:
            answer = json.loads(payload)
        except (ValueError, RecursionError):
            answer = None  # the status says enough
        detail = _text(answer.get("erreur"), 500) if isinstance(answer, dict) else None
        raise RegistryError(REJECTED, status=status, detail=detail)
    return _json(payload)


def _retry_after_seconds(value):
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or HTTP date."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) < 10:
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:  # "-0000" means UTC too
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - time.time())


def _parse_page(payload, page, per_page):
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise RegistryBadResponse()
    results = [RegistryCompany.from_result(item) for item in payload["results"][:per_page]]
    return RegistryPage(
        results=results,
        page=_integer(payload.get("page"), page),
        per_page=_integer(payload.get("per_page"), per_page),
        total_results=_integer(payload.get("total_results"), len(results)),
        total_pages=_integer(payload.get("total_pages"), page),
    )


def _walk_pages(fetch, max_pages):
    for number in range(1, max_pages + 1):
        page = fetch(page=number)
        yield from page.results
        if not page.results or number >= page.total_pages:
            return


def _check_paging(page, per_page):
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"page must be >= 1 and per_page between 1 and {MAX_PER_PAGE}.")


def _split(values):
    """Upper-cased codes from a list or a comma/space separated text, deduplicated."""
    if not values:
        return []
    if isinstance(values, str):
        values = re.split(r"[\s,;]+", values)
    codes = (str(value).strip().upper() for value in values if value is not None)
    return list(dict.fromkeys(code for code in codes if code))


def _join(values):
    return ",".join(_split(values)) or None


def _integer(value, default):
    """A count or page number of the answer, within bounds, else ``default``."""
    number = _digits(value)
    if number is None or len(number) > 8:
        return default
    number = int(number)
    return number if number <= MAX_PAGE_COUNT else default
