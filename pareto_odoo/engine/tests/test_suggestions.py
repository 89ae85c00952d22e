import dataclasses
import itertools
import random

import pytest

from pareto_odoo.engine.suggestions import (
    FAMILY_HISTORY,
    RESULT_KEYS,
    SUPPLIES_PRODUCT,
    Candidate,
    needing_price,
    rank_candidates,
)


def candidate(partner_id, **values):
    fields = {
        "partner_id": partner_id,
        "name": f"Vendor {partner_id}",
        "pareto_size": "small",
        "is_local": False,
        "distance_km": None,
        "family_id": 1,
        "reason": FAMILY_HISTORY,
        "price": None,
        "delay": None,
        "volume": 0.0,
    }
    fields.update(values)
    return Candidate(**fields)


def ids(results):
    return [result["partner_id"] for result in results]


def test_result_keys_and_values():
    results = rank_candidates(
        [candidate(1, is_local=True, distance_km=3.5, price=12.0, delay=4, volume=800.0)]
    )
    assert len(results) == 1
    result = results[0]
    assert tuple(result) == RESULT_KEYS
    assert result["partner_id"] == 1
    assert result["name"] == "Vendor 1"
    assert result["pareto_size"] == "small"
    assert result["is_local"] is True
    assert result["distance_km"] == 3.5
    assert result["family_id"] == 1
    assert result["reason"] == FAMILY_HISTORY
    assert isinstance(result["score"], float)
    assert result["price"] == 12.0
    assert result["delay"] == 4
    assert result["volume"] == 800.0


def test_local_first():
    # The non-local one is better on every other criterion.
    results = rank_candidates(
        [
            candidate(1, is_local=False, reason=SUPPLIES_PRODUCT, distance_km=1.0, price=1.0),
            candidate(2, is_local=True, reason=FAMILY_HISTORY, distance_km=90.0, price=50.0),
        ]
    )
    assert ids(results) == [2, 1]


def test_supplies_product_before_family_history():
    results = rank_candidates(
        [
            candidate(1, reason=FAMILY_HISTORY, distance_km=1.0, price=1.0, volume=1e6),
            candidate(2, reason=SUPPLIES_PRODUCT, distance_km=50.0, price=9.0),
        ]
    )
    assert ids(results) == [2, 1]


def test_distance_ascending_known_before_unknown():
    results = rank_candidates(
        [
            candidate(1, distance_km=None, price=1.0),
            candidate(2, distance_km=40.0, price=9.0),
            candidate(3, distance_km=5.0, price=9.0),
        ]
    )
    assert ids(results) == [3, 2, 1]


def test_price_ascending_known_before_unknown():
    results = rank_candidates(
        [
            candidate(1, distance_km=10.0, price=None, volume=1e6),
            candidate(2, distance_km=10.0, price=20.0, volume=10.0),
            candidate(3, distance_km=10.0, price=15.0, volume=1.0),
        ]
    )
    assert ids(results) == [3, 2, 1]


def test_volume_descending_then_name_then_id():
    results = rank_candidates(
        [
            candidate(1, name="Beta", volume=100.0),
            candidate(2, name="Alpha", volume=100.0),
            candidate(3, name="Zeta", volume=500.0),
            candidate(4, name="Alpha", volume=100.0),
        ]
    )
    assert ids(results) == [3, 2, 4, 1]


@pytest.mark.parametrize("size", ["intermediate", "large", None, "", False, "unknown"])
def test_non_sme_and_unknown_size_excluded(size):
    results = rank_candidates([candidate(1, pareto_size=size), candidate(2)])
    assert ids(results) == [2]


@pytest.mark.parametrize("size", ["micro", "small", "medium"])
def test_sme_sizes_kept(size):
    assert ids(rank_candidates([candidate(1, pareto_size=size)])) == [1]


def test_order_vendor_excluded():
    results = rank_candidates(
        [candidate(1, is_local=True), candidate(2), candidate(3)], exclude_partner_ids=[1, 3]
    )
    assert ids(results) == [2]


def test_duplicates_merged_keeping_best_entry_and_max_volume():
    results = rank_candidates(
        [
            candidate(1, family_id=10, reason=FAMILY_HISTORY, volume=900.0),
            candidate(1, family_id=20, reason=SUPPLIES_PRODUCT, price=8.0, delay=3, volume=50.0),
            candidate(1, family_id=30, reason=SUPPLIES_PRODUCT, price=5.0, delay=7, volume=10.0),
            candidate(2, reason=FAMILY_HISTORY, volume=100.0),
        ]
    )
    assert ids(results) == [1, 2]
    best = results[0]
    # The cheapest product entry wins; the volume is the largest of the entries.
    assert best["reason"] == SUPPLIES_PRODUCT
    assert best["family_id"] == 30
    assert best["price"] == 5.0
    assert best["delay"] == 7
    assert best["volume"] == 900.0


def test_limit_applies_in_all():
    candidates = [candidate(i, family_id=i % 3, volume=float(i)) for i in range(1, 21)]
    candidates += [candidate(i, family_id=99, reason=SUPPLIES_PRODUCT) for i in range(1, 21)]
    results = rank_candidates(candidates, limit=5)
    assert len(results) == 5
    assert len(set(ids(results))) == 5
    assert len(rank_candidates(candidates, limit=50)) == 20


@pytest.mark.parametrize("limit", [0, -1])
def test_limit_not_positive(limit):
    assert rank_candidates([candidate(1)], limit=limit) == []


def test_empty():
    assert rank_candidates([]) == []


def test_score_strictly_decreasing_along_the_order():
    candidates = [
        candidate(1, is_local=True, reason=SUPPLIES_PRODUCT, distance_km=2.0),
        candidate(2, is_local=True, reason=SUPPLIES_PRODUCT, distance_km=None),
        candidate(3, is_local=True, reason=FAMILY_HISTORY, distance_km=1.0, price=1.0),
        candidate(4, is_local=True, reason=FAMILY_HISTORY, price=2.0),
        candidate(5, is_local=True, reason=FAMILY_HISTORY, volume=3.0),
        candidate(6, reason=SUPPLIES_PRODUCT, distance_km=300.0, price=4.0),
        candidate(7, reason=SUPPLIES_PRODUCT, distance_km=300.0, price=5.0),
        candidate(8, reason=FAMILY_HISTORY, distance_km=10.0),
        candidate(9, reason=FAMILY_HISTORY),
    ]
    results = rank_candidates(candidates, limit=100)
    assert ids(results) == list(range(1, 10))
    scores = [result["score"] for result in results]
    assert all(a > b for a, b in itertools.pairwise(scores))
    # Documented components: 1000 for local, 100 for supplying the product,
    # at most 99 for the rank inside the tier.
    assert 1100 < scores[0] <= 1199
    assert 1000 < scores[2] <= 1099
    assert 100 < scores[5] <= 199
    assert 0 < scores[-1] <= 99


def test_score_does_not_depend_on_limit():
    candidates = [candidate(i, distance_km=float(i)) for i in range(1, 8)]
    full = rank_candidates(candidates, limit=10)
    assert rank_candidates(candidates, limit=3) == full[:3]


def test_mappings_and_nan_accepted():
    results = rank_candidates(
        [
            {
                "partner_id": 1,
                "name": "A",
                "pareto_size": "micro",
                "is_local": False,
                "distance_km": float("nan"),
                "family_id": 1,
                "reason": FAMILY_HISTORY,
                "price": float("nan"),
                "delay": None,
                "volume": 0.0,
            },
            candidate(2, distance_km=100.0),
        ]
    )
    assert ids(results) == [2, 1]
    assert results[1]["distance_km"] is None
    assert results[1]["price"] is None


def test_unknown_reason_rejected():
    with pytest.raises(ValueError, match="reason"):
        rank_candidates([candidate(1, reason="gut_feeling")])


def test_needing_price_is_what_the_best_suggestions_depend_on():
    """Pricing only the candidates needing_price returns gives the same best
    suggestions as pricing them all."""
    rng = random.Random(7)
    for _trial in range(200):
        full = []
        for index in range(rng.randint(1, 12)):
            full.append(
                Candidate(
                    partner_id=rng.randint(1, 6),
                    name=f"V{index}",
                    pareto_size=rng.choice(["micro", "small", "large"]),
                    is_local=rng.random() < 0.5,
                    distance_km=rng.choice([None, 5.0, 12.0]),
                    family_id=1,
                    reason=rng.choice([SUPPLIES_PRODUCT, FAMILY_HISTORY]),
                    price=rng.choice([None, 10.0, 20.0]),
                    volume=rng.choice([0.0, 100.0]),
                )
            )
        limit = rng.randint(1, 4)
        unpriced = [dataclasses.replace(c, price=None) for c in full]
        needed = {id(c) for c in needing_price(unpriced, limit, exclude_partner_ids=[1])}
        partial = [full[i] if id(unpriced[i]) in needed else unpriced[i] for i in range(len(full))]
        assert rank_candidates(partial, limit, [1]) == rank_candidates(full, limit, [1])
        assert len(needed) <= len(full)
