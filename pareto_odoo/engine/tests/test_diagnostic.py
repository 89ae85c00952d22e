import csv
import datetime
import io
import os
import pathlib
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from pareto_odoo.engine import diagnostic
from pareto_odoo.engine.diagnostic import SAMPLE_DIR, euros, main, percent
from pareto_odoo.engine.sample import generate
from pareto_odoo.engine.tabular import sniff_separator

REPO = pathlib.Path(__file__).resolve().parents[3]

SUPPLIERS_CSV = (
    "supplier_id,name,size,zip,headcount,turnover,excluded\n"
    "S1,Micro Paris,micro,75011,5,500000,\n"
    "S2,Small Lyon,small,69003,10,2000000,\n"
    "S3,Big Corp,large,75008,,,\n"
    "S4,Intra-group,small,75008,,,yes\n"
)
# 2024: Cleaning 20,000 (SME 3,000: 15 %, warning, shift 1,000);
# IT 5,000 (SME 1,000: 20 %, ok). 2023: one line outside --year 2024.
PURCHASES_CSV = (
    "date,supplier_id,family,amount\n"
    "2024-01-15,S1,IT,1000\n"
    "2024-02-10,S3,IT,4000\n"
    "2024-03-06,S4,IT,9000\n"
    "2024-01-20,S2,Cleaning,3000\n"
    "2024-02-25,S3,Cleaning,17000\n"
    "2024-06-01,S3,,2500\n"
    "2023-06-01,S3,IT,100000\n"
)


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def files(tmp_path):
    return (
        write(tmp_path / "purchases.csv", PURCHASES_CSV),
        write(tmp_path / "suppliers.csv", SUPPLIERS_CSV),
    )


def run(args, capsys):
    out = io.StringIO()
    code = main([str(arg) for arg in args], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_formatting():
    assert euros(1234567.8) == "1,234,568 €"
    assert euros(2.5) == "3 €"
    assert euros(-1234.5) == "-1,235 €"
    assert euros(0.0) == "0 €"
    assert euros(-0.4) == "0 €"
    assert euros(float("nan")) == "-"
    assert percent(12.345) == "12.3 %"
    assert percent(None) == "-"


def test_sample_end_to_end(tmp_path, capsys):
    output = tmp_path / "report.html"
    code, stdout, stderr = run(["--output", output], capsys)
    assert code == 0, stderr
    assert stderr == ""
    families = set(pd.read_csv(SAMPLE_DIR / "purchases.csv")["family"].dropna())
    assert len(families) >= 8
    lines = stdout.splitlines()
    for family in [*families, "Unclassified", "Total"]:
        assert any(line.startswith(family + " ") for line in lines), family
    assert "Period: 2025-01-01 to 2025-12-31" in stdout  # 12 months to the last purchase
    report = output.read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>")
    assert report.count("<svg") == 2
    assert 'class="chart share-chart"' in report
    assert 'class="chart trend-chart"' in report
    assert '<table class="families">' in report
    assert '<table class="trend">' in report
    assert '<table class="top">' in report
    for family in families:
        assert family in report
    assert "All families" in report  # the trend chart's legend


def test_sample_is_as_documented():
    suppliers = pd.read_csv(SAMPLE_DIR / "suppliers.csv", dtype=str, keep_default_na=False)
    purchases = pd.read_csv(SAMPLE_DIR / "purchases.csv", dtype=str, keep_default_na=False)
    assert len(suppliers) == 30
    assert {"micro", "small", "medium", "intermediate", "large", ""} <= set(suppliers["size"])
    assert len(purchases) == 2000
    assert purchases["date"].min() >= "2024-01-01"
    assert purchases["date"].max() <= "2025-12-31"


def test_sample_is_reproducible(tmp_path):
    generate.generate(tmp_path)
    for name in ("purchases.csv", "suppliers.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes()


def test_module_runs_without_arguments(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(tmp_path / "mpl")}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "pareto_odoo.engine.diagnostic"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Total" in result.stdout
    assert (tmp_path / diagnostic.DEFAULT_OUTPUT).read_text(encoding="utf-8").count("<svg") == 2


def test_figures_on_small_files(files, tmp_path, capsys):
    purchases, suppliers = files
    output = tmp_path / "small.html"
    code, stdout, _ = run([purchases, suppliers, "--year", "2024", "-o", output], capsys)
    assert code == 0
    lines = {line.split("  ")[0]: line for line in stdout.splitlines()}
    cleaning = lines["Cleaning"].split()
    assert cleaning[1:9] == ["20,000", "€", "3,000", "€", "15.0", "%", "20.0", "%"]
    assert "-5.0" in cleaning
    assert "1,000 €" in lines["Cleaning"]
    assert "warning" in cleaning
    it = lines["IT"].split()
    assert it[1:7] == ["5,000", "€", "1,000", "€", "20.0", "%"]  # 2023 and excluded left out
    assert "ok" in it
    assert "2,500 €" in lines["Unclassified"]
    assert lines["Total"].split()[1:3] == ["27,500", "€"]
    assert "Period: 2024-01-01 to 2024-12-31" in stdout
    report = output.read_text(encoding="utf-8")
    assert "Cleaning" in report
    assert 'class="status-warning"' in report


def test_options(files, tmp_path, capsys):
    purchases, suppliers = files
    args = [purchases, suppliers, "--period-start", "2024-01-01", "-o", tmp_path / "r.html"]
    code, stdout, _ = run([*args, "--family-target", "Cleaning=15", "--margin", "0"], capsys)
    assert code == 0
    cleaning = next(line for line in stdout.splitlines() if line.startswith("Cleaning"))
    assert "15.0 %  15.0 %" in cleaning
    assert " ok " in cleaning
    code, stdout, _ = run([*args, "--target", "25", "--margin", "0"], capsys)
    it = next(line for line in stdout.splitlines() if line.startswith("IT"))
    assert " below " in it
    code, stdout, _ = run([*args, "--local-departments", "69"], capsys)
    assert code == 0
    assert "Local départements: 69" in stdout


def test_separator_encoding_and_xlsx(tmp_path, capsys):
    purchases = write(
        tmp_path / "achats.csv",
        "\ufeffDate;Supplier_ID;Family;Amount\n15/01/2024;S1;Propreté;1 234,50\n",
        "utf-8",
    )
    suppliers = write(
        tmp_path / "fournisseurs.csv",
        "supplier_id;name;size\nS1;Société Générale d'Entretien;micro\n",
        "cp1252",
    )
    code, stdout, stderr = run([purchases, suppliers, "-o", tmp_path / "a.html"], capsys)
    assert code == 0, stderr
    assert "Propreté" in stdout
    assert "1,235 €" in stdout
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Supplier_ID", "Family", "Amount", "Extra"])
    sheet.append([datetime.datetime(2024, 1, 15), "S1", "Propreté", 1234.5])
    sheet.append([None, None, None, None])
    sheet.append([datetime.date(2024, 1, 16), "S2", None, 100])
    workbook.save(tmp_path / "achats.xlsx")
    code, stdout, stderr = run(
        [tmp_path / "achats.xlsx", suppliers, "-o", tmp_path / "b.html"], capsys
    )
    assert code == 0, stderr
    assert "Propreté" in stdout
    assert "Unclassified" in stdout
    assert "1,335 €" in stdout  # the total
    broken = write(tmp_path / "broken.xlsx", "not a workbook")
    code, _, stderr = run([broken, suppliers], capsys)
    assert code == 2
    assert stderr.startswith("error: ") and "broken.xlsx: cannot read" in stderr
    assert stderr.count("\n") == 1


def test_detect_separator():
    # The diagnostic reads its files with the vendor import's reader.
    assert sniff_separator(["a;b;c", "1,5;2;3"]) == ";"
    assert sniff_separator(["a\tb"]) == "\t"
    assert sniff_separator(["a|b|c", "1|2|3"]) == "|"
    assert sniff_separator(["a,b"]) == ","
    assert sniff_separator(["single"]) == ","


def test_missing_column(files, tmp_path, capsys):
    purchases, suppliers = files
    broken = tmp_path / "broken.csv"
    with broken.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(
            [["date", "supplier_id", "family"], ["2024-01-01", "S1", "IT"]]
        )
    code, stdout, stderr = run([broken, suppliers, "-o", tmp_path / "r.html"], capsys)
    assert code == 2
    assert stderr == "error: broken.csv: missing columns: amount\n"
    assert stdout == ""
    assert not (tmp_path / "r.html").exists()
    code, _, stderr = run([purchases, broken, "-o", tmp_path / "r.html"], capsys)
    assert code == 2
    assert stderr == "error: broken.csv: missing columns: name, size\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--local-departments", "75,XX"], "error: invalid département code: XX\n"),
        (["--year", "2024", "--period-end", "2024-06-30"], "--year cannot be combined"),
        (["--period-start", "2024-06-30", "--period-end", "2024-01-01"], "after --period-end"),
    ],
)
def test_bad_options(files, tmp_path, capsys, extra, message):
    code, _, stderr = run([*files, "-o", tmp_path / "r.html", *extra], capsys)
    assert code == 2
    assert message in stderr
    assert stderr.count("\n") == 1


def test_bad_input(files, tmp_path, capsys):
    purchases, suppliers = files
    code, _, stderr = run([tmp_path / "nope.csv", suppliers], capsys)
    assert code == 2
    assert "file not found" in stderr
    code, _, stderr = run([purchases], capsys)
    assert code == 2
    assert "both the purchases and the suppliers" in stderr
    bad_size = write(tmp_path / "bad_size.csv", "supplier_id,name,size\nS1,A,PME\n")
    code, _, stderr = run([purchases, bad_size], capsys)
    assert code == 2
    assert "unknown size values: pme" in stderr


def test_unwritable_output(files, tmp_path, capsys):
    code, _, stderr = run([*files, "-o", tmp_path / "missing" / "r.html"], capsys)
    assert code == 1
    assert stderr.startswith("error: cannot write")


def test_help_documents_columns(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for column in ("supplier_id", "family", "amount", "size", "zip", "headcount", "excluded"):
        assert column in text
