"""Reading, normalising and matching a supplier list (CSV or XLSX).

Pure Python (pandas, python-stdnum, openpyxl), no Odoo import: the import
wizard reads the uploaded file with :func:`read_supplier_file`, turns it into
:class:`ImportRow` objects with :func:`normalise_rows`, matches them against
the database's vendors with :func:`match_rows` and offers
:func:`error_report_csv` for download.

Conventions
-----------
* Row numbers are those of the spreadsheet: the header is row 1, the first
  data row is row 2. Blank rows are dropped but do not shift the numbering.
* Sizes are the engine's codes (:data:`pareto_odoo.engine.sizes.SIZES`).
  The French label "PME" (or "SME") alone means "an SME whose sub-size is not
  known": it is imported as ``medium``, the largest SME class, so that the
  vendor counts as an SME without claiming it is micro or small.
* An explicit size wins over one computed from figures; a disagreement between
  the two is reported as a warning on the row.
* Problems of one row (invalid SIREN, unknown size label, unparsable or
  negative number, ...) are listed in ``ImportRow.errors``; only problems of
  the whole file raise :class:`SupplierFileError`.
"""

import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field

import pandas as pd
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from .sizes import INTERMEDIATE, LARGE, MEDIUM, MICRO, SIZES, SMALL, size_from_figures


class SupplierFileError(ValueError):
    """The file as a whole cannot be used; the message is meant for the user."""


# ---------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE files)
_SEPARATORS = (";", ",", "\t")
_SNIFF_LINES = 50


def read_supplier_file(data, filename):
    """Read an uploaded supplier list into a DataFrame of strings.

    ``data`` is the file content (bytes), ``filename`` its name (used for the
    extension). XLSX is recognised by extension or by its zip signature; CSV
    by extension (``.csv``, ``.txt``, ``.tsv``) or, without a known extension,
    by being text. For CSV the separator (``;``, ``,`` or tab) is sniffed and
    the encoding is UTF-8 (with or without BOM), UTF-16 with BOM, else
    cp1252, else latin-1.

    The DataFrame keeps the original headers, holds only stripped strings
    ("" for empty cells) and is indexed by spreadsheet row number (header =
    row 1); blank rows are dropped. ``df.attrs`` records ``format``
    (``csv``/``xlsx``), and for CSV ``encoding`` and ``separator``.

    Raises :class:`SupplierFileError` for an empty file, a header without data
    rows, an unreadable encoding or an unknown format.
    """
    if data is None or not bytes(data).strip(b" \t\r\n\x00"):
        raise SupplierFileError("The file is empty.")
    data = bytes(data)
    name = (filename or "").strip().lower()
    if data.startswith(_ZIP_MAGIC) or name.endswith(XLSX_EXTENSIONS):
        if not data.startswith(_ZIP_MAGIC):
            raise SupplierFileError(
                f"The file {filename!r} is named as an Excel workbook but is not a valid "
                ".xlsx file. Save it again as .xlsx or as CSV."
            )
        frame = _read_xlsx(data, filename)
    elif data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise SupplierFileError(
            "The old Excel format (.xls) is not supported. Save the file as .xlsx or as CSV."
        )
    elif name.endswith(CSV_EXTENSIONS) or _looks_like_text(data):
        frame = _read_csv(data, filename)
    else:
        raise SupplierFileError(
            f"Unknown file format for {filename!r}: expected a CSV file (.csv) or an Excel "
            "workbook (.xlsx)."
        )
    if frame.empty:
        raise SupplierFileError(
            "The file has a header row but no data rows: there is no supplier to import."
        )
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
    """(text, encoding) of CSV bytes; SupplierFileError when not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise SupplierFileError(
                "The file could not be decoded as UTF-16 text. Save it as CSV UTF-8."
            ) from exc
    text = encoding = None
    for candidate in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = "utf-8" if candidate == "utf-8-sig" else candidate
        break
    if text is None or "\x00" in text or not _looks_like_text(text.encode("utf-8")[:4096]):
        raise SupplierFileError(
            "The file is not readable text (unknown encoding or binary content). "
            "Save it as CSV UTF-8 or as an Excel workbook (.xlsx)."
        )
    return text, encoding


def _sniff_separator(lines):
    """The separator giving the most columns, consistently over the first lines."""
    best, best_score = ",", (0, 0)
    for separator in _SEPARATORS:
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
        raise SupplierFileError("The file is empty.")
    hint = re.fullmatch(r'"?sep=(.)"?', lines[first].strip())
    if hint:
        # Excel's "sep=;" first line: it names the separator and is not the header.
        separator = hint.group(1)
        text = "\n".join(lines[first + 1 :])
        offset, first = first + 1, 0
    else:
        separator = _sniff_separator(lines[first : first + _SNIFF_LINES])
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
        raise SupplierFileError(f"The CSV file {filename!r} could not be read: {exc}.") from exc
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
        raise SupplierFileError("The file is empty.")
    header = list(records[0][1])
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body, index = [], []
    for number, values in records[1:]:
        if len(values) > width:
            if strict_width and any(values[width:]):
                raise SupplierFileError(
                    f"The CSV file {filename!r} could not be read: row {number} has "
                    f"{len(values)} values but the header has {width} columns. Check the "
                    "separator, and that values containing it are quoted."
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
            raise SupplierFileError(
                f"The file {filename!r} is not a readable Excel workbook (.xlsx): {exc}"
            ) from exc
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
# Column mapping
# ---------------------------------------------------------------------------

SIREN, SIRET, VAT, NAME = "siren", "siret", "vat", "name"
SIZE, HEADCOUNT, TURNOVER, BALANCE_SHEET, YEAR = (
    "size",
    "headcount",
    "turnover",
    "balance_sheet",
    "year",
)
IDENTIFIER_FIELDS = (SIREN, SIRET, VAT, NAME)
CLASSIFICATION_FIELDS = (SIZE, HEADCOUNT)

# Header aliases, compared after _header_key() (lower case, no accents, no
# spaces or punctuation, parenthesised units removed).
COLUMN_ALIASES = {
    SIREN: "siren nsiren nosiren numerosiren sirennumber companyregistry".split(),
    SIRET: "siret nsiret nosiret numerosiret siretnumber".split(),
    VAT: (
        "vat vatnumber vatno vatid intracommunityvat euvat tva ntva notva numerotva numerodetva "
        "tvaintracommunautaire tvaintracom ntvaintracommunautaire numerodetvaintracommunautaire "
        "numerotvaintracommunautaire"
    ).split(),
    NAME: (
        "name companyname suppliername vendorname supplier vendor legalname raisonsociale nom "
        "nomdufournisseur nomfournisseur fournisseur denomination denominationsociale societe "
        "entreprise"
    ).split(),
    SIZE: (
        "size companysize sizeclass taille tailleentreprise tailledelentreprise categorie "
        "categorieentreprise categoriedentreprise category companycategory"
    ).split(),
    HEADCOUNT: (
        "headcount employees employeecount numberofemployees staff effectif effectifs salaries "
        "nombredesalaries nbsalaries nbdesalaries"
    ).split(),
    TURNOVER: "turnover revenue revenues sales chiffredaffaires chiffredaffaire ca caht".split(),
    BALANCE_SHEET: (
        "balancesheet balancesheettotal totalbalancesheet totalassets totalbilan totaldubilan bilan"
    ).split(),
    YEAR: "year datayear fiscalyear annee exercice anneedesdonnees".split(),
}
_ALIAS_TO_FIELD = {alias: fld for fld, aliases in COLUMN_ALIASES.items() for alias in aliases}


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _header_key(header):
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(header or ""))
    return re.sub(r"[^a-z0-9]", "", _strip_accents(text).lower())


def map_columns(columns):
    """``{field: original column}`` for the recognised headers (first one wins)."""
    mapping = {}
    for column in columns:
        fld = _ALIAS_TO_FIELD.get(_header_key(column))
        if fld and fld not in mapping:
            mapping[fld] = column
    return mapping


def check_columns(columns):
    """Column mapping of a file, or SupplierFileError naming what is missing."""
    mapping = map_columns(columns)
    missing = []
    if not any(fld in mapping for fld in IDENTIFIER_FIELDS):
        missing.append("an identifier column (SIREN or SIRET, VAT number, or name)")
    if not any(fld in mapping for fld in CLASSIFICATION_FIELDS):
        missing.append("a classification column (size, or headcount)")
    if missing:
        found = ", ".join(repr(str(column)) for column in columns) or "none"
        intro = "No usable column" if not mapping else "Missing columns"
        raise SupplierFileError(
            f"{intro}: the file needs {' and '.join(missing)}. "
            f"Columns found: {found}. Accepted headers include SIREN, SIRET, VAT, "
            "Name / Raison sociale, Size / Taille / Catégorie, Headcount / Effectif, "
            "Turnover / Chiffre d'affaires, Balance sheet / Total bilan, Year / Année."
        )
    return mapping


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

# Size labels, compared after _header_key().
SIZE_ALIASES = {
    MICRO: "micro microenterprise microentreprise microcompany tpe trespetiteentreprise".split(),
    SMALL: "small smallenterprise smallcompany pe petite petiteentreprise".split(),
    # PME / SME alone: an SME of unknown sub-size, imported as medium.
    MEDIUM: (
        "medium mediumenterprise mediumsized mediumsizedenterprise me moyenne moyenneentreprise "
        "pme sme tpepme petiteetmoyenneentreprise petitesetmoyennesentreprises"
    ).split(),
    INTERMEDIATE: (
        "intermediate midcap eti intermediaire entreprisedetailleintermediaire tailleintermediaire"
    ).split(),
    LARGE: "large largeenterprise largecompany ge grande grandeentreprise".split(),
}
_SIZE_LOOKUP = {alias: size for size, aliases in SIZE_ALIASES.items() for alias in aliases}
for _size in SIZES:
    _SIZE_LOOKUP[_size] = _size


def parse_size(label):
    """Size code of a size label (English or French), None when empty.

    Raises ValueError for an unknown label.
    """
    if label is None or not str(label).strip():
        return None
    size = _SIZE_LOOKUP.get(_header_key(label))
    if size is None:
        raise ValueError(label)
    return size


_SPACES_RE = re.compile(r"[\s\u00a0\u202f\u2007\u2009'’]")
_CURRENCY_RE = re.compile(r"(?i)(€|eur(?:os?)?\b|euros?)")
_MULTIPLIER_RE = re.compile(r"(?i)^(.*?\d)\s*(k|m|mio|md|mds|mrd|mrds|bn)\.?$")
_MULTIPLIERS = {
    "k": 1e3,
    "m": 1e6,
    "mio": 1e6,
    "md": 1e9,
    "mds": 1e9,
    "mrd": 1e9,
    "mrds": 1e9,
    "bn": 1e9,
}
_PLAIN_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")


def parse_number(text):
    """Float from an English or French number, None when empty.

    Accepts spaces, no-break spaces and apostrophes as thousands separators,
    a comma or a dot as decimal separator ("1 234 567,89", "1,234,567.89",
    "1.234.567,89"), an optional euro sign or "EUR", a multiplier ("2,5 M€",
    "800 k€", "1,2 Md€") and a leading minus or parentheses for negatives.
    A single comma is a decimal comma. Raises ValueError when unparsable.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text)
    value = raw.strip()
    if not value:
        return None
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    value = _CURRENCY_RE.sub("", value).strip()
    multiplier = 1.0
    found = _MULTIPLIER_RE.match(value)
    if found:
        value, multiplier = found.group(1), _MULTIPLIERS[found.group(2).lower()]
    value = _SPACES_RE.sub("", value)
    if value[:1] in ("-", "−", "+"):
        negative = negative or value[0] != "+"
        value = value[1:]
    if "," in value and "." in value:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        value = value.replace("." if decimal == "," else ",", "")
        value = value.replace(",", ".")
    elif value.count(",") > 1 or value.count(".") > 1:
        value = value.replace(",", "").replace(".", "")
    else:
        value = value.replace(",", ".")
    if not _PLAIN_NUMBER_RE.match(value):
        raise ValueError(raw)
    number = float(value) * multiplier
    return -number if negative else number


_YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?$")
_DATE_YEAR_RE = re.compile(r"^(?:(\d{4})[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](\d{4}))")


def parse_year(text):
    """Year (int) from "2023", "2023.0" or a date ("31/12/2023", "2023-12-31")."""
    value = str(text or "").strip()
    if not value:
        return None
    found = _YEAR_RE.match(value)
    year = None
    if found:
        year = int(found.group(1))
    else:
        found = _DATE_YEAR_RE.match(value)
        if found:
            year = int(found.group(1) or found.group(2))
    if year is None or not 1900 <= year <= 2100:
        raise ValueError(text)
    return year


_LEGAL_FORMS = frozenset(
    (
        "SA SAS SASU SARL SARLU EURL SNC SCS SCA SCI SCM SCP SCOP SCIC SEL SELARL SELAS SELAFA "
        "SELCA SEM SPL GIE GAEC EARL EI EIRL ETS ETABLISSEMENT ETABLISSEMENTS"
    ).split()
)


def normalise_name(name):
    """Company name reduced for exact matching.

    Upper case, accents removed, dots and apostrophes dropped ("S.A.R.L." ->
    "SARL", "L'Atelier" -> "LATELIER"), other punctuation and spaces collapsed
    to one space, and French legal-form tokens (SA, SAS, SASU, SARL, EURL, SNC,
    SCI, EI, ETS, ...) removed, unless nothing else is left. "" for no name.
    """
    if not name:
        return ""
    text = _strip_accents(str(name)).upper().replace("&", " ET ")
    text = re.sub(r"[.'’`]", "", text)
    tokens = re.sub(r"[^A-Z0-9]+", " ", text).split()
    kept = [token for token in tokens if token not in _LEGAL_FORMS]
    return " ".join(kept or tokens)


def compact_vat(vat):
    """VAT number without spaces or punctuation, upper case; "" for none."""
    return re.sub(r"[^A-Z0-9]", "", _strip_accents(str(vat or "")).upper())


def _registry_digits(value):
    text = str(value or "").strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    return re.sub(r"[\s.\-\u00a0\u202f]", "", text)


def siren_from_identifier(value):
    """(siren, siret) from a SIREN or SIRET as typed; ValueError with an
    explanation when invalid.

    Spaces, dots and dashes are ignored; a number that lost its leading zero
    in a spreadsheet (8 or 13 digits) is padded back. Checksums are verified
    with python-stdnum (La Poste's SIRETs included).
    """
    digits = _registry_digits(value)
    if not digits:
        return None, None
    if not digits.isdigit():
        raise ValueError(f"Invalid SIREN/SIRET {value!r}: only digits are allowed.")
    if len(digits) in (8, 13):
        digits = "0" + digits
    try:
        if len(digits) == 9:
            return stdnum_siren.validate(digits), None
        if len(digits) == 14:
            siret = stdnum_siret.validate(digits)
            return stdnum_siret.to_siren(siret), siret
    except stdnum_exceptions.ValidationError as exc:
        kind = "SIREN" if len(digits) == 9 else "SIRET"
        raise ValueError(f"Invalid {kind} {value!r}: {exc}") from exc
    raise ValueError(
        f"Invalid SIREN/SIRET {value!r}: a SIREN has 9 digits and a SIRET 14 (found {len(digits)})."
    )


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

SOURCE_SIZE = "size"
SOURCE_FIGURES = "figures"


@dataclass
class ImportRow:
    """One normalised data row of the supplier file."""

    row_number: int
    siren: str | None = None
    vat: str | None = None
    name: str | None = None
    normalised_name: str = ""
    size: str | None = None
    size_source_detail: str | None = None  # 'size' (column) or 'figures' (computed)
    headcount: float | None = None
    turnover: float | None = None
    balance_sheet: float | None = None
    year: int | None = None
    siret: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _number(value, label, errors):
    try:
        number = parse_number(value)
    except ValueError:
        errors.append(f"Unreadable {label}: {value!r} is not a number.")
        return None
    if number is not None and number < 0:
        errors.append(f"Invalid {label}: {value!r} is negative.")
        return None
    return number


def _normalise_row(row_number, values):
    """ImportRow from ``{field: text}``."""
    row = ImportRow(row_number=row_number)
    errors = row.errors
    # Identifiers.
    sirens = []
    for fld in (SIREN, SIRET):
        text = values.get(fld, "")
        if not text:
            continue
        try:
            siren, siret = siren_from_identifier(text)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        sirens.append(siren)
        row.siret = row.siret or siret
    if sirens:
        row.siren = sirens[0]
        if any(other != sirens[0] for other in sirens[1:]):
            errors.append(
                f"The SIREN ({sirens[0]}) and the SIRET ({row.siret}) are of different companies."
            )
    vat = compact_vat(values.get(VAT))
    if vat:
        row.vat = vat
        if vat.startswith("FR"):
            if not stdnum_tva.is_valid(vat):
                errors.append(f"Invalid French VAT number {values.get(VAT)!r}.")
            elif row.siren and vat[4:] != row.siren:
                row.warnings.append(
                    f"The VAT number {vat} is not that of SIREN {row.siren}; "
                    "the SIREN is used for matching first."
                )
    name = values.get(NAME, "")
    if name:
        row.name = name
        row.normalised_name = normalise_name(name)
    if not (row.siren or row.vat or row.name) and not errors:
        errors.append("No identifier: the row has no SIREN/SIRET, VAT number or name.")

    # Classification.
    explicit = None
    label = values.get(SIZE, "")
    if label:
        try:
            explicit = parse_size(label)
        except ValueError:
            errors.append(
                f"Unknown size {label!r}: expected micro, small, medium, intermediate or "
                "large (or TPE, PE, PME, ETI, GE)."
            )
    row.headcount = _number(values.get(HEADCOUNT), "headcount", errors)
    if row.headcount is not None and row.headcount.is_integer():
        row.headcount = int(row.headcount)
    row.turnover = _number(values.get(TURNOVER), "turnover", errors)
    row.balance_sheet = _number(values.get(BALANCE_SHEET), "balance sheet", errors)
    if values.get(YEAR):
        try:
            row.year = parse_year(values[YEAR])
        except ValueError:
            errors.append(f"Invalid year {values[YEAR]!r}.")
    computed = size_from_figures(row.headcount, row.turnover, row.balance_sheet)
    if explicit:
        row.size, row.size_source_detail = explicit, SOURCE_SIZE
        if computed and computed != explicit:
            row.warnings.append(
                f"The size given ({explicit}) differs from the size computed from the "
                f"figures ({computed}); the size given is kept."
            )
    elif computed:
        row.size, row.size_source_detail = computed, SOURCE_FIGURES
    elif not label and not errors:
        if row.turnover is not None or row.balance_sheet is not None:
            errors.append("No size and no headcount: the headcount is needed to compute a size.")
        else:
            errors.append("No size and no headcount: nothing to classify.")
    return row


def normalise_rows(df):
    """List of :class:`ImportRow`, one per row of ``df`` (as read by
    :func:`read_supplier_file`).

    Raises :class:`SupplierFileError` when the columns are not usable (see
    :func:`check_columns`). Row numbers are the spreadsheet's, kept in the
    index by :func:`read_supplier_file`; for any other DataFrame they follow
    the position (header = row 1, first data row = row 2).
    """
    mapping = check_columns(list(df.columns))
    if df.attrs.get("format") and pd.api.types.is_integer_dtype(df.index):
        numbers = [int(number) for number in df.index]
    else:
        numbers = list(range(2, len(df) + 2))
    columns = {fld: df[column].tolist() for fld, column in mapping.items()}
    rows = []
    for position, number in enumerate(numbers):
        values = {}
        for fld, cells in columns.items():
            value = cells[position]
            values[fld] = "" if value is None or pd.isna(value) else str(value).strip()
        rows.append(_normalise_row(number, values))
    return rows


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------

MATCHED = "matched"
CONFLICT = "conflict"
UNCHANGED = "unchanged"
UNMATCHED = "unmatched"
ERROR = "error"
MATCH_STATUSES = (MATCHED, CONFLICT, UNCHANGED, UNMATCHED, ERROR)


@dataclass
class MatchResult:
    """Outcome of matching one row.

    ``partner_id`` is the partner to update (the lowest id when several
    partners share the row's SIREN or VAT number: the caller applies the size
    to every id of ``partner_ids``). For an ambiguous name, ``partner_id`` is
    None and ``partner_ids`` lists the candidates. ``messages`` explains a
    conflict.
    """

    row: ImportRow
    partner_id: int | None
    matched_by: str | None
    status: str
    partner_ids: tuple = ()
    messages: list[str] = field(default_factory=list)


def _partner_siren(value):
    digits = _registry_digits(value)
    if len(digits) == 14 and digits.isdigit():
        return digits[:9]
    return digits if len(digits) == 9 and digits.isdigit() else None


def _falsy_none(value):
    return None if value is False or value == "" else value


def _compatible(row, partner):
    """False when the row and the partner carry different SIRENs (two companies)."""
    return not (row.siren and partner["siren"] and partner["siren"] != row.siren)


def _partner_status(row, partner, overwrite_manual):
    """(status, message) of applying ``row`` to one partner."""
    current = _falsy_none(partner.get("pareto_size"))
    if row.size == current:
        return UNCHANGED, None
    source = _falsy_none(partner.get("pareto_size_source"))
    if source == "manual" and not overwrite_manual:
        return CONFLICT, (
            f"Partner {partner['id']}: its size ({current or 'unknown'}) was set by hand; "
            f"the file says {row.size}."
        )
    partner_year = _falsy_none(partner.get("pareto_size_year"))
    if partner_year and row.year and int(partner_year) > row.year:
        return CONFLICT, (
            f"Partner {partner['id']}: its size ({current or 'unknown'}) is from "
            f"{int(partner_year)}, more recent than the file's {row.year}."
        )
    return MATCHED, None


def match_rows(rows, partners, overwrite_manual=False):
    """Match import rows to partners; one :class:`MatchResult` per row.

    ``partners``: iterable of dicts with ``id``, ``siren`` (a SIRET is cut to
    its SIREN), ``vat``, ``normalised_name`` (computed from ``name`` when
    absent), ``pareto_size``, ``pareto_size_source``, ``pareto_size_year``
    (Odoo's False is read as empty).

    Order: SIREN, then VAT number, then the exact normalised name, which must
    be unique. A VAT or name candidate whose SIREN differs from the row's is a
    different company and is not matched. Status: ``error`` (the row has
    errors), ``unmatched``, ``unchanged`` (same size), ``conflict`` (the
    partner's size was set by hand, unless ``overwrite_manual``; the partner's
    size year is more recent than the row's; several partners have that name;
    several rows of the file give different sizes to one partner) or
    ``matched``.
    """
    by_siren, by_vat, by_name = {}, {}, {}
    for raw in partners:
        partner = dict(raw)
        partner["siren"] = _partner_siren(partner.get("siren"))
        partner["vat"] = compact_vat(_falsy_none(partner.get("vat")))
        name_key = _falsy_none(partner.get("normalised_name"))
        if name_key is None:
            name_key = normalise_name(_falsy_none(partner.get("name")))
        partner["normalised_name"] = name_key
        if partner["siren"]:
            by_siren.setdefault(partner["siren"], []).append(partner)
        if partner["vat"]:
            by_vat.setdefault(partner["vat"], []).append(partner)
        if name_key:
            by_name.setdefault(name_key, []).append(partner)

    results = []
    for row in rows:
        if row.errors:
            results.append(MatchResult(row, None, None, ERROR))
            continue
        candidates, matched_by = [], None
        if row.siren and row.siren in by_siren:
            candidates, matched_by = by_siren[row.siren], "siren"
        if not candidates and row.vat:
            candidates = [p for p in by_vat.get(row.vat, ()) if _compatible(row, p)]
            matched_by = "vat" if candidates else None
        if not candidates and row.normalised_name:
            candidates = [p for p in by_name.get(row.normalised_name, ()) if _compatible(row, p)]
            matched_by = "name" if candidates else None
        if not candidates:
            results.append(MatchResult(row, None, None, UNMATCHED))
            continue
        candidates = sorted(candidates, key=lambda p: p["id"])
        ids = tuple(p["id"] for p in candidates)
        if matched_by == "name" and len(candidates) > 1:
            results.append(
                MatchResult(
                    row,
                    None,
                    "name",
                    CONFLICT,
                    ids,
                    [
                        f"Ambiguous name: {len(ids)} partners are named "
                        f"{row.normalised_name!r} (ids {', '.join(map(str, ids))})."
                    ],
                )
            )
            continue
        statuses = [_partner_status(row, p, overwrite_manual) for p in candidates]
        messages = [message for _status, message in statuses if message]
        if any(status == CONFLICT for status, _m in statuses):
            status = CONFLICT
        elif all(status == UNCHANGED for status, _m in statuses):
            status = UNCHANGED
        else:
            status = MATCHED
        results.append(MatchResult(row, ids[0], matched_by, status, ids, messages))

    # Several rows giving different sizes to the same partner: none is applied.
    by_partner = {}
    for result in results:
        for partner_id in result.partner_ids if result.partner_id else ():
            by_partner.setdefault(partner_id, []).append(result)
    for partner_id, group in by_partner.items():
        if len({result.row.size for result in group}) > 1:
            numbers = ", ".join(str(result.row.row_number) for result in group)
            for result in group:
                result.status = CONFLICT
                result.messages.append(
                    f"Partner {partner_id}: rows {numbers} of the file give different sizes."
                )
    return results


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

REPORT_HEADER = (
    "row",
    "siren",
    "vat",
    "name",
    "size",
    "status",
    "matched_by",
    "partner_ids",
    "messages",
)


def _safe_cell(value):
    """Text for a spreadsheet cell; formulas are neutralised (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def error_report_csv(results):
    """Per-row CSV report (bytes, UTF-8 with BOM, ``;`` separated, for French
    Excel): row number, identifiers, size, status, match and messages (errors,
    then warnings, then conflict explanations, joined by " | ")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    for result in results:
        row = result.row
        messages = [*row.errors, *row.warnings, *result.messages]
        writer.writerow(
            [
                row.row_number,
                row.siren or "",
                _safe_cell(row.vat),
                _safe_cell(row.name),
                row.size or "",
                result.status,
                result.matched_by or "",
                ",".join(str(pid) for pid in result.partner_ids),
                _safe_cell(" | ".join(messages)),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
