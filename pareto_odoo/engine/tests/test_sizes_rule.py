"""The one rule "a size set by hand wins; a more recent year wins" (engine/sizes.py)."""

import pytest

from pareto_odoo.engine import sizes
from pareto_odoo.engine.sizes import (
    KEPT_MANUAL,
    KEPT_NEWER,
    NO_SIZE,
    REFRESH,
    UNCHANGED,
    UPDATE,
    size_outcome,
)


@pytest.mark.parametrize(
    ("current", "new", "overwrite", "outcome"),
    [
        # (size, source, year) now; (size, year) from the registry or a file.
        ((None, None, None), ("small", 2022), False, UPDATE),
        (("large", "registry", 2021), ("small", 2022), False, UPDATE),
        (("large", "import", None), ("small", None), False, UPDATE),
        (("large", "import", 2021), ("small", None), False, UPDATE),
        (("large", "import", 2023), ("small", 2022), False, KEPT_NEWER),
        (("large", "import", 2023), ("small", 2022), True, KEPT_NEWER),
        (("large", "manual", None), ("small", 2022), False, KEPT_MANUAL),
        (("large", "manual", 2020), ("small", 2022), True, UPDATE),
        (("small", "registry", 2021), ("small", 2022), False, REFRESH),
        (("small", "registry", None), ("small", 2022), False, REFRESH),
        (("small", "registry", 2022), ("small", 2022), False, UNCHANGED),
        (("small", "registry", 2023), ("small", 2022), False, UNCHANGED),
        (("small", "registry", None), ("small", None), False, UNCHANGED),
        (("small", "manual", None), ("small", 2022), False, UNCHANGED),
        (("small", "manual", None), ("small", 2022), True, REFRESH),
        (("small", "manual", None), (None, 2022), True, NO_SIZE),
        ((None, None, None), (None, None), False, NO_SIZE),
    ],
)
def test_size_outcome(current, new, overwrite, outcome):
    assert size_outcome(*current, *new, overwrite_manual=overwrite) == outcome


def test_odoo_false_is_unknown():
    assert size_outcome(False, False, 0, "micro", 2022) == UPDATE
    assert size_outcome("micro", False, 0, "micro", 2022) == REFRESH


def test_finances_and_years():
    assert sizes.finances_apply(None, 2022)
    assert sizes.finances_apply(2022, 2022)
    assert not sizes.finances_apply(2023, 2022)
    assert not sizes.finances_apply(2023, None)
    assert [sizes.valid_year(v) for v in ("2021", 2021, " 2021 ", "99999999999", 99999999999)] == [
        2021,
        2021,
        2021,
        None,
        None,
    ]
    assert [sizes.valid_year(v) for v in ("1899", "2101", "20.5", True, 2021.0, None)] == [None] * 6
    assert sizes.registry_size_year("99999999999", "2020") == 2020


@pytest.mark.parametrize(
    ("value", "kwargs", "error"),
    [
        (float("inf"), {}, "not_finite"),
        (float("nan"), {"integer": True}, "not_finite"),
        (-1.0, {}, "negative"),
        (-1.0, {"signed": True}, None),
        (2.0**31, {"integer": True}, "out_of_range"),
        (2.0**31 - 1, {"integer": True}, None),
        (1e15, {}, None),
        (1.1e15, {"signed": True}, "out_of_range"),
    ],
)
def test_figure_error(value, kwargs, error):
    assert sizes.figure_error(value, **kwargs) == error
