"""Reading, normalising and matching a vendor list (CSV or XLSX).

Pure Python (pandas, python-stdnum, openpyxl), no Odoo import: the import
wizard reads the uploaded file with :func:`read_vendor_file`, turns it into
:class:`ImportRow` objects with :func:`normalise_rows`, matches them against
the database's vendors with :func:`match_rows` and builds the per-row report
from :func:`report_records`.

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
* Problems of one row (invalid SIREN, unknown size label, unparsable, negative
  or out-of-range number, ...) are listed in ``ImportRow.errors`` as issues
  (``{"code": ..., values}``, see :func:`pareto_odoo.engine.errors.issue`);
  only problems of the whole file raise :class:`VendorFileError` (or the
  reader's :class:`pareto_odoo.engine.tabular.TableError`). The caller phrases
  the codes.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from stdnum.fr import tva as stdnum_tva

from . import identifiers, sizes, tabular
from .errors import CodedError, issue
from .sizes import INTERMEDIATE, LARGE, MEDIUM, MICRO, SIZES, SMALL, size_from_figures

MISSING_COLUMNS = "missing_columns"  # missing (IDENTIFIER / CLASSIFICATION), found


class VendorFileError(CodedError, ValueError):
    """The file's columns cannot be used."""

    MESSAGES = {
        MISSING_COLUMNS: "Missing columns: the file needs {missing}. Columns found: {found}.",
    }


def read_vendor_file(data, filename):
    """The vendor list as a DataFrame of strings: see :func:`tabular.read_table`."""
    return tabular.read_table(data, filename)


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


# Ligatures that Unicode does not decompose: "Cœur" matches "Coeur".
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
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


IDENTIFIER = "identifier"  # a SIREN/SIRET, VAT number or name column
CLASSIFICATION = "classification"  # a size or headcount column


def check_columns(columns):
    """Column mapping of a file, or VendorFileError naming what is missing
    (``missing``: IDENTIFIER and/or CLASSIFICATION; ``found``: the headers)."""
    mapping = map_columns(columns)
    missing = []
    if not any(fld in mapping for fld in IDENTIFIER_FIELDS):
        missing.append(IDENTIFIER)
    if not any(fld in mapping for fld in CLASSIFICATION_FIELDS):
        missing.append(CLASSIFICATION)
    if missing:
        raise VendorFileError(
            MISSING_COLUMNS, missing=missing, found=[str(column) for column in columns]
        )
    return mapping


# The columns of the template file offered for download, in order.
TEMPLATE_FIELDS = (SIREN, SIRET, VAT, NAME, SIZE, HEADCOUNT, TURNOVER, BALANCE_SHEET, YEAR)


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


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

SOURCE_SIZE = "size"
SOURCE_FIGURES = "figures"

# Row issue codes (ImportRow.errors / .warnings) and their values.
INVALID_IDENTIFIER = "invalid_identifier"  # column (siren/siret), value, reason
SIREN_SIRET_MISMATCH = "siren_siret_mismatch"  # siren, siret
INVALID_VAT = "invalid_vat"  # value
VAT_OTHER_SIREN = "vat_other_siren"  # warning: vat, siren
NO_IDENTIFIER = "no_identifier"
UNKNOWN_SIZE = "unknown_size"  # value
NOT_A_NUMBER = "not_a_number"  # column (headcount/turnover/balance_sheet), value
NEGATIVE = "negative"  # column, value
NOT_FINITE = "not_finite"  # column, value
OUT_OF_RANGE = "out_of_range"  # column, value, maximum
INVALID_YEAR = "invalid_year"  # value
SIZE_DIFFERS = "size_differs"  # warning: given, computed
HEADCOUNT_NEEDED = "headcount_needed"
NOTHING_TO_CLASSIFY = "nothing_to_classify"
# Conflicts found by match_rows() (MatchResult.messages).
KEPT_MANUAL = "kept_manual"  # partner, current, new
KEPT_NEWER = "kept_newer"  # partner, current, year, new_year
AMBIGUOUS_NAME = "ambiguous_name"  # name, ids
ROWS_DISAGREE = "rows_disagree"  # partner, rows


@dataclass
class ImportRow:
    """One normalised data row of the vendor file."""

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
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _number(value, column, errors, *, integer=False):
    """The number of a cell, None when empty or wrong (the issue is added to ``errors``):
    finite, not negative, and within what the vendor's field can hold."""
    try:
        number = parse_number(value)
    except ValueError:
        errors.append(issue(NOT_A_NUMBER, column=column, value=value))
        return None
    if number is None:
        return None
    problem = sizes.figure_error(number, integer=integer)
    if problem:
        maximum = sizes.MAX_HEADCOUNT if integer else sizes.MAX_AMOUNT
        errors.append(issue(problem, column=column, value=value, maximum=maximum))
        return None
    return number


def _normalise_identifiers(row, values):
    errors = row.errors
    sirens = []
    for fld in (SIREN, SIRET):
        text = values.get(fld, "")
        try:
            siren, siret = identifiers.parse(text, restore_leading_zero=True)
        except identifiers.InvalidIdentifier as exc:
            errors.append(issue(INVALID_IDENTIFIER, column=fld, value=text, reason=exc.reason))
            continue
        if siren:
            sirens.append(siren)
            row.siret = row.siret or siret
    if sirens:
        row.siren = sirens[0]
        if any(other != sirens[0] for other in sirens[1:]):
            errors.append(issue(SIREN_SIRET_MISMATCH, siren=sirens[0], siret=row.siret))
    _normalise_vat(row, values.get(VAT))
    name = values.get(NAME, "")
    if name:
        row.name = name
        row.normalised_name = normalise_name(name)
    if not (row.siren or row.vat or row.name) and not errors:
        errors.append(issue(NO_IDENTIFIER))


def _normalise_vat(row, text):
    vat = compact_vat(text)
    if not vat:
        return
    row.vat = vat
    if vat.startswith("FR"):
        if not stdnum_tva.is_valid(vat):
            row.errors.append(issue(INVALID_VAT, value=text))
        elif row.siren and vat[4:] != row.siren:
            row.warnings.append(issue(VAT_OTHER_SIREN, vat=vat, siren=row.siren))


def _normalise_classification(row, values):
    errors = row.errors
    explicit = None
    label = values.get(SIZE, "")
    if label:
        try:
            explicit = parse_size(label)
        except ValueError:
            errors.append(issue(UNKNOWN_SIZE, value=label))
    row.headcount = _number(values.get(HEADCOUNT), HEADCOUNT, errors, integer=True)
    if row.headcount is not None and row.headcount.is_integer():
        row.headcount = int(row.headcount)
    row.turnover = _number(values.get(TURNOVER), TURNOVER, errors)
    row.balance_sheet = _number(values.get(BALANCE_SHEET), BALANCE_SHEET, errors)
    if values.get(YEAR):
        try:
            row.year = parse_year(values[YEAR])
        except ValueError:
            errors.append(issue(INVALID_YEAR, value=values[YEAR]))
    _decide_size(row, explicit, label)


def _decide_size(row, explicit, label):
    """The row's size: the one given, else the one computed from its figures."""
    errors = row.errors
    computed = size_from_figures(row.headcount, row.turnover, row.balance_sheet)
    if explicit:
        row.size, row.size_source_detail = explicit, SOURCE_SIZE
        if computed and computed != explicit:
            row.warnings.append(issue(SIZE_DIFFERS, given=explicit, computed=computed))
    elif computed:
        row.size, row.size_source_detail = computed, SOURCE_FIGURES
    elif not label and not errors:
        if row.turnover is not None or row.balance_sheet is not None:
            errors.append(issue(HEADCOUNT_NEEDED))
        else:
            errors.append(issue(NOTHING_TO_CLASSIFY))


def _normalise_row(row_number, values):
    """ImportRow from ``{field: text}``."""
    row = ImportRow(row_number=row_number)
    _normalise_identifiers(row, values)
    _normalise_classification(row, values)
    return row


def normalise_rows(df):
    """List of :class:`ImportRow`, one per row of ``df`` (as read by
    :func:`read_vendor_file`).

    Raises :class:`VendorFileError` when the columns are not usable (see
    :func:`check_columns`). Row numbers are the spreadsheet's, kept in the
    index by :func:`read_vendor_file`; for any other DataFrame they follow
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
UNCHANGED = sizes.UNCHANGED  # the size outcome of the same name
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
    conflict (issues: KEPT_MANUAL, KEPT_NEWER, AMBIGUOUS_NAME, ROWS_DISAGREE).
    """

    row: ImportRow
    partner_id: int | None
    matched_by: str | None
    status: str
    partner_ids: tuple = ()
    messages: list[dict] = field(default_factory=list)


def _falsy_none(value):
    return None if value is False or value == "" else value


def _compatible(row, partner):
    """False when the row and the partner carry different SIRENs (two companies)."""
    return not (row.siren and partner["siren"] and partner["siren"] != row.siren)


def _partner_status(row, partner, overwrite_manual):
    """(status, issue or None) of applying ``row`` to one partner."""
    current = _falsy_none(partner.get("pareto_size"))
    year = _falsy_none(partner.get("pareto_size_year"))
    outcome = sizes.size_outcome(
        current,
        _falsy_none(partner.get("pareto_size_source")),
        int(year) if year else None,
        row.size,
        row.year,
        overwrite_manual=overwrite_manual,
    )
    if outcome in (sizes.UPDATE, sizes.REFRESH):
        return MATCHED, None
    if outcome == sizes.KEPT_MANUAL:
        return CONFLICT, issue(KEPT_MANUAL, partner=partner["id"], current=current, new=row.size)
    if outcome == sizes.KEPT_NEWER:
        return CONFLICT, issue(
            KEPT_NEWER,
            partner=partner["id"],
            current=current,
            year=int(year),
            new_year=row.year,
        )
    return UNCHANGED, None


def _index_partners(partners):
    """``(by_siren, by_vat, by_name)``: lists of partner dicts per key."""
    by_siren, by_vat, by_name = {}, {}, {}
    for raw in partners:
        partner = dict(raw)
        partner["siren"] = identifiers.siren_of(_falsy_none(partner.get("siren")))
        partner["vat"] = compact_vat(_falsy_none(partner.get("vat")))
        name_key = _falsy_none(partner.get("normalised_name"))
        if name_key is None:
            name_key = normalise_name(_falsy_none(partner.get("name")))
        partner["normalised_name"] = name_key
        for index, key in (
            (by_siren, partner["siren"]),
            (by_vat, partner["vat"]),
            (by_name, name_key),
        ):
            if key:
                index.setdefault(key, []).append(partner)
    return by_siren, by_vat, by_name


def _candidates(row, by_siren, by_vat, by_name):
    """``(partners, matched_by)`` of one row: by SIREN, then VAT number, then name."""
    if row.siren and row.siren in by_siren:
        return by_siren[row.siren], "siren"
    for key, index, matched_by in (
        (row.vat, by_vat, "vat"),
        (row.normalised_name, by_name, "name"),
    ):
        if key:
            found = [partner for partner in index.get(key, ()) if _compatible(row, partner)]
            if found:
                return found, matched_by
    return [], None


def _match_row(row, indexes, overwrite_manual):
    if row.errors:
        return MatchResult(row, None, None, ERROR)
    candidates, matched_by = _candidates(row, *indexes)
    if not candidates:
        return MatchResult(row, None, None, UNMATCHED)
    candidates = sorted(candidates, key=lambda partner: partner["id"])
    ids = tuple(partner["id"] for partner in candidates)
    if matched_by == "name" and len(candidates) > 1:
        ambiguous = issue(AMBIGUOUS_NAME, name=row.normalised_name, ids=list(ids))
        return MatchResult(row, None, "name", CONFLICT, ids, [ambiguous])
    statuses = [_partner_status(row, partner, overwrite_manual) for partner in candidates]
    messages = [message for _status, message in statuses if message]
    if any(status == CONFLICT for status, _message in statuses):
        status = CONFLICT
    elif all(status == UNCHANGED for status, _message in statuses):
        status = UNCHANGED
    else:
        status = MATCHED
    return MatchResult(row, ids[0], matched_by, status, ids, messages)


def _flag_disagreements(results):
    """Several rows giving different sizes to the same partner: none is applied."""
    by_partner = {}
    for result in results:
        for partner_id in result.partner_ids if result.partner_id else ():
            by_partner.setdefault(partner_id, []).append(result)
    for partner_id, group in by_partner.items():
        if len({result.row.size for result in group}) > 1:
            numbers = [result.row.row_number for result in group]
            for result in group:
                result.status = CONFLICT
                result.messages.append(issue(ROWS_DISAGREE, partner=partner_id, rows=numbers))


def match_rows(rows, partners, overwrite_manual=False):
    """Match import rows to partners; one :class:`MatchResult` per row.

    ``partners``: iterable of dicts with ``id``, ``siren`` (a SIRET is cut to
    its SIREN), ``vat``, ``normalised_name`` (computed from ``name`` when
    absent), ``pareto_size``, ``pareto_size_source``, ``pareto_size_year``
    (Odoo's False is read as empty).

    Order: SIREN, then VAT number, then the exact normalised name, which must
    be unique. A VAT or name candidate whose SIREN differs from the row's is a
    different company and is not matched. Status: ``error`` (the row has
    errors), ``unmatched``, ``unchanged`` (same size, nothing more recent),
    ``conflict`` (the rule of :func:`pareto_odoo.engine.sizes.size_outcome`
    keeps the partner's size: set by hand, unless ``overwrite_manual``, or of a
    more recent year; several partners have that name; several rows of the
    file give different sizes to one partner) or ``matched``.
    """
    indexes = _index_partners(partners)
    results = [_match_row(row, indexes, overwrite_manual) for row in rows]
    _flag_disagreements(results)
    return results


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

# Columns of the per-row report, in order (the caller gives their titles).
REPORT_COLUMNS = (
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


def report_records(results):
    """One dict per row for the per-row report, keyed by REPORT_COLUMNS:
    codes and values (``size``, ``status``, ``matched_by`` codes; ``messages``
    the row's issues: errors, then warnings, then conflict explanations)."""
    return [
        {
            "row": result.row.row_number,
            "siren": result.row.siren,
            "vat": result.row.vat,
            "name": result.row.name,
            "size": result.row.size,
            "status": result.status,
            "matched_by": result.matched_by,
            "partner_ids": list(result.partner_ids),
            "messages": [*result.row.errors, *result.row.warnings, *result.messages],
        }
        for result in results
    ]
