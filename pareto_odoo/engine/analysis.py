"""Spend analysis with pandas, shared by the addon's exports and the
standalone diagnostic (:mod:`pareto_odoo.engine.diagnostic`).

Input frames
------------
``purchases``, one row per purchase line (or any finer or coarser grain):

- ``date``: spend date (dates, datetimes, ISO strings or ``DD/MM/YYYY``);
- ``supplier_id``: the vendor's identifier (compared as text);
- ``family``: purchasing family; empty → ``"Unclassified"``;
- ``amount``: untaxed amount in company currency (numbers, or text such as
  ``"1 234,56"``);
- ``company`` (optional): when present, every result is computed per company
  and carries a leading ``company`` column.

``suppliers``, one row per vendor (the first row wins for a duplicated id):

- ``supplier_id``, ``name``;
- ``size``: ``micro``, ``small``, ``medium``, ``intermediate``, ``large`` or
  empty (unknown, counted as non-SME); any other value is an error;
- optional: ``zip``, ``country`` (ISO code, default ``FR``) for locality;
  ``is_local`` (booleans) to give locality directly instead of by zip code;
  ``headcount``, ``turnover`` (euros) for jobs; ``excluded`` (true/1/yes/oui/x)
  for vendors left out of every figure; ``naf_section`` (NAF letter) for the
  jobs fallback of ``turnover_per_employee_by_section``.

A purchase whose supplier is missing from ``suppliers`` counts as spend with a
vendor of unknown size (non-SME), not local, not excluded.

Rules (see DESIGN.md): share = SME spend / total × 100; shift amount =
max(0, target % × total − SME spend); status ``ok`` / ``warning`` / ``below``
with the margin; the arithmetic is :mod:`pareto_odoo.engine.compliance`'s.
Unclassified spend is reported as the ``"Unclassified"`` family, without a
target or status. Everything is aggregated with pandas ``groupby``; the only
Python-level iterations run over suppliers or result rows (families), never
over purchase rows.
"""

import math

import numpy as np
import pandas as pd

from .compliance import share, shift_amount, status, worst_status
from .sizes import SIZES, is_sme
from .territory import DEFAULT_LOCAL_DEPARTMENTS, department_from_zip, parse_departments

UNCLASSIFIED = "Unclassified"
TOTAL = "Total"
DEFAULT_TARGET = 20.0
DEFAULT_MARGIN = 5.0

PURCHASE_COLUMNS = ("date", "supplier_id", "family", "amount")
SUPPLIER_COLUMNS = ("supplier_id", "name", "size")

FAMILY_TABLE_COLUMNS = (
    "family",
    "total",
    "sme_total",
    "local_sme_total",
    "share",
    "local_share",
    "target",
    "gap",
    "shift_amount",
    "status",
    "coverage",
    "suppliers",
    "sme_suppliers",
    "jobs_supported",
    "jobs_unknown_spend",
    "ess_total",
    "ess_share",
    "siae_total",
    "siae_share",
)
TOP_COLUMNS = ("family", "supplier_id", "name", "size", "amount", "rank")
MONTHLY_COLUMNS = ("family", "month", "total", "sme_total", "share")

_TRUE_WORDS = frozenset(("1", "true", "t", "yes", "y", "x", "oui", "o", "vrai"))


class InputError(ValueError):
    """Input data that the analysis cannot use; the message is one line."""


# ---------------------------------------------------------------------------
# Input normalisation
# ---------------------------------------------------------------------------


def missing_columns(frame, required):
    """The ``required`` column names absent from ``frame``, in order."""
    return [column for column in required if column not in frame.columns]


def check_columns(frame, required, label):
    """Raise :class:`InputError` naming the missing columns, if any."""
    missing = missing_columns(frame, required)
    if missing:
        raise InputError(f"{label}: missing columns: {', '.join(missing)}")


def local_department_set(local_departments):
    """Set of département codes from a text ("75,77") or an iterable."""
    if local_departments is None:
        local_departments = DEFAULT_LOCAL_DEPARTMENTS
    if not isinstance(local_departments, str):
        local_departments = ",".join(str(code) for code in local_departments)
    try:
        return set(parse_departments(local_departments))
    except ValueError as error:
        raise InputError(f"invalid département code: {error}") from None


def _text(series):
    """Stripped text, with missing values as empty strings."""
    if pd.api.types.is_integer_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        # Identifiers given as numbers: nothing to strip nor fill.
        return series.astype(str).astype(object)
    return series.astype("string").fillna("").str.strip().astype(object)


def _numbers(series, label, strict=True):
    """Floats from numbers or text ("1 234,56", "1,234.56", "12 €")."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if not numeric:
        text = series.astype("string").str.replace(r"[\s\u00a0\u202f'€]", "", regex=True)
        has_comma = text.str.contains(",", regex=False).fillna(False)
        has_dot = text.str.contains(".", regex=False).fillna(False)
        comma_decimal = has_comma & (~has_dot | (text.str.rfind(",") > text.str.rfind(".")))
        text = text.where(~comma_decimal, text.str.replace(".", "", regex=False))
        text = text.where(~comma_decimal, text.str.replace(",", ".", regex=False))
        text = text.where(comma_decimal, text.str.replace(",", "", regex=False))
        text = text.replace("", pd.NA)
        numbers = pd.to_numeric(text, errors="coerce")
        invalid = numbers.isna() & text.notna()
        if strict and invalid.any():
            bad = series[invalid].iloc[0]
            raise InputError(f"{label}: not a number: {bad!r}")
        series = numbers
    return series.astype(float)


def _booleans(series):
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool)
    return _text(series).str.lower().isin(_TRUE_WORDS)


def _dates(series, label):
    if pd.api.types.is_datetime64_any_dtype(series):
        dates = series
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
    else:
        values = series.astype("string").str.strip()
        try:
            dates = pd.to_datetime(values, format="ISO8601")
        except (ValueError, TypeError):
            try:
                dates = pd.to_datetime(values, format="%d/%m/%Y")
            except (ValueError, TypeError):
                raise InputError(f"{label}: dates must be YYYY-MM-DD or DD/MM/YYYY") from None
    if dates.isna().any():
        raise InputError(f"{label}: {int(dates.isna().sum())} rows without a date")
    return dates.dt.normalize()


def _zip_codes(series):
    codes = _text(series).str.replace(r"\.0$", "", regex=True)
    return codes.where(~codes.str.fullmatch(r"\d{4}"), codes.str.zfill(5))


def prepare_suppliers(
    suppliers,
    local_departments=DEFAULT_LOCAL_DEPARTMENTS,
    turnover_per_employee_by_section=None,
):
    """Normalised suppliers, indexed by ``supplier_id`` (text), with columns
    ``name``, ``size`` ("" when unknown), ``is_sme``, ``size_known``,
    ``department`` (None when unknown), ``is_local``, ``excluded``,
    ``headcount``, ``turnover`` and ``turnover_per_employee`` (NaN when the
    jobs supported cannot be estimated)."""
    check_columns(suppliers, SUPPLIER_COLUMNS, "suppliers")
    local = local_department_set(local_departments)
    index = pd.Index(_text(suppliers["supplier_id"]), name="supplier_id")
    frame = pd.DataFrame(index=index)
    frame["name"] = _text(suppliers["name"]).to_numpy()
    sizes = _text(suppliers["size"]).str.lower()
    invalid = sorted(set(sizes[(sizes != "") & ~sizes.isin(SIZES)]))
    if invalid:
        raise InputError(
            f"suppliers: unknown size values: {', '.join(invalid)} "
            f"(expected {', '.join(SIZES)} or empty)"
        )
    frame["size"] = sizes.to_numpy()
    frame["is_sme"] = [is_sme(size) for size in frame["size"]]
    frame["size_known"] = frame["size"] != ""

    zips = _zip_codes(suppliers["zip"]) if "zip" in suppliers else pd.Series("", suppliers.index)
    countries = (
        _text(suppliers["country"]).str.upper().replace("", "FR")
        if "country" in suppliers
        else pd.Series("FR", suppliers.index)
    )
    frame["department"] = [
        department_from_zip(zip_code, country)
        for zip_code, country in zip(zips, countries, strict=True)
    ]
    frame["is_local"] = frame["department"].isin(local).to_numpy()
    if "is_local" in suppliers:
        # Locality already decided by the caller (the addon's, radius included).
        frame["is_local"] = _booleans(suppliers["is_local"]).to_numpy()
    for column in ("excluded", "is_ess", "is_siae"):
        frame[column] = _booleans(suppliers[column]).to_numpy() if column in suppliers else False

    def optional_numbers(column):
        if column not in suppliers:
            return np.full(len(frame), np.nan)
        return _numbers(suppliers[column], f"suppliers.{column}", strict=False).to_numpy()

    frame["headcount"] = optional_numbers("headcount")
    frame["turnover"] = optional_numbers("turnover")
    has_figures = (frame["headcount"] > 0) & (frame["turnover"] > 0)
    ratio = (frame["turnover"] / frame["headcount"]).where(has_figures)
    if turnover_per_employee_by_section is not None and "naf_section" in suppliers:
        # Hook for an INSEE average by NAF section when the vendor's own
        # figures are unknown: {"J": 180000.0, ...} in euros per employee.
        sections = _text(suppliers["naf_section"]).str.upper().to_numpy()
        fallback = pd.Series(sections, index=frame.index).map(turnover_per_employee_by_section)
        fallback = pd.to_numeric(fallback, errors="coerce")
        ratio = ratio.fillna(fallback.where(fallback > 0))
    frame["turnover_per_employee"] = ratio.astype(float)
    return frame[~frame.index.duplicated(keep="first")]


def prepare_purchases(purchases):
    """Normalised purchases: ``date`` (datetime64, midnight), ``supplier_id``
    (text), ``family`` (text, ``"Unclassified"`` when empty), ``amount``
    (float) and ``company`` (text) when present."""
    check_columns(purchases, PURCHASE_COLUMNS, "purchases")
    frame = pd.DataFrame(
        {
            "date": _dates(purchases["date"], "purchases.date"),
            "supplier_id": _text(purchases["supplier_id"]),
            "family": _text(purchases["family"]).replace("", UNCLASSIFIED),
            "amount": _numbers(purchases["amount"], "purchases.amount"),
        },
        index=purchases.index,
    )
    if frame["amount"].isna().any():
        raise InputError(f"purchases.amount: {int(frame['amount'].isna().sum())} empty amounts")
    if "company" in purchases:
        frame.insert(0, "company", _text(purchases["company"]))
    if "is_local" in purchases:
        # Locality of the purchase itself (for its company), which wins over
        # the vendor's: consolidating several companies, a vendor may be
        # local to one and not to another.
        frame["purchase_is_local"] = _booleans(purchases["is_local"]).to_numpy()
    return frame.reset_index(drop=True)


def spend_lines(
    purchases,
    suppliers,
    local_departments=DEFAULT_LOCAL_DEPARTMENTS,
    turnover_per_employee_by_section=None,
):
    """Purchases joined with their vendor's attributes (excluded vendors
    included, flagged ``excluded``), plus ``jobs`` (jobs supported by the
    line, 0 when unknown or not an SME) and ``jobs_unknown`` (SME amount
    whose jobs cannot be estimated)."""
    lines = prepare_purchases(purchases)
    vendors = prepare_suppliers(suppliers, local_departments, turnover_per_employee_by_section)
    lines = lines.join(vendors, on="supplier_id")
    lines["name"] = lines["name"].where(lines["name"].notna(), lines["supplier_id"])
    lines["size"] = lines["size"].fillna("")
    if "purchase_is_local" in lines:
        lines["is_local"] = lines.pop("purchase_is_local")
    for column in ("is_sme", "size_known", "is_local", "excluded", "is_ess", "is_siae"):
        lines[column] = lines[column].astype("boolean").fillna(False).astype(bool)
    ratio = lines["turnover_per_employee"].where(lines["is_sme"])
    lines["jobs"] = (lines["amount"] / ratio).fillna(0.0)
    lines["jobs_unknown"] = lines["amount"].where(lines["is_sme"] & ratio.isna(), 0.0)
    return lines


# ---------------------------------------------------------------------------
# Ordering helpers
# ---------------------------------------------------------------------------


def _keys(frame):
    return ["company", "family"] if "company" in frame.columns else ["family"]


def _sorted(frame, extra=(), ascending=()):
    """Rows by company, family (Unclassified last, case-insensitive), then
    ``extra`` columns."""
    keys = _keys(frame)
    helper = frame.assign(
        _unclassified=frame["family"] == UNCLASSIFIED,
        _family=frame["family"].str.casefold(),
    )
    by = [*keys[:-1], "_unclassified", "_family", "family", *extra]
    order = [True] * (len(by) - len(extra)) + list(ascending or [True] * len(extra))
    helper = helper.sort_values(by, ascending=order, kind="stable")
    return helper.drop(columns=["_unclassified", "_family"]).reset_index(drop=True)


def _optional(values):
    """Float column from values where None means NaN."""
    return pd.Series([np.nan if value is None else value for value in values], dtype=float)


def _is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


# ---------------------------------------------------------------------------
# Analyses
# ---------------------------------------------------------------------------


def family_table(
    purchases,
    suppliers,
    targets=None,
    default_target=DEFAULT_TARGET,
    margin=DEFAULT_MARGIN,
    *,
    local_departments=DEFAULT_LOCAL_DEPARTMENTS,
    turnover_per_employee_by_section=None,
    lines=None,
):
    """One row per family (per company and family when purchases have a
    ``company`` column), sorted by family with ``"Unclassified"`` last; no
    total row (see :func:`totals`).

    ``targets``: {family: target percent}, other families get
    ``default_target``. Families of ``targets`` without spend are listed
    with zero totals; so are families whose spend is all with excluded
    vendors.

    Columns: ``family``; ``total``, ``sme_total``, ``local_sme_total``
    (amounts); ``share`` and ``local_share`` (SME and local SME spend in
    percent of the total, NaN when the total is 0); ``target``; ``gap``
    (share − target, points); ``shift_amount``; ``status``; ``coverage``
    (percent of the spend whose vendor size is known); ``suppliers`` and
    ``sme_suppliers`` (distinct vendors with spend); ``jobs_supported``;
    ``jobs_unknown_spend``. The Unclassified row has NaN ``target``, ``gap``
    and ``shift_amount`` and a None ``status``.

    Jobs supported: for an SME with a known headcount and turnover (both
    > 0), spend / (turnover / headcount), i.e. the full-time jobs that a
    year of that turnover pays for; SME spend whose vendor lacks those
    figures is summed in ``jobs_unknown_spend`` instead. Non-SME spend counts
    in neither. ``turnover_per_employee_by_section`` is a hook for an
    INSEE-average fallback: {NAF section letter: turnover per employee in
    euros}, used for SMEs without figures when ``suppliers`` has a
    ``naf_section`` column; ignored when None (the default). ``lines``: the
    :func:`spend_lines` of the inputs, when the caller already has them.
    """
    targets = dict(targets or {})
    if lines is None:
        lines = spend_lines(
            purchases, suppliers, local_departments, turnover_per_employee_by_section
        )
    keys = _keys(lines)
    included = lines[~lines["excluded"]]
    amount = included["amount"]
    grouped = (
        included.assign(
            sme_amount=amount.where(included["is_sme"], 0.0),
            local_sme_amount=amount.where(included["is_sme"] & included["is_local"], 0.0),
            known_amount=amount.where(included["size_known"], 0.0),
            ess_amount=amount.where(included["is_ess"], 0.0),
            siae_amount=amount.where(included["is_siae"], 0.0),
            sme_supplier=included["supplier_id"].where(included["is_sme"]),
        )
        .groupby(keys, sort=False)
        .agg(
            total=("amount", "sum"),
            sme_total=("sme_amount", "sum"),
            local_sme_total=("local_sme_amount", "sum"),
            known_total=("known_amount", "sum"),
            suppliers=("supplier_id", "nunique"),
            sme_suppliers=("sme_supplier", "nunique"),
            jobs_supported=("jobs", "sum"),
            jobs_unknown_spend=("jobs_unknown", "sum"),
            ess_total=("ess_amount", "sum"),
            siae_total=("siae_amount", "sum"),
        )
    )

    # Every family seen in the purchases (even all excluded) or given a target.
    seen = lines[keys].drop_duplicates()
    if targets:
        companies = seen[["company"]].drop_duplicates() if "company" in keys else None
        configured = pd.DataFrame({"family": list(targets)})
        if companies is not None:
            configured = companies.merge(configured, how="cross")
        seen = pd.concat([seen, configured]).drop_duplicates()
    index = pd.MultiIndex.from_frame(seen) if len(keys) > 1 else pd.Index(seen["family"])
    table = grouped.reindex(index, fill_value=0).reset_index()
    table = table.astype(
        {
            "total": float,
            "sme_total": float,
            "local_sme_total": float,
            "known_total": float,
            "suppliers": int,
            "sme_suppliers": int,
            "jobs_supported": float,
            "jobs_unknown_spend": float,
            "ess_total": float,
            "siae_total": float,
        }
    )
    table = _sorted(table)

    totals_ = table["total"].tolist()
    _add_shares(table)
    table["target"] = _optional(
        None if family == UNCLASSIFIED else float(targets.get(family, default_target))
        for family in table["family"]
    )
    table["gap"] = table["share"] - table["target"]
    rows = zip(table["target"], totals_, table["sme_total"], table["share"], strict=True)
    figures = [
        (None, None)
        if _is_missing(target)
        else (
            shift_amount(target, total, sme),
            status(None if _is_missing(share_) else share_, target, margin),
        )
        for target, total, sme, share_ in rows
    ]
    table["shift_amount"] = _optional(shift for shift, _ in figures)
    table["status"] = pd.Series([state for _, state in figures], dtype=object)
    return table[[*keys[:-1], *FAMILY_TABLE_COLUMNS]]


def _add_shares(table):
    """``share``, ``local_share`` and ``coverage`` (SME, local SME and known
    size spend in percent of the total), then the ESS and SIAE shares."""
    totals_ = table["total"].tolist()
    for column, part in (
        ("share", "sme_total"),
        ("local_share", "local_sme_total"),
        ("coverage", "known_total"),
    ):
        table[column] = _optional(
            share(amount, total) for amount, total in zip(table[part], totals_, strict=True)
        )
    _add_ess_siae_shares(table)


def _add_ess_siae_shares(table):
    """``ess_share`` and ``siae_share``: ESS and SIAE spend in percent of
    the total (NaN without spend)."""
    totals_ = table["total"].tolist()
    for kind in ("ess", "siae"):
        table[f"{kind}_share"] = _optional(
            share(amount, total)
            for amount, total in zip(table[f"{kind}_total"], totals_, strict=True)
        )


def totals(table):
    """The "Total" row(s) of a :func:`family_table` (one per company when it
    has a ``company`` column), with the same columns.

    Amounts, jobs and shift amounts are summed over all rows (Unclassified
    included for amounts: the total is all the spend); ``share``,
    ``local_share`` and ``coverage`` are recomputed on the sums; ``target``
    and ``gap`` are NaN; ``status`` is the worst family status;
    ``suppliers`` and ``sme_suppliers`` are NaN (a vendor may serve several
    families, so per-family counts do not add up).
    """
    keys = ["company"] if "company" in table.columns else []
    work = table.assign(
        known_total=(table["coverage"] / 100.0 * table["total"]).fillna(0.0),
        _one=0,
    )
    grouped = work.groupby(keys or ["_one"], sort=True)
    summed = grouped[
        [
            "total",
            "sme_total",
            "local_sme_total",
            "known_total",
            "shift_amount",
            "jobs_supported",
            "jobs_unknown_spend",
            "ess_total",
            "siae_total",
        ]
    ].sum(min_count=0)
    result = summed.reset_index()
    result = result.drop(columns=["_one"], errors="ignore")
    result["shift_amount"] = grouped["shift_amount"].sum(min_count=1).to_numpy()
    result["status"] = pd.Series(
        [worst_status(states) for _, states in grouped["status"]], dtype=object
    )
    result["family"] = TOTAL
    _add_shares(result)
    for column in ("target", "gap", "suppliers", "sme_suppliers"):
        result[column] = np.nan
    return result[[*keys, *FAMILY_TABLE_COLUMNS]]


def top_non_sme_suppliers(purchases, suppliers, n=5, lines=None):
    """The ``n`` largest non-SME vendors (unknown size included) of each
    family, excluded vendors left out. Columns: ``family``, ``supplier_id``,
    ``name``, ``size`` ("" when unknown), ``amount``, ``rank`` (1 = largest;
    ties by supplier id), sorted by family then rank."""
    if lines is None:
        lines = spend_lines(purchases, suppliers)
    keys = _keys(lines)
    columns = [*keys[:-1], *TOP_COLUMNS]
    lines = lines[~lines["excluded"] & ~lines["is_sme"]]
    if n <= 0 or lines.empty:
        return pd.DataFrame({column: [] for column in columns}).astype(
            {"amount": float, "rank": int}
        )
    top = (
        lines.groupby([*keys, "supplier_id"], sort=False)
        .agg(name=("name", "first"), size=("size", "first"), amount=("amount", "sum"))
        .reset_index()
    )
    top = top.sort_values(["amount", "supplier_id"], ascending=[False, True], kind="stable")
    top["rank"] = top.groupby(keys, sort=False).cumcount() + 1
    top = top[top["rank"] <= n]
    return _sorted(top, extra=["rank"])[columns]


def monthly_share(purchases, suppliers, months=12, end=None):
    """Monthly SME share per family over the ``months`` calendar months
    ending with the month of ``end`` (default: the latest purchase date),
    spend after ``end`` left out, excluded vendors left out.

    One row per family seen in that window and month, months without spend
    included (total 0, share NaN). Columns: ``family``, ``month`` (first day
    of the month, datetime64), ``total``, ``sme_total``, ``share``.
    """
    lines = spend_lines(purchases, suppliers)
    keys = _keys(lines)
    columns = [*keys[:-1], *MONTHLY_COLUMNS]
    lines = lines[~lines["excluded"]]
    if end is None:
        end = lines["date"].max() if not lines.empty else pd.Timestamp.today()
    end = pd.Timestamp(end).normalize()
    if months <= 0:
        return pd.DataFrame({column: [] for column in columns})
    last = end.to_period("M")
    month_index = pd.period_range(last - (months - 1), last, freq="M").to_timestamp()
    window = lines[(lines["date"] >= month_index[0]) & (lines["date"] <= end)]
    if window.empty:
        return pd.DataFrame({column: [] for column in columns})
    window = window.assign(
        month=window["date"].dt.to_period("M").dt.to_timestamp(),
        sme_amount=window["amount"].where(window["is_sme"], 0.0),
    )
    grouped = window.groupby([*keys, "month"], sort=False).agg(
        total=("amount", "sum"), sme_total=("sme_amount", "sum")
    )
    families = window[keys].drop_duplicates()
    grid = families.merge(pd.DataFrame({"month": month_index}), how="cross")
    result = (
        grouped.reindex(pd.MultiIndex.from_frame(grid), fill_value=0.0)
        .reset_index()
        .astype({"total": float, "sme_total": float})
    )
    result["share"] = _optional(
        share(sme, total)
        for sme, total in zip(result["sme_total"], result["total"].tolist(), strict=True)
    )
    return _sorted(result, extra=["month"])[columns]


def filter_period(purchases, start=None, end=None):
    """The purchases whose date is within [start, end] (inclusive; either
    bound may be None). Dates are parsed as in :func:`prepare_purchases`."""
    dates = _dates(purchases["date"], "purchases.date")
    keep = pd.Series(True, index=purchases.index)
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if end is not None:
        keep &= dates <= pd.Timestamp(end)
    return purchases[keep]
