"""Client of the national company registry (API Recherche d'entreprises).

The registry is an optional enrichment: every failure surfaces as a
:class:`RegistryError` whose message can be shown to users as is.
"""

import ast
import datetime
import email.utils
import fcntl
import functools
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass

import requests
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from . import sizes, territory

DEFAULT_BASE_URL = "https://recherche-entreprises.api.gouv.fr"
# The API allows 7 requests per second per IP address.
DEFAULT_RATE = 7
MAX_PER_PAGE = 25
MAX_RADIUS_KM = 50.0
# Retry-After assumed when a 429 response does not say how long to wait.
DEFAULT_RETRY_AFTER = 1.0


class RegistryError(Exception):
    """A registry request failed; the message is meant for users."""


class RegistryUnavailable(RegistryError):
    """The registry is down, unreachable or too slow."""


class RegistryRateLimited(RegistryError):
    """The registry still refuses requests after the allowed retries."""

    def __init__(self, retry_after):
        self.retry_after = retry_after
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            "The company registry is receiving too many requests; "
            f"try again in {seconds} second{'s' if seconds > 1 else ''}."
        )


class RegistryBadResponse(RegistryError):
    """The registry answered something that is not the documented JSON."""

    def __init__(self):
        super().__init__("The company registry sent an unexpected response; try again later.")


def default_lock_path():
    """Rate limiter file shared by the processes of the current OS user.

    All workers of one Odoo server run as one user; a per-user name avoids
    permission clashes with other users' files in the shared temp dir.
    """
    return os.path.join(tempfile.gettempdir(), f"pareto_odoo_registry_{os.getuid()}.rate")


class RateLimiter:
    """At most ``rate`` requests per ``period`` seconds for all processes
    sharing the file at ``path``.

    The file holds the start times of the last ``rate`` requests, under an
    exclusive ``flock``. A caller reserves the earliest slot that keeps any
    ``period`` window at ``rate`` requests or fewer, then sleeps until that
    slot without holding the lock. Times come from ``time.time()`` because
    monotonic clocks are not comparable across processes.
    """

    # A reservation further ahead than this means the wall clock was set back:
    # forget the history rather than block for that long.
    MAX_AHEAD = 60.0

    def __init__(self, path=None, rate=DEFAULT_RATE, period=1.0, clock=time.time, sleep=time.sleep):
        if rate < 1 or period <= 0:
            raise ValueError("RateLimiter needs rate >= 1 and period > 0.")
        self.path = path or default_lock_path()
        self.rate = int(rate)
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep

    def acquire(self):
        """Block until a request may start; return the seconds waited."""
        delay = self._reserve()
        if delay > 0:
            self._sleep(delay)
        return delay

    def _reserve(self):
        # Opened on each call: flock locks belong to the open file description,
        # so this also serialises threads of one process.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "r+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            now = self._clock()
            slots = self._read_slots(handle, now)
            slot = now
            if len(slots) >= self.rate:
                slot = max(now, slots[-self.rate] + self.period)
            slots = [*slots, slot][-self.rate :]
            handle.seek(0)
            handle.truncate()
            handle.write(" ".join(repr(value) for value in slots))
        return slot - now

    def _read_slots(self, handle, now):
        try:
            slots = [float(value) for value in handle.read().split()]
        except ValueError:
            return []  # a damaged file only costs one window of accuracy
        if slots and slots[-1] - now > self.MAX_AHEAD:
            return []
        return slots[-self.rate :]


@dataclass(frozen=True)
class RegistryCompany:
    """One legal unit (unité légale) of the registry, located at its head office."""

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

    @classmethod
    def from_result(cls, result):
        """Parse one item of a response's ``results``; missing data gives None."""
        if not isinstance(result, dict):
            raise RegistryBadResponse()
        siege = result.get("siege")
        if not isinstance(siege, dict):
            siege = {}
        category = _text(result.get("categorie_entreprise"))
        band = _text(result.get("tranche_effectif_salarie"))
        zip_code = _text(siege.get("code_postal"))
        street_parts = (
            _text(siege.get(key))
            for key in ("numero_voie", "indice_repetition", "type_voie", "libelle_voie")
        )
        return cls(
            siren=_text(result.get("siren")),
            siret=_text(siege.get("siret")),
            name=_text(result.get("nom_raison_sociale")) or _text(result.get("nom_complet")),
            street=" ".join(part for part in street_parts if part) or None,
            street2=_text(siege.get("complement_adresse")),
            zip=zip_code,
            city=_text(siege.get("libelle_commune")),
            latitude=_coordinate(siege.get("latitude"), 90.0),
            longitude=_coordinate(siege.get("longitude"), 180.0),
            naf_code=_text(result.get("activite_principale")),
            category=category,
            headcount_band=band,
            size=sizes.size_from_registry(category, band),
            size_year=sizes.registry_size_year(
                _text(result.get("annee_categorie_entreprise")),
                _text(result.get("annee_tranche_effectif_salarie")),
            ),
            is_active=result.get("etat_administratif") == "A",
            department=territory.department_from_zip(zip_code),
        )

    def to_partner_values(self):
        """``res.partner`` values for what the registry knows.

        Unknown values are left out so that writing the dict never erases what
        the partner already has; the address goes as a whole so that a move
        does not mix old and new parts.
        """
        values = {"is_company": True}
        if self.name:
            values["name"] = self.name
        if self.siret or self.siren:
            values["company_registry"] = self.siret or self.siren
        if self.street or self.zip or self.city:
            values.update(
                street=self.street or False,
                street2=self.street2 or False,
                zip=self.zip or False,
                city=self.city or False,
            )
        if self.latitude is not None and self.longitude is not None:
            values.update(partner_latitude=self.latitude, partner_longitude=self.longitude)
        if self.naf_code:
            values["pareto_naf_code"] = self.naf_code
        if self.size:
            values.update(
                pareto_size=self.size,
                pareto_size_source="registry",
                pareto_size_year=self.size_year or False,
            )
        return values


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


class RegistryClient:
    """HTTP client of the registry; use as a context manager or call :meth:`close`.

    ``_request`` is the only method that talks to the network.
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
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.user_agent = user_agent or default_user_agent()
        self.rate_limiter = rate_limiter
        self.max_retries = max_retries
        # Waiting longer than this would hold an Odoo worker too long.
        self.max_retry_wait = max_retry_wait
        self._owns_session = session is None
        self.session = session or requests.Session()
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

        Raises ValueError, before any request, when the number is invalid.
        """
        number = stdnum_siren.compact(str(siren_or_siret or ""))
        try:
            if len(number) == 14:
                number = stdnum_siret.validate(number)[:9]
            else:
                number = stdnum_siren.validate(number)
        except stdnum_exceptions.ValidationError as exc:
            raise ValueError(
                f"{siren_or_siret!r} is not a valid SIREN (9 digits) or SIRET (14 digits)."
            ) from exc
        page = self.search(q=number, active_only=False)
        return next((company for company in page.results if company.siren == number), None)

    def _request(self, path, params):
        """GET ``path`` and return the decoded JSON object, retrying on 429."""
        params = {key: value for key, value in params.items() if value is not None}
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        attempt = 0
        while True:
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            try:
                response = self.session.get(
                    self.base_url + path, params=params, headers=headers, timeout=self.timeout
                )
            except requests.Timeout as exc:
                raise RegistryUnavailable(
                    "The company registry did not answer in time; try again later."
                ) from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                raise RegistryUnavailable(
                    "Could not reach the company registry; try again later."
                ) from exc
            except requests.RequestException as exc:
                raise RegistryError(f"The company registry request failed: {exc}") from exc
            if response.status_code != 429:
                return _decode(response)
            wait = _retry_after_seconds(response.headers.get("Retry-After"))
            # Retrying before the server's delay would only be refused again.
            if attempt >= self.max_retries or wait > self.max_retry_wait:
                raise RegistryRateLimited(wait)
            attempt += 1
            self._sleep(wait)


@functools.cache
def default_user_agent():
    """Descriptive User-Agent, as the registry's terms ask."""
    return (
        f"pareto_odoo/{_addon_version()} (Odoo purchasing SME-share addon; self-hosted Odoo server)"
    )


def _addon_version():
    manifest = os.path.join(os.path.dirname(os.path.dirname(__file__)), "__manifest__.py")
    try:
        with open(manifest, encoding="utf-8") as handle:
            return str(ast.literal_eval(handle.read()).get("version") or "dev")
    except (OSError, ValueError, SyntaxError, AttributeError):
        return "dev"


def _decode(response):
    status = response.status_code
    if status >= 500:
        raise RegistryUnavailable(
            f"The company registry is unavailable (HTTP {status}); try again later."
        )
    if status >= 400:
        try:
            detail = response.json().get("erreur")
        except (ValueError, AttributeError):
            detail = None
        message = f"The company registry rejected the request (HTTP {status})"
        raise RegistryError(f"{message}: {detail}" if detail else f"{message}.")
    try:
        return response.json()
    except ValueError as exc:
        raise RegistryBadResponse() from exc


def _retry_after_seconds(value):
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or HTTP date."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:  # "-0000" means UTC too
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - time.time())


def _parse_page(payload, page, per_page):
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise RegistryBadResponse()
    results = [RegistryCompany.from_result(item) for item in payload["results"]]
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


def _text(value):
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _coordinate(value, limit):
    """A latitude/longitude (strings in the API) as a float, None when invalid."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


def _integer(value, default):
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return default
