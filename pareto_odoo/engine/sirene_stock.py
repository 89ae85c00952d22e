"""Classifying many vendors at once from INSEE's Sirene stock file.

``StockUniteLegale`` (one row per legal unit, ~25 million rows, comma
separated, UTF-8, usually shipped zipped) is read in chunks with pandas, only
the seven needed columns, and filtered on the vendors' SIRENs: memory stays
bounded whatever the file size. Each chunk yields the rows read so far, so a
long job can checkpoint and resume with ``start_offset_rows``.

Pure Python (pandas), no Odoo import.
"""

from dataclasses import dataclass

import pandas as pd

from .sizes import registry_size_year, size_from_registry
from .supplier_import import SupplierFileError

SIREN_COLUMN = "siren"
CATEGORY_COLUMN = "categorieEntreprise"
CATEGORY_YEAR_COLUMN = "anneeCategorieEntreprise"
BAND_COLUMN = "trancheEffectifsUniteLegale"
BAND_YEAR_COLUMN = "anneeEffectifsUniteLegale"
NAF_COLUMN = "activitePrincipaleUniteLegale"
STATE_COLUMN = "etatAdministratifUniteLegale"
REQUIRED_COLUMNS = (
    SIREN_COLUMN,
    CATEGORY_COLUMN,
    CATEGORY_YEAR_COLUMN,
    BAND_COLUMN,
    BAND_YEAR_COLUMN,
    NAF_COLUMN,
    STATE_COLUMN,
)
ACTIVE = "A"  # etatAdministratifUniteLegale: A = active, C = ceased
DEFAULT_CHUNKSIZE = 500_000


@dataclass(frozen=True)
class StockMatch:
    """A vendor found in the stock file.

    ``size`` and ``size_year`` are None when the registry does not tell, and
    always None for a ceased unit (``is_active`` False): its size must not be
    applied; the caller reports it instead. ``category`` and ``headcount_band``
    are the raw registry values, for that report.
    """

    siren: str
    size: str | None
    size_year: int | None
    naf_code: str | None
    is_active: bool
    category: str | None = None
    headcount_band: str | None = None


def _is_file(source):
    return hasattr(source, "read")


def _read_header(source, compression):
    """Column names of the stock file (without consuming a file object)."""
    position = None
    if _is_file(source):
        if not source.seekable():
            return None
        position = source.tell()
    try:
        header = pd.read_csv(source, nrows=0, compression=compression, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise SupplierFileError("The Sirene stock file is empty.") from exc
    finally:
        if position is not None:
            source.seek(position)
    return [str(column) for column in header.columns]


def _check_columns(columns):
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise SupplierFileError(
            "This is not a Sirene StockUniteLegale file: missing column(s) "
            f"{', '.join(missing)}. Columns found: {', '.join(columns) or 'none'}."
        )


def _clean(value):
    value = (value or "").strip()
    return value or None


def _matches(chunk):
    matches = []
    for siren, category, category_year, band, band_year, naf, state in zip(
        chunk[SIREN_COLUMN].tolist(),
        chunk[CATEGORY_COLUMN].tolist(),
        chunk[CATEGORY_YEAR_COLUMN].tolist(),
        chunk[BAND_COLUMN].tolist(),
        chunk[BAND_YEAR_COLUMN].tolist(),
        chunk[NAF_COLUMN].tolist(),
        chunk[STATE_COLUMN].tolist(),
        strict=True,
    ):
        is_active = (state or "").strip().upper() == ACTIVE
        size = size_from_registry(category, band) if is_active else None
        matches.append(
            StockMatch(
                siren=siren.strip(),
                size=size,
                size_year=registry_size_year(category_year, band_year) if size else None,
                naf_code=_clean(naf),
                is_active=is_active,
                category=_clean(category),
                headcount_band=_clean(band),
            )
        )
    return matches


def iter_stock_matches(
    path_or_file,
    sirens,
    chunksize=DEFAULT_CHUNKSIZE,
    start_offset_rows=0,
    progress=None,
    *,
    compression="infer",
):
    """Yield ``(rows_read_so_far, [StockMatch, ...])`` per chunk of the stock file.

    ``path_or_file``: a path (``.csv``, or compressed ``.zip`` / ``.gz`` /
    ``.bz2`` / ``.xz``, inferred from the name) or a binary/text file object
    (pass ``compression`` for a compressed one). ``sirens``: the 9-digit
    SIRENs looked for. Only the seven needed columns are parsed, ``chunksize``
    rows at a time, all as strings.

    ``rows_read_so_far`` counts data rows from the start of the file, the
    skipped ones included: to resume after a checkpoint, call again with
    ``start_offset_rows`` set to it (the skipped rows are not parsed; this needs
    a path or a seekable file). ``progress(rows_read_so_far)`` is called after
    each chunk. Every non-empty chunk is yielded, with or without matches.

    The file is checked before anything is yielded (this is a function
    returning an iterator): :class:`SupplierFileError` is raised by the call
    itself when the file is empty or lacks one of :data:`REQUIRED_COLUMNS`.
    """
    wanted = {str(siren).strip() for siren in sirens if siren}
    start = max(0, int(start_offset_rows or 0))
    header = _read_header(path_or_file, compression)
    if header is not None:
        _check_columns(header)
    elif start:
        raise ValueError("Resuming from an offset needs a path or a seekable file.")

    options = {
        "usecols": list(REQUIRED_COLUMNS),
        "dtype": str,
        "na_filter": False,
        "chunksize": chunksize,
        "compression": compression,
        "encoding": "utf-8",
        "engine": "c",
    }
    if start:
        # Skip the header and the rows already done at tokenizer level (an int
        # skiprows, not a huge list), naming the columns from the header.
        options.update(header=None, names=header, skiprows=start + 1)
    try:
        reader = pd.read_csv(path_or_file, **options)
    except pd.errors.EmptyDataError as exc:
        raise SupplierFileError("The Sirene stock file is empty.") from exc
    except ValueError as exc:
        if header is None and "Usecols do not match" in str(exc):
            raise SupplierFileError(
                f"This is not a Sirene StockUniteLegale file: {exc}. "
                f"Required columns: {', '.join(REQUIRED_COLUMNS)}."
            ) from exc
        raise
    return _iterate(reader, list(wanted), start, progress)


def _iterate(reader, wanted, rows_read, progress):
    with reader:
        for chunk in reader:
            if not len(chunk):
                continue
            rows_read += len(chunk)
            found = chunk[chunk[SIREN_COLUMN].isin(wanted)] if wanted else chunk.iloc[:0]
            matches = _matches(found) if len(found) else []
            if progress is not None:
                progress(rows_read)
            yield rows_read, matches
