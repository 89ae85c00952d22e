"""Company size classes (TPE/PME/ETI/GE).

Thresholds: EU Recommendation 2003/361/EC and décret n° 2008-1354 (article 3).
"""

MICRO = "micro"
SMALL = "small"
MEDIUM = "medium"
INTERMEDIATE = "intermediate"
LARGE = "large"

SIZES = (MICRO, SMALL, MEDIUM, INTERMEDIATE, LARGE)
SME_SIZES = frozenset((MICRO, SMALL, MEDIUM))

# (size, max headcount exclusive, max turnover, max balance sheet), smallest first.
# A company belongs to the first class whose headcount ceiling it is under and
# for which its turnover OR its balance sheet is within the ceiling.
_THRESHOLDS = (
    (MICRO, 10, 2_000_000.0, 2_000_000.0),
    (SMALL, 50, 10_000_000.0, 10_000_000.0),
    (MEDIUM, 250, 50_000_000.0, 43_000_000.0),
    (INTERMEDIATE, 5_000, 1_500_000_000.0, 2_000_000_000.0),
)

# `tranche_effectif_salarie` bands of the Sirene registry, by size within a PME.
_MICRO_BANDS = frozenset(("NN", "00", "01", "02", "03"))
_SMALL_BANDS = frozenset(("11", "12"))
_MEDIUM_BANDS = frozenset(("21", "22", "31"))
# Bands of 250 persons or more.
_LARGE_BANDS = frozenset(("32", "41", "42", "51", "52", "53"))
REGISTRY_CATEGORIES = {"PME", "ETI", "GE"}


def is_sme(size):
    """True for a TPE/PME (micro, small or medium); unknown sizes are not SMEs."""
    return size in SME_SIZES


def size_from_figures(headcount, turnover=None, balance_sheet=None):
    """Size class from a company's figures, or None when headcount is missing.

    ``turnover`` and ``balance_sheet`` are in euros. With neither money figure,
    headcount alone decides; with one, that one decides; with both, either may
    be within the ceiling.
    """
    if headcount is None or headcount is False or headcount < 0:
        return None
    money = [value for value in (turnover, balance_sheet) if value not in (None, False)]
    for size, max_headcount, max_turnover, max_balance in _THRESHOLDS:
        if headcount >= max_headcount:
            continue
        if not money:
            return size
        within_turnover = turnover not in (None, False) and turnover <= max_turnover
        within_balance = balance_sheet not in (None, False) and balance_sheet <= max_balance
        if within_turnover or within_balance:
            return size
    return LARGE


def size_from_registry(category, headcount_band):
    """Size class from the registry's ``categorie_entreprise`` and
    ``tranche_effectif_salarie``; None when it cannot be told."""
    band = (headcount_band or "").strip().upper() or None
    category = (category or "").strip().upper() or None
    if category == "GE":
        return LARGE
    if category == "ETI":
        return INTERMEDIATE
    if category == "PME":
        if band in _MICRO_BANDS:
            return MICRO
        if band in _SMALL_BANDS:
            return SMALL
        # A PME in band 21-31, in a band of 250 or more (INSEE counts the legal
        # unit's group profile), or without band, is still at most medium.
        return MEDIUM
    if category is None and band is not None:
        # Without a category, the band alone tells a company under 250 persons.
        if band in _MICRO_BANDS:
            return MICRO
        if band in _SMALL_BANDS:
            return SMALL
        if band in _MEDIUM_BANDS:
            return MEDIUM
    return None


def registry_size_year(category_year, band_year):
    """Year of the size data: the category's year, else the headcount band's."""
    for year in (category_year, band_year):
        if year in (None, "", False):
            continue
        try:
            return int(year)
        except (TypeError, ValueError):
            continue
    return None
