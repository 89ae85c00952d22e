"""Ranking of SME suggestions for a purchase order.

The Odoo layer gathers the candidates with SQL (vendors of the order's products,
vendors the company already buys from in the order's families) and calls
:func:`rank_candidates`, which keeps the SMEs, removes the order's own vendor,
merges the duplicates and sorts them.

Ordering, best first:

1. local vendors before the others;
2. vendors supplying the order's product (``supplies_product``) before vendors
   only known from the family's purchase history (``family_history``);
3. distance ascending, a known distance before an unknown one;
4. price ascending (the vendor's price-list price, lower is better), a known
   price before an unknown one;
5. volume descending (spend with the vendor in the family over 24 months);
6. name, then partner id, so that the result is deterministic.

Score (higher is better), strictly decreasing along that ordering::

    score = 1000 × is_local + 100 × supplies_product + tier_score

where a *tier* is a group of candidates sharing ``is_local`` and ``reason``,
and ``tier_score = 99 × (tier_size − position) / tier_size`` with ``position``
the 0-based place of the candidate in its tier (so 99 for the tier's best,
decreasing towards 0 for its last). The tier part stays in (0, 99], below the
100 points of a better reason, so the score never contradicts the ordering;
inside a tier it only encodes the rank, because distance, price and volume are
not commensurable. Scores are computed on all the deduplicated candidates,
before the ``limit`` is applied, so they do not depend on it.
"""

import dataclasses
import math
from collections.abc import Mapping

from .sizes import is_sme

SUPPLIES_PRODUCT = "supplies_product"
FAMILY_HISTORY = "family_history"
REASONS = (SUPPLIES_PRODUCT, FAMILY_HISTORY)

LOCAL_POINTS = 1000.0
SUPPLIES_PRODUCT_POINTS = 100.0
TIER_POINTS = 99.0

RESULT_KEYS = (
    "partner_id",
    "name",
    "pareto_size",
    "is_local",
    "distance_km",
    "family_id",
    "reason",
    "score",
    "price",
    "delay",
    "volume",
)


@dataclasses.dataclass
class Candidate:
    """One way a vendor could take the order (a product it supplies, or a
    family it has a history in). A vendor may come as several candidates."""

    partner_id: int
    name: str
    pareto_size: str | None
    is_local: bool
    distance_km: float | None
    family_id: int | None
    reason: str
    price: float | None = None
    delay: int | None = None
    volume: float = 0.0


def _known(value):
    """None for None/False/NaN, the value otherwise."""
    if value is None or value is False:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _as_candidate(candidate):
    if isinstance(candidate, Mapping):
        fields = {field.name for field in dataclasses.fields(Candidate)}
        candidate = Candidate(**{key: candidate[key] for key in fields if key in candidate})
    if candidate.reason not in REASONS:
        raise ValueError(f"Unknown suggestion reason: {candidate.reason!r}")
    return candidate


# How many leading fields of the ranking key come before the price.
_KEY_BEFORE_PRICE = 4


def needing_price(candidates, limit=5, exclude_partner_ids=()):
    """The candidates whose price can change the best ``limit`` suggestions
    of :func:`rank_candidates` (the price comes after locality, reason and
    distance in the ranking): those ranked, without their price, at or
    before the ``limit``-th distinct partner. Pricing only these (Odoo's
    seller selection costs about a millisecond a vendor and product) gives
    the same suggestions as pricing them all."""
    excluded = set(exclude_partner_ids or ())
    candidates = [
        c
        for c in map(_as_candidate, candidates)
        if is_sme(c.pareto_size) and c.partner_id not in excluded
    ]
    if limit <= 0 or not candidates:
        return []
    ordered = sorted(candidates, key=lambda c: _sort_key(c)[:_KEY_BEFORE_PRICE])
    partners = set()
    threshold = None
    for candidate in ordered:
        partners.add(candidate.partner_id)
        if len(partners) == limit:
            threshold = _sort_key(candidate)[:_KEY_BEFORE_PRICE]
            break
    if threshold is None:
        return ordered
    return [c for c in ordered if _sort_key(c)[:_KEY_BEFORE_PRICE] <= threshold]


def _sort_key(candidate):
    distance = _known(candidate.distance_km)
    price = _known(candidate.price)
    return (
        not candidate.is_local,
        candidate.reason != SUPPLIES_PRODUCT,
        distance is None,
        distance if distance is not None else 0.0,
        price is None,
        price if price is not None else 0.0,
        -(_known(candidate.volume) or 0.0),
        candidate.name or "",
        candidate.partner_id,
    )


def _tier(candidate):
    return (bool(candidate.is_local), candidate.reason == SUPPLIES_PRODUCT)


def rank_candidates(candidates, limit=5, exclude_partner_ids=()):
    """The best ``limit`` SME suggestions, best first, one per partner.

    ``candidates``: :class:`Candidate` instances (or mappings with the same
    keys). Non-SMEs, vendors of unknown size and the partners of
    ``exclude_partner_ids`` (the order's vendor) are dropped. A partner coming
    as several candidates is kept once, with its best entry (by the ordering
    above) and the largest volume among its entries. Returns dicts with the
    keys of :data:`RESULT_KEYS`; ``[]`` when ``limit`` <= 0.
    """
    if limit <= 0:
        return []
    excluded = set(exclude_partner_ids or ())
    best = {}
    volumes = {}
    for candidate in map(_as_candidate, candidates):
        if not is_sme(candidate.pareto_size) or candidate.partner_id in excluded:
            continue
        partner_id = candidate.partner_id
        volume = _known(candidate.volume) or 0.0
        volumes[partner_id] = max(volumes.get(partner_id, volume), volume)
        if partner_id not in best or _sort_key(candidate) < _sort_key(best[partner_id]):
            best[partner_id] = candidate
    ranked = sorted(best.values(), key=_sort_key)

    tier_sizes = {}
    for candidate in ranked:
        tier_sizes[_tier(candidate)] = tier_sizes.get(_tier(candidate), 0) + 1
    positions = {}
    results = []
    for candidate in ranked:
        tier = _tier(candidate)
        position = positions.get(tier, 0)
        positions[tier] = position + 1
        is_local, supplies_product = tier
        score = (
            LOCAL_POINTS * is_local
            + SUPPLIES_PRODUCT_POINTS * supplies_product
            + TIER_POINTS * (tier_sizes[tier] - position) / tier_sizes[tier]
        )
        results.append(
            {
                "partner_id": candidate.partner_id,
                "name": candidate.name,
                "pareto_size": candidate.pareto_size,
                "is_local": bool(candidate.is_local),
                "distance_km": _known(candidate.distance_km),
                "family_id": candidate.family_id,
                "reason": candidate.reason,
                "score": float(score),
                "price": _known(candidate.price),
                "delay": _known(candidate.delay),
                "volume": float(volumes[candidate.partner_id]),
            }
        )
    return results[:limit]
