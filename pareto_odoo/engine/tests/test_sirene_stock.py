import csv
import gzip
import io
import zipfile

import pytest

from pareto_odoo.engine.sirene_stock import (
    REQUIRED_COLUMNS,
    STOCK_UNITE_LEGALE_COLUMNS,
    StockFileError,
    StockMatch,
    estimate_row_count,
    iter_stock_matches,
)

# The real header: the required columns in their places among the others.
HEADER = list(STOCK_UNITE_LEGALE_COLUMNS)


def unit(siren, category="PME", band="01", *, state="A", category_year="2022", band_year="2021"):
    values = dict.fromkeys(HEADER, "")
    values.update(
        siren=siren,
        statutDiffusionUniteLegale="O",
        dateCreationUniteLegale="2001-05-14",
        trancheEffectifsUniteLegale=band,
        anneeEffectifsUniteLegale=band_year,
        categorieEntreprise=category,
        anneeCategorieEntreprise=category_year,
        etatAdministratifUniteLegale=state,
        denominationUniteLegale=f"SOCIETE {siren}, FILS & CIE",  # quoted: has a comma
        categorieJuridiqueUniteLegale="5710",
        activitePrincipaleUniteLegale="62.01Z",
        nomenclatureActivitePrincipaleUniteLegale="NAFRev2",
        nicSiegeUniteLegale="00012",
        caractereEmployeurUniteLegale="O",
    )
    return values


def stock_text(units, header=None):
    header = header or HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for values in units:
        writer.writerow({column: values.get(column, "") for column in header})
    return buffer.getvalue()


def numbered_sirens(count):
    return [f"{100000000 + index:09d}" for index in range(1, count + 1)]


def collect(iterator):
    chunks = list(iterator)
    return [rows for rows, _matches in chunks], [m for _rows, ms in chunks for m in ms]


def test_sizes_years_and_naf(tmp_path):
    units = [
        unit("100000001", "PME", "01"),
        unit("100000002", "PME", "12"),
        unit("100000003", "PME", "22"),
        unit("100000004", "ETI", "41"),
        unit("100000005", "GE", "01", category_year=""),
        unit("100000006", "", "11", category_year="", band_year="2020"),
        unit("100000007", "", "", category_year="", band_year=""),
        unit("100000008", "", "NN", category_year="", band_year=""),
    ]
    path = tmp_path / "StockUniteLegale_utf8.csv"
    path.write_text(stock_text(units), encoding="utf-8")
    _rows, matches = collect(iter_stock_matches(path, {u["siren"] for u in units}))
    by_siren = {match.siren: match for match in matches}
    assert by_siren["100000001"] == StockMatch(
        siren="100000001",
        size="micro",
        size_year=2022,
        naf_code="62.01Z",
        is_active=True,
        category="PME",
        headcount_band="01",
    )
    assert [by_siren[s].size for s in sorted(by_siren)] == [
        "micro",
        "small",
        "medium",
        "intermediate",
        "large",
        "small",
        None,
        "micro",
    ]
    assert by_siren["100000005"].size_year == 2021  # no category year: the band's
    assert by_siren["100000006"].size_year == 2020
    assert by_siren["100000007"].size_year is None
    assert by_siren["100000007"].category is None


def test_only_wanted_sirens(tmp_path):
    sirens = numbered_sirens(20)
    path = tmp_path / "stock.csv"
    path.write_text(stock_text(unit(s) for s in sirens), encoding="utf-8")
    rows, matches = collect(iter_stock_matches(path, {sirens[4], "999999999"}))
    assert rows == [20]
    assert [m.siren for m in matches] == [sirens[4]]
    _rows, matches = collect(iter_stock_matches(path, set()))
    assert matches == []


def test_chunks_across_boundaries(tmp_path):
    sirens = numbered_sirens(10)
    path = tmp_path / "stock.csv"
    path.write_text(stock_text(unit(s) for s in sirens), encoding="utf-8")
    wanted = {sirens[2], sirens[3], sirens[9]}  # rows 3 | 4 straddle a boundary, 10 is alone
    seen = []
    chunks = list(iter_stock_matches(path, wanted, chunksize=3, progress=seen.append))
    assert [rows for rows, _m in chunks] == [3, 6, 9, 10]
    assert [[m.siren for m in matches] for _rows, matches in chunks] == [
        [sirens[2]],
        [sirens[3]],
        [],
        [sirens[9]],
    ]
    assert seen == [3, 6, 9, 10]


def test_resume_offset(tmp_path):
    sirens = numbered_sirens(10)
    path = tmp_path / "stock.csv"
    path.write_text(stock_text(unit(s) for s in sirens), encoding="utf-8")
    wanted = set(sirens)
    chunks = list(iter_stock_matches(path, wanted, chunksize=3, start_offset_rows=6))
    assert [rows for rows, _m in chunks] == [9, 10]
    assert [m.siren for _rows, ms in chunks for m in ms] == sirens[6:]
    # A checkpoint taken mid-way and resumed gives the same matches as one pass.
    iterator = iter_stock_matches(path, wanted, chunksize=4)
    checkpoint, first = next(iterator)
    rest = iter_stock_matches(path, wanted, chunksize=4, start_offset_rows=checkpoint)
    _rows, later = collect(rest)
    assert [m.siren for m in first + later] == sirens
    # Past the end: nothing.
    assert list(iter_stock_matches(path, wanted, start_offset_rows=10)) == []


def test_closed_companies(tmp_path):
    units = [unit("100000001", "PME", "11", state="C"), unit("100000002", "GE", "53")]
    path = tmp_path / "stock.csv"
    path.write_text(stock_text(units), encoding="utf-8")
    _rows, matches = collect(iter_stock_matches(path, {"100000001", "100000002"}))
    closed, active = matches
    assert closed.is_active is False
    assert closed.size is None and closed.size_year is None
    assert closed.category == "PME" and closed.headcount_band == "11"
    assert active.is_active is True and active.size == "large"


def test_missing_columns(tmp_path):
    header = [c for c in HEADER if c not in ("categorieEntreprise", "etatAdministratifUniteLegale")]
    path = tmp_path / "stock.csv"
    path.write_text(stock_text([unit("100000001")], header), encoding="utf-8")
    with pytest.raises(StockFileError) as error:
        iter_stock_matches(path, {"100000001"})  # raised by the call, before iterating
    message = str(error.value)
    assert "categorieEntreprise" in message and "etatAdministratifUniteLegale" in message
    assert "anneeCategorieEntreprise" not in message.split("Columns found", maxsplit=1)[0]


class NonSeekable(io.RawIOBase):
    def __init__(self, data):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_missing_columns_non_seekable():
    data = stock_text([unit("100000001")], ["siren", "denominationUniteLegale"]).encode()
    with pytest.raises(StockFileError, match="not a Sirene"):
        iter_stock_matches(io.BufferedReader(NonSeekable(data)), {"100000001"})


def test_non_seekable_stream():
    data = stock_text(unit(s) for s in numbered_sirens(5)).encode()
    stream = io.BufferedReader(NonSeekable(data))
    rows, matches = collect(iter_stock_matches(stream, {"100000003"}, chunksize=2))
    assert rows == [2, 4, 5]
    assert [m.siren for m in matches] == ["100000003"]
    with pytest.raises(ValueError, match="seekable"):
        iter_stock_matches(io.BufferedReader(NonSeekable(data)), {"1"}, start_offset_rows=2)


def test_file_object_is_not_consumed_by_header_check():
    data = stock_text(unit(s) for s in numbered_sirens(5)).encode()
    _rows, matches = collect(iter_stock_matches(io.BytesIO(data), {"100000001", "100000005"}))
    assert [m.siren for m in matches] == ["100000001", "100000005"]
    _rows, matches = collect(
        iter_stock_matches(io.BytesIO(data), {"100000005"}, start_offset_rows=3)
    )
    assert [m.siren for m in matches] == ["100000005"]


def test_gzip_and_zip(tmp_path):
    sirens = numbered_sirens(7)
    text = stock_text(unit(s) for s in sirens)
    gz_path = tmp_path / "StockUniteLegale_utf8.csv.gz"
    with gzip.open(gz_path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    zip_path = tmp_path / "StockUniteLegale_utf8.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("StockUniteLegale_utf8.csv", text)
    for path in (gz_path, zip_path):
        rows, matches = collect(
            iter_stock_matches(path, {sirens[1], sirens[5]}, chunksize=3, start_offset_rows=2)
        )
        assert rows == [5, 7]
        assert [m.siren for m in matches] == [sirens[5]]
    gz_data = gz_path.read_bytes()
    _rows, matches = collect(
        iter_stock_matches(io.BytesIO(gz_data), {sirens[1]}, compression="gzip")
    )
    assert [m.siren for m in matches] == [sirens[1]]


def test_empty_file(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes(b"")
    with pytest.raises(StockFileError, match="empty"):
        iter_stock_matches(path, {"100000001"})


def test_header_only(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text(",".join(REQUIRED_COLUMNS) + "\n", encoding="utf-8")
    assert collect(iter_stock_matches(path, {"100000001"}))[1] == []


def test_wrong_encoding_is_a_clear_error(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text(stock_text([unit("100000001")]), encoding="utf-16")
    with pytest.raises(StockFileError, match="not UTF-8 text"):
        iter_stock_matches(path, {"100000001"})
    # Latin-1 in a needed column, found while reading the data.
    units = [unit(s) for s in numbered_sirens(4)]
    units[3]["activitePrincipaleUniteLegale"] = "62.01Z é"
    path.write_bytes(stock_text(units).encode("latin-1"))
    iterator = iter_stock_matches(path, {"100000001"}, chunksize=2)
    assert next(iterator)[0] == 2
    with pytest.raises(StockFileError, match=r"not UTF-8 text.*after data row 2"):
        next(iterator)


def test_malformed_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "stock.csv"
    text = stock_text(unit(s) for s in numbered_sirens(4))
    path.write_text(text + '100000005,"O,unclosed quote\n', encoding="utf-8")
    iterator = iter_stock_matches(path, {"100000001"}, chunksize=2)
    assert next(iterator)[0] == 2
    with pytest.raises(StockFileError, match="could not be read after data row 4"):
        list(iterator)


def test_estimate_row_count(tmp_path):
    text = stock_text(unit(s) for s in numbered_sirens(1000))
    path = tmp_path / "stock.csv"
    path.write_text(text, encoding="utf-8")
    assert estimate_row_count(path) == 1000
    path.write_text(text.rstrip("\n"), encoding="utf-8")  # no final line break
    assert estimate_row_count(path) == 1000
    handle = io.BytesIO(text.encode())
    handle.seek(5)
    assert estimate_row_count(handle) == 1000
    assert handle.tell() == 5  # put back
    zip_path = tmp_path / "StockUniteLegale_utf8.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("StockUniteLegale_utf8.csv", text)
    assert estimate_row_count(zip_path) == 1000  # small enough to be counted
    big = stock_text(unit(s) for s in numbered_sirens(30_000))
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("StockUniteLegale_utf8.csv", big)
    estimate = estimate_row_count(zip_path)
    assert 29_000 <= estimate <= 31_000
    assert estimate_row_count(io.BytesIO(zip_path.read_bytes()), compression="zip") == estimate
    gz_path = tmp_path / "stock.csv.gz"
    with gzip.open(gz_path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    assert estimate_row_count(gz_path) is None
    path.write_bytes(b"")
    assert estimate_row_count(path) == 0


def test_resume_counts_rows_not_lines(tmp_path):
    """A quoted value holding line breaks (and quotes) is one row when resuming."""
    units = [unit(s) for s in numbered_sirens(6)]
    units[1]["denominationUniteLegale"] = 'ATELIER "LE PONT"\nSECOND LINE\n"THIRD"'
    units[3]["denominationUniteLegale"] = 'ONE "QUOTE"'
    path = tmp_path / "stock.csv"
    path.write_text(stock_text(units), encoding="utf-8")
    wanted = {u["siren"] for u in units}
    for start in range(7):
        with_lines = list(iter_stock_matches(path, wanted, chunksize=2, start_offset_rows=start))
        assert [m.siren for _rows, ms in with_lines for m in ms] == [
            u["siren"] for u in units[start:]
        ], start
        assert [rows for rows, _m in with_lines] == list(range(start + 2, 7, 2)) + (
            [6] if (6 - start) % 2 else []
        )
    # A text stream is resumed too (pandas skips the rows).
    text = io.StringIO(stock_text(units))
    _rows, matches = collect(iter_stock_matches(text, wanted, start_offset_rows=3))
    assert [m.siren for m in matches] == [u["siren"] for u in units[3:]]
