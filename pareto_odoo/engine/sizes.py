"""Company size classes (TPE/PME/ETI/GE), and which size wins when sources disagree.

Thresholds: EU Recommendation 2003/361/EC and décret n° 2008-1354 (article 3).
"""

import math

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
# Every `tranche_effectif_salarie` / `trancheEffectifsUniteLegale` code.
REGISTRY_BANDS = _MICRO_BANDS | _SMALL_BANDS | _MEDIUM_BANDS | _LARGE_BANDS
# Valid years of size and financial data.
MIN_YEAR = 1900
MAX_YEAR = 2100


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
    """Year of the size data: the category's year, else the headcount band's
    (each taken only when it is a valid year)."""
    for candidate in (category_year, band_year):
        year = valid_year(candidate)
        if year:
            return year
    return None


def valid_year(value):
    """``value`` (an int or a text of digits) as a year between MIN_YEAR and
    MAX_YEAR, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) == 4):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if MIN_YEAR <= value <= MAX_YEAR else None


# ---------------------------------------------------------------------------
# Which size wins: one rule for the registry, the Sirene stock file and imports
# ---------------------------------------------------------------------------

# The size source of a size set by hand (res.partner.pareto_size_source).
SOURCE_MANUAL = "manual"

# Outcomes of size_outcome().
UPDATE = "update"  # write the new size (and its year)
REFRESH = "refresh"  # same size, more recent data: write its year and source
UNCHANGED = "unchanged"
KEPT_MANUAL = "manual"  # the size set by hand is kept
KEPT_NEWER = "newer"  # the current size is from a more recent year: kept
NO_SIZE = "unknown"  # the new data gives no size


def is_more_recent(year, than):
    """True when ``year`` is known and later than ``than`` (or ``than`` is unknown)."""
    return bool(year) and (not than or year > than)


def size_outcome(
    current_size, current_source, current_year, new_size, new_year, *, overwrite_manual=False
):
    """What an automatic source (registry, Sirene stock file, import) does to a vendor's size.

    A size set by hand wins, unless ``overwrite_manual`` (an explicit user
    choice). A more recent year wins: a size whose year is later than the new
    data's is kept. The same size with more recent data refreshes its year and
    source. Returns one of UPDATE, REFRESH, UNCHANGED, KEPT_MANUAL,
    KEPT_NEWER, NO_SIZE.
    """
    current_size = current_size or None
    current_year = current_year or None
    new_year = new_year or None
    manual_kept = current_source == SOURCE_MANUAL and not overwrite_manual
    if not new_size:
        return NO_SIZE
    if new_size == current_size:
        if not manual_kept and is_more_recent(new_year, current_year):
            return REFRESH
        return UNCHANGED
    if manual_kept:
        return KEPT_MANUAL
    if current_year and new_year and current_year > new_year:
        return KEPT_NEWER
    return UPDATE


def finances_apply(current_year, new_year):
    """True when financial figures of ``new_year`` replace those of ``current_year``:
    the same year or a more recent one, or nothing known yet."""
    return bool(new_year) and (not current_year or new_year >= current_year)


# Bounds of the figures stored on a vendor: the headcount is a PostgreSQL
# int4; amounts must be finite and below 10^15 euros (the fields show 16
# digits; no company comes near).
MAX_HEADCOUNT = 2**31 - 1
MAX_AMOUNT = 1e15


def figure_error(value, *, integer=False, signed=False):
    """None when ``value`` (a number) may be stored as a headcount (``integer``)
    or an amount; else ``not_finite``, ``negative`` or ``out_of_range``."""
    if not math.isfinite(value):
        return "not_finite"
    if value < 0 and not signed:
        return "negative"
    limit = MAX_HEADCOUNT if integer else MAX_AMOUNT
    if abs(value) > limit:
        return "out_of_range"
    return None
