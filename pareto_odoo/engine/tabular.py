"""The one reader of tabular files (CSV or XLSX) of the addon, and its CSV writer.

Used by the vendor import and by the diagnostic command. Pure Python (pandas,
openpyxl), no Odoo import. Problems of the whole file raise
:class:`TableError` with a code and its values; the caller phrases them.
"""

import csv
import datetime
import io
import re
import warnings
import zipfile

import pandas as pd

from .errors import CodedError

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE files)
SEPARATORS = (";", ",", "\t", "|")
_SNIFF_LINES = 50

# Error codes (TableError.code) and their params.
EMPTY = "empty"  # -
NO_ROWS = "no_rows"  # -
NOT_XLSX = "not_xlsx"  # filename
OLD_XLS = "old_xls"  # -
UNKNOWN_FORMAT = "unknown_format"  # filename
NOT_UTF16 = "not_utf16"  # -
NOT_TEXT = "not_text"  # -
CSV_UNREADABLE = "csv_unreadable"  # filename, detail
ROW_TOO_WIDE = "row_too_wide"  # filename, row, values, columns
XLSX_UNREADABLE = "xlsx_unreadable"  # filename, detail


class TableError(CodedError, ValueError):
    """The file as a whole cannot be read."""

    MESSAGES = {
        EMPTY: "The file is empty.",
        NO_ROWS: "The file has a header row but no data rows.",
        NOT_XLSX: "The file {filename!r} is named as an Excel workbook but is not a valid "
        ".xlsx file. Save it again as .xlsx or as CSV.",
        OLD_XLS: "The old Excel format (.xls) is not supported. Save the file as .xlsx or as CSV.",
        UNKNOWN_FORMAT: "Unknown file format for {filename!r}: expected a CSV file (.csv) or an "
        "Excel workbook (.xlsx).",
        NOT_UTF16: "The file could not be decoded as UTF-16 text. Save it as CSV UTF-8.",
        NOT_TEXT: "The file is not readable text (unknown encoding or binary content). "
        "Save it as CSV UTF-8 or as an Excel workbook (.xlsx).",
        CSV_UNREADABLE: "The CSV file {filename!r} could not be read: {detail}.",
        ROW_TOO_WIDE: "The CSV file {filename!r} could not be read: row {row} has {values} "
        "values but the header has {columns} columns. Check the separator, and that values "
        "containing it are quoted.",
        XLSX_UNREADABLE: "The file {filename!r} is not a readable Excel workbook (.xlsx): {detail}",
    }


def read_table(data, filename):
    """Read a CSV or XLSX file into a DataFrame of strings.

    ``data`` is the file content (bytes), ``filename`` its name (used for the
    extension). XLSX is recognised by extension or by its zip signature; CSV
    by extension (``.csv``, ``.txt``, ``.tsv``) or, without a known extension,
    by being text. For CSV the separator (``;``, ``,``, tab or ``|``) is sniffed
    (or taken from Excel's ``sep=`` first line) and the encoding is UTF-8
    (with or without BOM), UTF-16 with BOM, else cp1252, else latin-1.

    The DataFrame keeps the original headers, holds only stripped strings
    ("" for empty cells; XLSX dates as ISO dates, numbers as their digits) and
    is indexed by spreadsheet row number (header = row 1); blank rows are
    dropped. ``df.attrs`` records ``format`` (``csv``/``xlsx``), and for CSV
    ``encoding`` and ``separator``. Raises :class:`TableError`.
    """
    if data is None or not bytes(data).strip(b" \t\r\n\x00"):
        raise TableError(EMPTY)
    data = bytes(data)
    name = (filename or "").strip().lower()
    if data.startswith(_ZIP_MAGIC) or name.endswith(XLSX_EXTENSIONS):
        if not data.startswith(_ZIP_MAGIC):
            raise TableError(NOT_XLSX, filename=filename)
        frame = _read_xlsx(data, filename)
    elif data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise TableError(OLD_XLS)
    elif name.endswith(CSV_EXTENSIONS) or _looks_like_text(data):
        frame = _read_csv(data, filename)
    else:
        raise TableError(UNKNOWN_FORMAT, filename=filename)
    if frame.empty:
        raise TableError(NO_ROWS)
    return frame


def _looks_like_text(data):
    sample = data[:4096]
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return control <= len(sample) // 100


def _decode(data):
    """(text, encoding) of CSV bytes; TableError when not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise TableError(NOT_UTF16) from exc
    text = encoding = None
    for candidate in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = "utf-8" if candidate == "utf-8-sig" else candidate
        break
    if text is None or "\x00" in text or not _looks_like_text(text.encode("utf-8")[:4096]):
        raise TableError(NOT_TEXT)
    return text, encoding


def sniff_separator(lines):
    """The separator giving the most columns, consistently over the first lines."""
    best, best_score = ",", (0, 0)
    for separator in SEPARATORS:
        counts = [len(fields) for fields in csv.reader(lines, delimiter=separator) if fields]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv(data, filename):
    text, encoding = _decode(data)
    lines = text.splitlines()
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise TableError(EMPTY)
    hint = re.fullmatch(r'"?sep=(.)"?', lines[first].strip())
    if hint:
        # Excel's "sep=;" first line: it names the separator and is not the header.
        separator = hint.group(1)
        text = "\n".join(lines[first + 1 :])
        offset = first + 1
    else:
        separator = sniff_separator(lines[first : first + _SNIFF_LINES])
        offset = 0
    # The csv module rather than pandas.read_csv: records are numbered as a
    # spreadsheet shows them (blank lines included) and a line with more values
    # than the header is an error rather than a silent loss or shift of data.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        records = [
            (number, [value.strip() for value in values])
            for number, values in enumerate(reader, offset + 1)
        ]
    except csv.Error as exc:
        raise TableError(CSV_UNREADABLE, filename=filename, detail=str(exc)) from exc
    frame = _frame_from_records(records, filename, strict_width=True)
    frame.attrs.update(format="csv", encoding=encoding, separator=separator)
    return frame


def _frame_from_records(records, filename, strict_width):
    """DataFrame from ``[(row number, [text, ...]), ...]``; the first non-blank
    record is the header, blank records are dropped.

    With ``strict_width`` (CSV), a record with non-empty values beyond the
    header's columns is an error; otherwise (XLSX) they make unnamed columns.
    """
    records = [(number, values) for number, values in records if any(values)]
    if not records:
        raise TableError(EMPTY)
    header = list(records[0][1])
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body, index = [], []
    for number, values in records[1:]:
        if len(values) > width:
            if strict_width and any(values[width:]):
                raise TableError(
                    ROW_TOO_WIDE, filename=filename, row=number, values=len(values), columns=width
                )
            if not strict_width:
                used = max(position for position, value in enumerate(values) if value) + 1
                width = max(width, used)
        body.append(values)
        index.append(number)
    header += [""] * (width - len(header))
    columns = [title or f"Unnamed: {position}" for position, title in enumerate(header)]
    body = [(values + [""] * width)[:width] for values in body]
    return pd.DataFrame(body, columns=columns, index=pd.Index(index, dtype="int64"), dtype=object)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data, filename):
    import openpyxl  # noqa: PLC0415 - only needed for workbooks
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    with warnings.catch_warnings():
        # openpyxl warns about workbook features it drops (data validation
        # extensions, conditional formats...); they do not matter here.
        warnings.simplefilter("ignore", UserWarning)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise TableError(XLSX_UNREADABLE, filename=filename, detail=str(exc)) from exc
        try:
            records = []
            for worksheet in workbook.worksheets:
                # Some producers write a wrong sheet dimension: read every row.
                worksheet.reset_dimensions()
                records = [
                    (number, [_cell_text(value) for value in values])
                    for number, values in enumerate(worksheet.iter_rows(values_only=True), 1)
                ]
                if any(any(values) for _number, values in records):
                    break
        finally:
            workbook.close()
    frame = _frame_from_records(records, filename, strict_width=False)
    frame.attrs.update(format="xlsx")
    return frame


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def safe_cell(value):
    """Text for a spreadsheet cell; formulas are neutralised (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_bytes(header, rows):
    """A CSV file (bytes, UTF-8 with BOM, ``;`` separated, for French Excel):
    ``header`` then ``rows`` (sequences of cells). Texts are written as text
    (never as a formula); numbers as numbers; None as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in (header, *rows):
        writer.writerow(
            [safe_cell(cell) if isinstance(cell, str) or cell is None else cell for cell in row]
        )
    return buffer.getvalue().encode("utf-8-sig")
