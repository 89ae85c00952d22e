import csv
import datetime
import io

import openpyxl
import pandas as pd
import pytest
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import tva as stdnum_tva

from pareto_odoo.engine import identifiers, tabular
from pareto_odoo.engine.tabular import TableError
from pareto_odoo.engine.vendor_import import (
    CONFLICT,
    ERROR,
    MATCHED,
    UNCHANGED,
    UNMATCHED,
    ImportRow,
    VendorFileError,
    map_columns,
    match_rows,
    normalise_name,
    normalise_rows,
    parse_number,
    parse_size,
    read_vendor_file,
    report_records,
)

SIREN_A = "552100554"
SIREN_B = "732829320"
SIREN_C = "303265045"
# A SIRET whose leading zero a spreadsheet drops when typed as a number.
LEADING_ZERO_SIRET = "01234567400001"


def make_siren(base):
    """A valid SIREN from 8 digits."""
    base = f"{base:08d}"
    return base + luhn.calc_check_digit(base)


def make_vat(siren):
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def rows_from(text, filename="suppliers.csv", encoding="utf-8"):
    return normalise_rows(read_vendor_file(text.encode(encoding), filename))


def xlsx_bytes(rows, title=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def partner(partner_id, **values):
    record = {
        "id": partner_id,
        "siren": False,
        "vat": False,
        "normalised_name": "",
        "pareto_size": False,
        "pareto_size_source": False,
        "pareto_size_year": False,
    }
    record.update(values)
    return record


def test_helpers_make_valid_numbers():
    for siren in (SIREN_A, SIREN_B, SIREN_C, make_siren(1234567)):
        assert stdnum_siren.is_valid(siren)
        assert stdnum_tva.is_valid(make_vat(siren))


# --- reading -----------------------------------------------------------------


def test_csv_comma():
    frame = read_vendor_file(
        f"siren,name,size\n{SIREN_A},Acme,PME\n{SIREN_B},Beta,GE\n".encode(), "list.csv"
    )
    assert list(frame.columns) == ["siren", "name", "size"]
    assert frame.attrs["separator"] == ","
    assert frame.attrs["encoding"] == "utf-8"
    assert frame.index.tolist() == [2, 3]
    assert frame.loc[2, "siren"] == SIREN_A  # strings: leading zeros are kept


def test_csv_semicolon_with_french_decimal_commas():
    text = "SIREN;Effectif;Chiffre d'affaires\n" + f"{SIREN_A};12;1 500 000,50\n"
    frame = read_vendor_file(text.encode(), "fournisseurs.csv")
    assert frame.attrs["separator"] == ";"
    (row,) = normalise_rows(frame)
    assert row.headcount == 12
    assert row.turnover == pytest.approx(1_500_000.5)
    assert row.size == "small"
    assert row.size_source_detail == "figures"


def test_csv_tab_separated():
    text = f"SIREN\tTaille\n{SIREN_A}\tTPE\n"
    frame = read_vendor_file(text.encode(), "export.txt")
    assert frame.attrs["separator"] == "\t"
    assert normalise_rows(frame)[0].size == "micro"


def test_csv_cp1252():
    text = "Raison sociale;Catégorie;Année\nSociété Générale d'Électricité;ETI;2022\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    frame = read_vendor_file(data, "fournisseurs.csv")
    assert frame.attrs["encoding"] == "cp1252"
    (row,) = normalise_rows(frame)
    assert row.name == "Société Générale d'Électricité"
    assert row.size == "intermediate"
    assert row.year == 2022


def test_csv_utf8_bom():
    data = ("\ufeffSIREN;Taille\n" + f"{SIREN_A};Petite\n").encode()
    frame = read_vendor_file(data, "f.csv")
    assert list(frame.columns) == ["SIREN", "Taille"]
    assert normalise_rows(frame)[0].size == "small"


def test_csv_utf16_excel_unicode_text():
    data = f"SIREN\tSize\n{SIREN_A}\tlarge\n".encode("utf-16")
    frame = read_vendor_file(data, "unicode.txt")
    assert normalise_rows(frame)[0].size == "large"


def test_csv_row_numbers_skip_blank_lines():
    text = f"\nSIREN;Taille\n{SIREN_A};PME\n\n;;\n{SIREN_B};GE\n"
    rows = rows_from(text)
    assert [row.row_number for row in rows] == [3, 6]


def test_csv_trailing_separator_does_not_shift_columns():
    text = f"SIREN;Taille;\n{SIREN_A};GE;\n"
    (row,) = rows_from(text)
    assert row.siren == SIREN_A
    assert row.size == "large"


def test_csv_excel_separator_hint():
    frame = read_vendor_file(f"sep=,\r\nsiren,size\r\n{SIREN_A},PME\r\n".encode(), "a.csv")
    assert frame.attrs["separator"] == ","
    (row,) = normalise_rows(frame)
    assert (row.row_number, row.size) == (3, "medium")


def test_csv_quoted_values():
    text = f'siren;name;size\n{SIREN_A};"Dupont; Fils ""et"" Cie";GE\n'
    (row,) = rows_from(text)
    assert row.name == 'Dupont; Fils "et" Cie'


def test_csv_without_extension_is_sniffed_as_text():
    frame = read_vendor_file(f"siren;size\n{SIREN_A};micro\n".encode(), "download")
    assert frame.attrs["format"] == "csv"


def test_xlsx():
    data = xlsx_bytes(
        [
            ["N° SIRET", "Dénomination", "Effectif", "Total bilan", "Année"],
            [73282932000074, "Beta SAS", 30, 4_000_000.5, 2023],
            [None, None, None, None, None],
            [int(LEADING_ZERO_SIRET), "Lost zero", 3, None, None],  # SIRET cell as a number
        ]
    )
    frame = read_vendor_file(data, "Fournisseurs.XLSX")
    assert frame.attrs["format"] == "xlsx"
    rows = normalise_rows(frame)
    assert [row.row_number for row in rows] == [2, 4]
    first, second = rows
    assert first.siren == SIREN_B
    assert first.siret == "73282932000074"
    assert first.balance_sheet == pytest.approx(4_000_000.5)
    assert first.size == "small"
    assert first.year == 2023
    assert second.siren == LEADING_ZERO_SIRET[:9]
    assert second.siret == LEADING_ZERO_SIRET
    assert not second.errors


def test_xlsx_detected_by_magic_despite_extension():
    data = xlsx_bytes([["SIREN", "Size"], [SIREN_A, "medium"]])
    frame = read_vendor_file(data, "renamed.csv")
    assert frame.attrs["format"] == "xlsx"
    assert normalise_rows(frame)[0].size == "medium"


def test_xlsx_first_non_empty_sheet_and_dates():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Data")
    sheet.append(["siren", "headcount", "year"])
    sheet.append([SIREN_A, 300, datetime.datetime(2022, 12, 31)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    (row,) = normalise_rows(read_vendor_file(buffer.getvalue(), "x.xlsx"))
    assert row.size == "intermediate"
    assert row.year == 2022


def test_bad_xlsx():
    with pytest.raises(TableError, match="Excel") as error:
        read_vendor_file(b"PK\x03\x04garbage" * 10, "broken.xlsx")
    assert (error.value.code, error.value.params["filename"]) == (
        tabular.XLSX_UNREADABLE,
        "broken.xlsx",
    )
    with pytest.raises(TableError, match="not a valid") as error:
        read_vendor_file(b"siren;size\n1;2\n", "fake.xlsx")
    assert error.value.code == tabular.NOT_XLSX


def test_old_xls_refused():
    with pytest.raises(TableError, match=r"\.xls") as error:
        read_vendor_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls")
    assert error.value.code == tabular.OLD_XLS


def test_unknown_format():
    with pytest.raises(TableError, match="Unknown file format") as error:
        read_vendor_file(b"%PDF-1.4\x00\x01\x02\x03" * 20, "list.pdf")
    assert error.value.code == tabular.UNKNOWN_FORMAT


def test_unreadable_encoding():
    with pytest.raises(TableError, match="not readable text") as error:
        read_vendor_file(b"siren\x00;size\x00\n\x01\x02\x03\x00", "list.csv")
    assert error.value.code == tabular.NOT_TEXT


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", None])
def test_empty_file(data):
    with pytest.raises(TableError, match="empty") as error:
        read_vendor_file(data, "list.csv")
    assert error.value.code == tabular.EMPTY


def test_empty_xlsx():
    with pytest.raises(TableError, match="empty"):
        read_vendor_file(xlsx_bytes([]), "empty.xlsx")


def test_header_only():
    with pytest.raises(TableError, match="no data rows") as error:
        read_vendor_file(b"siren;size\r\n", "list.csv")
    assert error.value.code == tabular.NO_ROWS
    with pytest.raises(TableError, match="no data rows"):
        read_vendor_file(xlsx_bytes([["siren", "size"]]), "list.xlsx")


def test_ragged_csv():
    with pytest.raises(TableError, match="could not be read") as error:
        read_vendor_file(b"siren;size\n1;2;3;4\n", "list.csv")
    assert error.value.code == tabular.ROW_TOO_WIDE
    assert error.value.params == {"filename": "list.csv", "row": 2, "values": 4, "columns": 2}


# --- columns -------------------------------------------------------------------


def test_column_aliases():
    mapping = map_columns(
        [
            "N° SIRET",
            "Numéro de TVA",
            "RAISON SOCIALE",
            "Taille ",
            "Salariés",
            "CA (k€)",
            "Total  Bilan",
            "année",
            "comment",
        ]
    )
    assert mapping == {
        "siret": "N° SIRET",
        "vat": "Numéro de TVA",
        "name": "RAISON SOCIALE",
        "size": "Taille ",
        "headcount": "Salariés",
        "turnover": "CA (k€)",
        "balance_sheet": "Total  Bilan",
        "year": "année",
    }
    assert map_columns(["company_registry", "TVA intracommunautaire", "Nom", "Catégorie"]) == {
        "siren": "company_registry",
        "vat": "TVA intracommunautaire",
        "name": "Nom",
        "size": "Catégorie",
    }


def test_wrong_columns():
    frame = read_vendor_file(b"foo;bar\n1;2\n", "list.csv")
    with pytest.raises(VendorFileError) as error:
        normalise_rows(frame)
    assert error.value.code == "missing_columns"
    assert error.value.params == {
        "missing": ["identifier", "classification"],
        "found": ["foo", "bar"],
    }


def test_missing_classification_column():
    frame = read_vendor_file(f"SIREN;Name\n{SIREN_A};Acme\n".encode(), "list.csv")
    with pytest.raises(VendorFileError, match="classification") as error:
        normalise_rows(frame)
    assert error.value.params["missing"] == ["classification"]


def test_missing_identifier_column():
    frame = read_vendor_file(b"Taille;Effectif\nPME;3\n", "list.csv")
    with pytest.raises(VendorFileError) as error:
        normalise_rows(frame)
    assert error.value.params["missing"] == ["identifier"]


# --- values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234 567,89", 1_234_567.89),
        ("1\u00a0234\u00a0567,89 €", 1_234_567.89),
        ("1\u202f234", 1_234.0),
        ("1,234,567.89", 1_234_567.89),
        ("1.234.567,89", 1_234_567.89),
        ("1234567.89", 1_234_567.89),
        ("12,5", 12.5),
        ("2,5 M€", 2_500_000.0),
        ("800 k€", 800_000.0),
        ("1,2 Md€", 1_200_000_000.0),
        ("EUR 1 000", 1_000.0),
        ("3 000 euros", 3_000.0),
        ("1e6", 1_000_000.0),
        ("-5", -5.0),
        ("(5)", -5.0),
        ("", None),
        ("  ", None),
        (None, None),
        (7, 7.0),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == (pytest.approx(expected) if expected else expected)


@pytest.mark.parametrize("text", ["abc", "12 ans", "1,2,3.4.5", "€", "--3", "nan", "inf"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    ("label", "size"),
    [
        ("micro", "micro"),
        ("Micro-entreprise", "micro"),
        ("TPE", "micro"),
        ("PE", "small"),
        ("petite", "small"),
        ("Small", "small"),
        ("PME", "medium"),  # SME of unknown sub-size
        ("moyenne", "medium"),
        ("Medium", "medium"),
        ("ETI", "intermediate"),
        ("Intermédiaire", "intermediate"),
        ("GE", "large"),
        ("Grande entreprise", "large"),
        ("LARGE", "large"),
        ("", None),
    ],
)
def test_parse_size(label, size):
    assert parse_size(label) == size


def test_parse_size_unknown():
    with pytest.raises(ValueError):
        parse_size("huge")


def test_identifiers_of_a_file():
    """The import reads SIREN/SIRET with the addon's one parser (engine/identifiers)."""
    parse = identifiers.parse
    assert parse("552 100 554") == (SIREN_A, None)
    assert parse("732 829 320 00074") == (SIREN_B, "73282932000074")
    assert parse("732-829-320-00074") == (SIREN_B, "73282932000074")
    assert parse("552100554.0") == (SIREN_A, None)  # a spreadsheet's float
    assert parse("") == (None, None)
    # La Poste's SIRETs do not follow the Luhn rule; stdnum knows.
    assert parse("35600000000048")[0] == "356000000"
    # A spreadsheet drops leading zeros: the import restores one.
    assert parse(LEADING_ZERO_SIRET[1:], restore_leading_zero=True)[1] == LEADING_ZERO_SIRET
    for value, reason, kind in (
        ("552100555", "checksum", "siren"),
        ("73282932000075", "checksum", "siret"),
        ("12345", "length", None),
        ("55210055A", "format", None),
        (LEADING_ZERO_SIRET[1:], "length", None),
    ):
        with pytest.raises(identifiers.InvalidIdentifier) as error:
            parse(value)
        assert (error.value.reason, error.value.kind) == (reason, kind)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Dupont SARL", "DUPONT"),
        ("S.A.R.L. Dupont", "DUPONT"),
        ("  dupont   s.a.s. ", "DUPONT"),
        ("Éts Müller & Fils", "MULLER ET FILS"),
        ("ETABLISSEMENTS MULLER ET FILS SASU", "MULLER ET FILS"),
        ("L'Atelier-du-Bois (EURL)", "LATELIER DU BOIS"),
        ("Cœur de Bœuf SAS", "COEUR DE BOEUF"),
        ("Ænergie", "AENERGIE"),
        ("SCI", "SCI"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_name(name, normalised):
    assert normalise_name(name) == normalised


# --- rows ----------------------------------------------------------------------


def test_invalid_siren_is_a_row_error():
    rows = rows_from(f"siren;size\n552100555;PME\n{SIREN_A};PME\n")
    assert rows[0].errors == [
        {
            "code": "invalid_identifier",
            "column": "siren",
            "value": "552100555",
            "reason": "checksum",
        }
    ]
    assert rows[0].row_number == 2
    assert not rows[1].errors


def test_row_errors_collected():
    (row,) = rows_from(
        "siren;name;size;headcount;turnover;balance sheet;year\n"
        "12;Acme;huge;-4;lots;1 000,00 €;99\n"
    )
    assert row.errors == [
        {"code": "invalid_identifier", "column": "siren", "value": "12", "reason": "length"},
        {"code": "unknown_size", "value": "huge"},
        {"code": "negative", "column": "headcount", "value": "-4", "maximum": 2**31 - 1},
        {"code": "not_a_number", "column": "turnover", "value": "lots"},
        {"code": "invalid_year", "value": "99"},
    ]
    assert row.balance_sheet == 1000.0


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("headcount", "1e400", "not_finite"),  # float("1e400") is infinite
        ("headcount", "99999999999", "out_of_range"),  # beyond PostgreSQL's int4
        ("headcount", "2147483648", "out_of_range"),
        ("turnover", "1e400", "not_finite"),
        ("turnover", "2e15", "out_of_range"),
        ("balance sheet", "-1e400", "not_finite"),
        ("balance sheet", "-5", "negative"),
    ],
)
def test_numbers_beyond_what_a_vendor_can_store_are_row_errors(column, value, code):
    (row,) = rows_from(f"siren;size;{column}\n{SIREN_A};PME;{value}\n")
    assert [error["code"] for error in row.errors] == [code]
    (result,) = match_rows([row], [partner(1, siren=SIREN_A)])
    assert result.status == ERROR


def test_numbers_at_the_limits_are_accepted():
    (row,) = rows_from(f"siren;headcount;turnover\n{SIREN_A};2147483647;999999999999999\n")
    assert not row.errors
    assert (row.headcount, row.size) == (2147483647, "large")


def test_row_without_classification_or_identifier():
    rows = rows_from(f"siren;name;size;headcount;turnover\n{SIREN_A};;;;5000\n;;PME;;\n")
    assert rows[0].errors == [{"code": "headcount_needed"}]
    assert rows[1].errors == [{"code": "no_identifier"}]


def test_explicit_size_wins_over_figures_with_warning():
    (row,) = rows_from(f"siren;size;headcount;turnover\n{SIREN_A};micro;120;30 000 000\n")
    assert row.size == "micro"
    assert row.size_source_detail == "size"
    assert not row.errors
    assert row.warnings == [{"code": "size_differs", "given": "micro", "computed": "medium"}]


def test_figures_agreeing_with_size_give_no_warning():
    (row,) = rows_from(f"siren;size;headcount\n{SIREN_A};PE;20\n")
    assert row.size == "small" and not row.warnings


def test_siren_and_siret_columns():
    rows = rows_from(
        "SIREN;SIRET;Taille\n"
        f"{SIREN_B};73282932000074;PME\n"
        f";73282932000074;PME\n"
        f"{SIREN_A};73282932000074;PME\n"
    )
    assert rows[0].siren == SIREN_B and not rows[0].errors
    assert rows[1].siren == SIREN_B and rows[1].siret == "73282932000074"
    assert rows[2].errors == [
        {"code": "siren_siret_mismatch", "siren": SIREN_A, "siret": "73282932000074"}
    ]


def test_vat_is_compacted_and_checked():
    vat = make_vat(SIREN_A)
    spaced = f"{vat[:4]} {vat[4:7]} {vat[7:10]} {vat[10:]}".lower()
    rows = rows_from(f"vat;size\n{spaced};GE\nFR00123456789;GE\nBE0403170701;GE\n")
    assert rows[0].vat == vat and not rows[0].errors
    assert rows[1].errors == [{"code": "invalid_vat", "value": "FR00123456789"}]
    assert rows[2].vat == "BE0403170701" and not rows[2].errors


def test_vat_of_another_siren_warns():
    (row,) = rows_from(f"siren;vat;size\n{SIREN_A};{make_vat(SIREN_B)};GE\n")
    assert not row.errors
    assert row.warnings == [{"code": "vat_other_siren", "vat": make_vat(SIREN_B), "siren": SIREN_A}]


def test_normalise_rows_plain_dataframe():
    frame = pd.DataFrame({"Name": ["Acme SAS", "Beta"], "Size": ["GE", None]})
    rows = normalise_rows(frame)
    assert [row.row_number for row in rows] == [2, 3]
    assert rows[0].normalised_name == "ACME"
    assert rows[1].errors


# --- matching ------------------------------------------------------------------


def row(number=2, **values):
    values.setdefault("size", "small")
    if "name" in values:
        values.setdefault("normalised_name", normalise_name(values["name"]))
    return ImportRow(row_number=number, **values)


def test_match_priority_siren_then_vat_then_name():
    vat = make_vat(SIREN_B)
    partners = [
        partner(1, siren=SIREN_A),
        partner(2, vat=vat),
        partner(3, normalised_name="ACME"),
    ]
    results = match_rows(
        [
            row(2, siren=SIREN_A, vat=vat, name="Acme"),
            row(3, vat=vat, name="Acme"),
            row(4, name="ACME S.A.S."),
            row(5, siren=SIREN_C, vat=vat, name="Acme"),
            row(6, name="Nobody"),
        ],
        partners,
    )
    assert [(r.partner_id, r.matched_by, r.status) for r in results] == [
        (1, "siren", MATCHED),
        (2, "vat", MATCHED),
        (3, "name", MATCHED),
        # No partner has SIREN_C; partner 2 has no SIREN, so its VAT matches.
        (2, "vat", MATCHED),
        (None, None, UNMATCHED),
    ]


def test_match_never_crosses_sirens():
    partners = [partner(1, siren=SIREN_A, normalised_name="ACME")]
    (result,) = match_rows([row(siren=SIREN_B, name="Acme")], partners)
    assert result.status == UNMATCHED


def test_partner_siret_and_name_from_partner_name():
    partners = [partner(7, siren="73282932000074"), {"id": 8, "name": "Gamma SARL"}]
    results = match_rows([row(siren=SIREN_B), row(3, name="GAMMA")], partners)
    assert [(r.partner_id, r.matched_by) for r in results] == [(7, "siren"), (8, "name")]


def test_unchanged():
    partners = [partner(1, siren=SIREN_A, pareto_size="small", pareto_size_source="manual")]
    (result,) = match_rows([row(siren=SIREN_A, size="small")], partners)
    assert result.status == UNCHANGED


def test_manual_size_conflict_and_overwrite():
    partners = [partner(1, siren=SIREN_A, pareto_size="large", pareto_size_source="manual")]
    (result,) = match_rows([row(siren=SIREN_A, size="small")], partners)
    assert result.status == CONFLICT
    assert result.partner_id == 1
    assert result.messages == [
        {"code": "kept_manual", "partner": 1, "current": "large", "new": "small"}
    ]
    (result,) = match_rows([row(siren=SIREN_A, size="small")], partners, overwrite_manual=True)
    assert result.status == MATCHED


def test_newer_year_conflict():
    partners = [
        partner(
            1,
            siren=SIREN_A,
            pareto_size="medium",
            pareto_size_source="registry",
            pareto_size_year=2023,
        )
    ]
    older, same, newer, unknown = match_rows(
        [
            row(2, siren=SIREN_A, year=2021),
            row(3, siren=SIREN_A, year=2023),
            row(4, siren=SIREN_A, year=2024),
            row(5, siren=SIREN_A),
        ],
        partners,
        overwrite_manual=True,
    )
    assert older.status == CONFLICT
    assert older.messages == [
        {"code": "kept_newer", "partner": 1, "current": "medium", "year": 2023, "new_year": 2021}
    ]
    # The four rows agree on "small": no duplicate conflict among them.
    assert [same.status, newer.status, unknown.status] == [MATCHED] * 3


def test_name_ambiguity():
    partners = [partner(4, normalised_name="ACME"), partner(3, normalised_name="ACME")]
    (result,) = match_rows([row(name="Acme SA")], partners)
    assert result.status == CONFLICT
    assert result.partner_id is None
    assert result.partner_ids == (3, 4)
    assert result.messages == [{"code": "ambiguous_name", "name": "ACME", "ids": [3, 4]}]


def test_several_partners_share_a_siren():
    partners = [
        partner(9, siren=SIREN_A, pareto_size="small"),
        partner(5, siren=SIREN_A, pareto_size="medium"),
    ]
    (result,) = match_rows([row(siren=SIREN_A, size="small")], partners)
    assert result.status == MATCHED
    assert result.partner_id == 5
    assert result.partner_ids == (5, 9)


def test_rows_disagreeing_on_one_partner():
    partners = [partner(1, siren=SIREN_A)]
    results = match_rows(
        [row(2, siren=SIREN_A, size="small"), row(3, siren=SIREN_A, size="large")], partners
    )
    assert [r.status for r in results] == [CONFLICT, CONFLICT]
    assert results[0].messages[-1] == {"code": "rows_disagree", "partner": 1, "rows": [2, 3]}


def test_error_rows_are_not_matched():
    partners = [partner(1, siren=SIREN_A)]
    bad = row(siren=SIREN_A, errors=[{"code": "invalid_year", "value": "99"}])
    (result,) = match_rows([bad], partners)
    assert (result.status, result.partner_id) == (ERROR, None)


def test_same_size_with_more_recent_data_is_refreshed():
    partners = [
        partner(
            1,
            siren=SIREN_A,
            pareto_size="small",
            pareto_size_source="registry",
            pareto_size_year=2021,
        ),
        partner(2, siren=SIREN_B, pareto_size="small", pareto_size_source="manual"),
    ]
    newer, older, manual = match_rows(
        [
            row(2, siren=SIREN_A, year=2023),
            row(3, siren=SIREN_A, year=2020),
            row(4, siren=SIREN_B, year=2023),
        ],
        partners,
    )
    # The same size: a more recent year is written, an older one is not, and a
    # size set by hand keeps its source.
    assert [newer.status, older.status, manual.status] == [MATCHED, UNCHANGED, UNCHANGED]


def test_end_to_end_and_report_records():
    text = (
        "SIREN;Raison sociale;Taille;Effectif;Année\n"
        f"{SIREN_A};Acme SA;GE;;2023\n"
        f"552100555;Broken;PME;;\n"
        f';=HYPERLINK("x");PME;;\n'
        f"{SIREN_C};Gamma;micro;60;2022\n"
    )
    rows = rows_from(text)
    partners = [
        partner(1, siren=SIREN_A, pareto_size="large", pareto_size_year=2023),
        partner(2, siren=SIREN_C, pareto_size="small", pareto_size_source="manual"),
    ]
    results = match_rows(rows, partners)
    assert [r.status for r in results] == [UNCHANGED, ERROR, UNMATCHED, CONFLICT]
    records = report_records(results)
    assert [record["row"] for record in records] == [2, 3, 4, 5]
    assert (records[0]["status"], records[0]["matched_by"], records[0]["partner_ids"]) == (
        "unchanged",
        "siren",
        [1],
    )
    assert records[1]["status"] == "error"
    assert records[1]["messages"][0]["code"] == "invalid_identifier"
    assert records[2]["name"] == '=HYPERLINK("x")'
    assert [message["code"] for message in records[3]["messages"]] == [
        "size_differs",
        "kept_manual",
    ]
    # Written by the one CSV writer: text stays text (no formula in Excel).
    report = tabular.csv_bytes(
        ["Row", "Name"], [[record["row"], record["name"]] for record in records]
    )
    assert report.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Row", "Name"]
    assert lines[3] == ["4", '\'=HYPERLINK("x")']
