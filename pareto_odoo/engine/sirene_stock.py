"""Classifying many vendors at once from INSEE's Sirene stock file.

``StockUniteLegale`` (one row per legal unit, ~25 million rows, comma
separated, UTF-8, usually shipped zipped) is read in chunks with pandas, only
the seven needed columns, and filtered on the vendors' SIRENs: memory stays
bounded whatever the file size. Each chunk yields the rows read so far, so a
long job can checkpoint and resume with ``start_offset_rows``.

Pure Python (pandas), no Odoo import.
"""

import bz2
import contextlib
import gzip
import io
import lzma
import os
import re
import zipfile
from dataclasses import dataclass

import pandas as pd

from .errors import CodedError
from .sizes import registry_size_year, size_from_registry

# The header of INSEE's StockUniteLegale (2025 edition), in file order: the
# engine reads the REQUIRED_COLUMNS among them, wherever they stand.
STOCK_UNITE_LEGALE_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
)
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

# Error codes (StockFileError.code) and their values.
EMPTY = "empty"  # -
NOT_UTF8_HEADER = "not_utf8_header"  # -
NOT_UTF8 = "not_utf8"  # row: data rows read before the problem
MISSING_COLUMNS = "missing_columns"  # missing, found (lists of column names)
UNREADABLE = "unreadable"  # row, detail


class StockFileError(CodedError, ValueError):
    """The file is not a readable Sirene StockUniteLegale file."""

    MESSAGES = {
        EMPTY: "The Sirene stock file is empty.",
        NOT_UTF8_HEADER: "The Sirene stock file is not UTF-8 text (in its header): download "
        "INSEE's StockUniteLegale_utf8 file and use it as it is.",
        NOT_UTF8: "The Sirene stock file is not UTF-8 text (after data row {row}): download "
        "INSEE's StockUniteLegale_utf8 file and use it as it is.",
        MISSING_COLUMNS: "This is not a Sirene StockUniteLegale file: missing column(s) "
        "{missing}. Columns found: {found}.",
        UNREADABLE: "The Sirene stock file could not be read after data row {row}: {detail}",
    }


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
        raise StockFileError(EMPTY) from exc
    except UnicodeDecodeError as exc:
        raise StockFileError(NOT_UTF8_HEADER) from exc
    finally:
        if position is not None:
            source.seek(position)
    return [str(column) for column in header.columns]


def _check_columns(columns):
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise StockFileError(MISSING_COLUMNS, missing=missing, found=list(columns))


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
    returning an iterator): :class:`StockFileError` is raised by the call
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
    source, resources = path_or_file, contextlib.ExitStack()
    if start:
        # Resume: the rows already done are skipped line by line (~0.2 µs a
        # row, where pandas' skiprows tokenizes them, ~2 µs a row: 50 s for
        # 24 million rows), then pandas reads on, naming the columns.
        handle = _open_past_rows(path_or_file, compression, start, resources)
        if handle is None:  # a source this cannot open: pandas skips the rows
            options.update(skiprows=start + 1)
        else:
            source, options["compression"] = handle, None
        options.update(header=None, names=header)
    try:
        reader = pd.read_csv(source, **options)
    except pd.errors.EmptyDataError as exc:
        resources.close()
        raise StockFileError(EMPTY) from exc
    except ValueError as exc:
        resources.close()
        if header is None and "Usecols do not match" in str(exc):
            found = re.findall(r"'([^']*)'", str(exc))
            missing = [column for column in REQUIRED_COLUMNS if column in found] or list(
                REQUIRED_COLUMNS
            )
            raise StockFileError(MISSING_COLUMNS, missing=missing, found=[]) from exc
        raise
    return _iterate(reader, list(wanted), start, progress, resources)


_OPENERS = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}


def _open_past_rows(path_or_file, compression, rows, resources):
    """A binary stream of the (decompressed) file just past its header and
    ``rows`` data rows, registered in ``resources`` when opened here; None for
    a source it cannot open (a text stream, another compression).

    A row ends at a line break outside quotes: a line with an odd number of
    quote characters opens or closes a quoted value (CSV doubles the quotes
    inside one), so values holding line breaks are counted right.
    """
    handle = _open_binary(path_or_file, compression, resources)
    if handle is None:
        return None
    remaining, quoted = rows + 1, False  # the header, then the rows done
    for line in handle:
        if line.count(b'"') % 2:
            quoted = not quoted
        if not quoted:
            remaining -= 1
            if not remaining:
                break
    return handle


def _open_binary(path_or_file, compression, resources):
    """The (decompressed) binary stream of the file, registered in
    ``resources`` when opened here; None for a source it cannot open."""
    is_file = _is_file(path_or_file)
    if is_file and isinstance(path_or_file, io.TextIOBase):
        return None
    if compression == "infer":
        name = "" if is_file else os.fspath(path_or_file).lower()
        compression = next(
            (kind for suffix, kind in _SUFFIXES.items() if name.endswith(suffix)), None
        )
    if compression is None:
        return path_or_file if is_file else resources.enter_context(open(path_or_file, "rb"))
    if compression == "zip":
        archive = resources.enter_context(zipfile.ZipFile(path_or_file))
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1:
            resources.close()
            return None  # pandas explains it
        return resources.enter_context(archive.open(members[0]))
    if compression in _OPENERS:
        return resources.enter_context(_OPENERS[compression](path_or_file, "rb"))
    return None


def _chunks(reader, rows_read):
    """The reader's chunks, its decoding and parsing errors made StockFileError."""
    iterator = iter(reader)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise StockFileError(NOT_UTF8, row=rows_read) from exc
        except pd.errors.ParserError as exc:
            raise StockFileError(UNREADABLE, row=rows_read, detail=str(exc)) from exc
        rows_read += len(chunk)
        yield chunk


def _iterate(reader, wanted, rows_read, progress, resources):
    with resources, reader:
        for chunk in _chunks(reader, rows_read):
            if not len(chunk):
                continue
            rows_read += len(chunk)
            found = chunk[chunk[SIREN_COLUMN].isin(wanted)] if wanted else chunk.iloc[:0]
            matches = _matches(found) if len(found) else []
            if progress is not None:
                progress(rows_read)
            yield rows_read, matches


_COUNT_BLOCK = 16 * 2**20
_SAMPLE_BYTES = 2**20


def _count_lines(handle):
    lines = 0
    last = b""
    while block := handle.read(_COUNT_BLOCK):
        lines += block.count(b"\n")
        last = block[-1:]
    return lines + (1 if last and last != b"\n" else 0)


def estimate_row_count(path_or_file, *, compression="infer"):
    """Number of data rows of a stock file, for a progress bar; None when unknown.

    Exact for an uncompressed file (lines counted in 16 MiB blocks, ~1 GB/s;
    INSEE's values hold no line breaks). For a ``.zip`` archive, estimated from
    the uncompressed size of its CSV divided by the mean length of its first
    lines, without decompressing the rest. Unknown (None) for the other
    compressions. A file object is read, then put back where it was.
    """
    is_file = _is_file(path_or_file)
    if compression == "infer":
        name = "" if is_file else os.fspath(path_or_file).lower()
        compression = next(
            (kind for suffix, kind in _SUFFIXES.items() if name.endswith(suffix)), None
        )
    if compression not in (None, "zip"):
        return None
    position = path_or_file.tell() if is_file else None
    try:
        if compression == "zip":
            return _estimate_zip_rows(path_or_file)
        if is_file:
            return max(_count_lines(path_or_file) - 1, 0)
        with open(path_or_file, "rb") as handle:
            return max(_count_lines(handle) - 1, 0)
    finally:
        if position is not None:
            path_or_file.seek(position)


_SUFFIXES = {".zip": "zip", ".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}


def _estimate_zip_rows(path_or_file):
    with zipfile.ZipFile(path_or_file) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members:
            return 0
        info = members[0]
        with archive.open(info) as handle:
            sample = handle.read(_SAMPLE_BYTES)
    if len(sample) >= info.file_size:
        return max(sample.count(b"\n") + (not sample.endswith(b"\n")) - 1, 0)
    lines = sample.split(b"\n")[:-1]  # the last one is cut
    if len(lines) < 2:
        return None
    mean = sum(len(line) + 1 for line in lines[1:]) / (len(lines) - 1)
    return max(round((info.file_size - len(lines[0]) - 1) / mean), 0)
