import datetime
import math

import pandas as pd
import pytest

from pareto_odoo.engine import analysis
from pareto_odoo.engine.analysis import (
    FAMILY_TABLE_COLUMNS,
    InputError,
    family_table,
    filter_period,
    monthly_share,
    top_non_sme_suppliers,
    totals,
)

# Hand-computed figures below; the default target is 20 %, margin 5 points,
# local départements Île-de-France.
SUPPLIERS = pd.DataFrame(
    [
        # supplier_id, name, size, zip, country, headcount, turnover, excluded
        ("S1", "Micro Paris", "micro", "75011", "FR", 5, 500_000, ""),  # 100 k€/job
        ("S2", "Small Lyon", "small", "69003", "FR", 10, 2_000_000, "no"),  # 200 k€/job
        ("S3", "Medium Nanterre", "medium", "92000", "FR", None, None, ""),
        ("S4", "Big Corp", "large", "75008", "FR", 10_000, 3e9, ""),
        ("S5", "Mystery", "", "75001", "FR", None, None, ""),
        ("S6", "Intra-group", "small", "75008", "FR", 20, 1_000_000, "yes"),
        ("S7", "ETI Lille", "intermediate", "59000", "FR", 1_000, 2e8, ""),
    ],
    columns=["supplier_id", "name", "size", "zip", "country", "headcount", "turnover", "excluded"],
)

PURCHASES = pd.DataFrame(
    [
        # IT: total 5,000, SME 1,000 (S1, local): 20 % = target -> ok.
        ("2024-01-15", "S1", "IT", 1000.0),
        ("2024-02-10", "S4", "IT", 3000.0),
        ("2024-03-05", "S5", "IT", 1000.0),  # unknown size: non-SME, not covered
        ("2024-03-06", "S6", "IT", 5000.0),  # excluded vendor
        # Cleaning: total 20,000, SME 3,000 -> 15 %: warning; shift 1,000.
        ("2024-01-20", "S2", "Cleaning", 2000.0),
        ("2024-02-20", "S3", "Cleaning", 1000.0),
        ("2024-02-25", "S7", "Cleaning", 7000.0),
        ("2024-04-02", "S4", "Cleaning", 10000.0),
        # Catering (target 30): total 10,000, SME 1,000 -> 10 %: below; shift 2,000.
        ("2024-05-03", "S4", "Catering", 9000.0),
        ("2024-05-04", "S2", "Catering", 1000.0),
        # No family: Unclassified, total 2,000, SME 500.
        ("2024-06-01", "S1", None, 500.0),
        ("2024-06-02", "S4", "", 1500.0),
        # Only an excluded vendor: listed with zero spend.
        ("2024-03-10", "S6", "Intra", 800.0),
    ],
    columns=["date", "supplier_id", "family", "amount"],
)

TARGETS = {"Catering": 30.0, "Legal": 25.0}


@pytest.fixture
def table():
    return family_table(PURCHASES, SUPPLIERS, targets=TARGETS)


def row(frame, family):
    rows = frame[frame["family"] == family]
    assert len(rows) == 1, family
    return rows.iloc[0]


def test_columns_and_family_order(table):
    assert tuple(table.columns) == FAMILY_TABLE_COLUMNS
    assert table["family"].tolist() == [
        "Catering",
        "Cleaning",
        "Intra",
        "IT",
        "Legal",
        "Unclassified",
    ]


def test_family_at_target_is_ok(table):
    it = row(table, "IT")
    assert it["total"] == 5000.0
    assert it["sme_total"] == 1000.0
    assert it["local_sme_total"] == 1000.0
    assert it["share"] == pytest.approx(20.0)
    assert it["local_share"] == pytest.approx(20.0)
    assert it["target"] == 20.0
    assert it["gap"] == pytest.approx(0.0)
    assert it["shift_amount"] == pytest.approx(0.0)
    assert it["status"] == "ok"
    # Unknown size (S5, 1,000 of 5,000) is non-SME and lowers the coverage.
    assert it["coverage"] == pytest.approx(80.0)
    assert it["suppliers"] == 3  # S1, S4, S5 (S6 excluded)
    assert it["sme_suppliers"] == 1
    assert it["jobs_supported"] == pytest.approx(1000.0 / 100_000.0)
    assert it["jobs_unknown_spend"] == 0.0


def test_family_within_margin_is_warning(table):
    cleaning = row(table, "Cleaning")
    assert cleaning["total"] == 20000.0
    assert cleaning["sme_total"] == 3000.0
    assert cleaning["local_sme_total"] == 1000.0  # S3 in 92; S2 in Lyon is not local
    assert cleaning["share"] == pytest.approx(15.0)
    assert cleaning["local_share"] == pytest.approx(5.0)
    assert cleaning["gap"] == pytest.approx(-5.0)
    assert cleaning["shift_amount"] == pytest.approx(1000.0)
    assert cleaning["status"] == "warning"
    assert cleaning["coverage"] == pytest.approx(100.0)
    assert cleaning["suppliers"] == 4
    assert cleaning["sme_suppliers"] == 2
    # S2: 2,000 / (2,000,000 / 10); S3 has no figures.
    assert cleaning["jobs_supported"] == pytest.approx(0.01)
    assert cleaning["jobs_unknown_spend"] == pytest.approx(1000.0)


def test_family_target_and_below(table):
    catering = row(table, "Catering")
    assert catering["target"] == 30.0
    assert catering["share"] == pytest.approx(10.0)
    assert catering["gap"] == pytest.approx(-20.0)
    assert catering["shift_amount"] == pytest.approx(2000.0)
    assert catering["status"] == "below"
    assert catering["jobs_supported"] == pytest.approx(0.005)


def test_zero_total(table):
    legal = row(table, "Legal")  # a target without spend
    assert legal["total"] == 0.0
    assert math.isnan(legal["share"])
    assert math.isnan(legal["local_share"])
    assert math.isnan(legal["coverage"])
    assert math.isnan(legal["gap"])
    assert legal["target"] == 25.0
    assert legal["shift_amount"] == 0.0
    assert legal["status"] == "ok"
    assert legal["suppliers"] == 0


def test_excluded_supplier_left_out_everywhere(table):
    intra = row(table, "Intra")
    assert intra["total"] == 0.0
    assert intra["suppliers"] == 0
    assert intra["status"] == "ok"
    assert table["total"].sum() == pytest.approx(37000.0)


def test_unclassified(table):
    unclassified = row(table, "Unclassified")
    assert unclassified["total"] == 2000.0
    assert unclassified["sme_total"] == 500.0
    assert unclassified["share"] == pytest.approx(25.0)
    assert math.isnan(unclassified["target"])
    assert math.isnan(unclassified["gap"])
    assert math.isnan(unclassified["shift_amount"])
    assert unclassified["status"] is None
    assert unclassified["jobs_supported"] == pytest.approx(0.005)


def test_totals(table):
    total = totals(table)
    assert tuple(total.columns) == FAMILY_TABLE_COLUMNS
    assert len(total) == 1
    total = total.iloc[0]
    assert total["family"] == "Total"
    assert total["total"] == pytest.approx(37000.0)
    assert total["sme_total"] == pytest.approx(5500.0)
    assert total["local_sme_total"] == pytest.approx(2500.0)
    assert total["share"] == pytest.approx(5500.0 / 37000.0 * 100.0)
    assert total["local_share"] == pytest.approx(2500.0 / 37000.0 * 100.0)
    assert total["coverage"] == pytest.approx(36000.0 / 37000.0 * 100.0)
    assert total["shift_amount"] == pytest.approx(3000.0)
    assert total["status"] == "below"
    assert total["jobs_supported"] == pytest.approx(0.03)
    assert total["jobs_unknown_spend"] == pytest.approx(1000.0)
    assert math.isnan(total["target"])
    assert math.isnan(total["suppliers"])


def test_default_target_and_margin():
    table = family_table(PURCHASES, SUPPLIERS, default_target=10.0, margin=1.0)
    assert row(table, "Cleaning")["status"] == "ok"
    assert row(table, "Catering")["status"] == "ok"  # 10 % = target 10
    table = family_table(PURCHASES, SUPPLIERS, default_target=16.0, margin=1.0)
    assert row(table, "Cleaning")["status"] == "warning"  # 15 >= 16 - 1
    assert row(table, "Catering")["status"] == "below"
    assert "Legal" not in table["family"].tolist()


def test_local_departments():
    table = family_table(PURCHASES, SUPPLIERS, local_departments="69")
    assert row(table, "Cleaning")["local_sme_total"] == 2000.0  # S2 in Lyon only
    table = family_table(PURCHASES, SUPPLIERS, local_departments=["69", "92"])
    assert row(table, "Cleaning")["local_sme_total"] == 3000.0
    with pytest.raises(InputError, match="département"):
        family_table(PURCHASES, SUPPLIERS, local_departments="75,XX")


def test_purchase_locality_wins_over_the_vendor():
    # Consolidating companies: S2 (Lyon) is local to the Lyon company's purchase only.
    purchases = PURCHASES.assign(
        is_local=PURCHASES["supplier_id"].eq("S2") & PURCHASES["family"].eq("Catering")
    )
    table = family_table(purchases, SUPPLIERS, targets=TARGETS)
    assert row(table, "Catering")["local_sme_total"] == 1000.0
    assert row(table, "Cleaning")["local_sme_total"] == 0.0  # S3 in 92 is not local here


def test_ess_and_siae_shares():
    suppliers = SUPPLIERS.assign(
        is_ess=SUPPLIERS["supplier_id"].isin(["S2", "S4"]),
        is_siae=SUPPLIERS["supplier_id"].isin(["S3", "S6"]),
    )
    table = family_table(PURCHASES, suppliers, targets=TARGETS)
    cleaning = row(table, "Cleaning")
    assert cleaning["ess_total"] == 12000.0  # S2 2,000 + S4 10,000
    assert cleaning["ess_share"] == pytest.approx(60.0)
    assert cleaning["siae_total"] == 1000.0  # S3; S6 is excluded
    assert row(table, "IT")["siae_total"] == 0.0
    total = totals(table).iloc[0]
    # ESS: IT 3,000 + Cleaning 12,000 + Catering 10,000 + Unclassified 1,500.
    assert total["ess_total"] == 26500.0
    assert total["ess_share"] == pytest.approx(26500.0 / 37000.0 * 100.0)
    assert math.isnan(row(table, "Legal")["ess_share"])
    # Without the columns, nobody is ESS nor SIAE.
    assert row(family_table(PURCHASES, SUPPLIERS), "Cleaning")["ess_total"] == 0.0


def test_jobs_fallback_hook():
    suppliers = SUPPLIERS.assign(naf_section=["", "", "n", "", "", "", ""])
    table = family_table(PURCHASES, suppliers)  # hook unused when None
    assert row(table, "Cleaning")["jobs_unknown_spend"] == pytest.approx(1000.0)
    table = family_table(PURCHASES, suppliers, turnover_per_employee_by_section={"N": 50_000.0})
    cleaning = row(table, "Cleaning")
    assert cleaning["jobs_supported"] == pytest.approx(0.01 + 1000.0 / 50_000.0)
    assert cleaning["jobs_unknown_spend"] == 0.0


def test_jobs_need_positive_headcount_and_turnover():
    suppliers = SUPPLIERS.copy()
    suppliers.loc[suppliers["supplier_id"] == "S2", "turnover"] = 0
    table = family_table(PURCHASES, suppliers)
    cleaning = row(table, "Cleaning")
    assert cleaning["jobs_supported"] == 0.0
    assert cleaning["jobs_unknown_spend"] == pytest.approx(3000.0)


def test_supplier_missing_from_suppliers_is_unknown_size():
    purchases = pd.concat(
        [PURCHASES, pd.DataFrame([("2024-01-01", "S99", "IT", 5000.0)], columns=PURCHASES.columns)]
    )
    it = row(family_table(purchases, SUPPLIERS), "IT")
    assert it["total"] == 10000.0
    assert it["share"] == pytest.approx(10.0)
    assert it["coverage"] == pytest.approx(40.0)
    top = top_non_sme_suppliers(purchases, SUPPLIERS, n=1)
    assert row(top, "IT")["name"] == "S99"


def test_text_input_is_normalised():
    purchases = pd.DataFrame(
        {
            "date": ["15/01/2024", "16/01/2024", "17/01/2024"],
            "supplier_id": [1, 2, 3],
            "family": ["  IT ", "IT", "IT"],
            "amount": ["1 234,50", "1,000.50", "765"],
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["1", "2", "3"],
            "name": ["A", "B", "C"],
            "size": [" Micro", "LARGE", None],
            "zip": [1000, "75001", "97400"],
            "country": ["fr", None, "RE"],
            "excluded": [False, False, True],
        }
    )
    table = family_table(purchases, suppliers, local_departments="01")
    it = row(table, "IT")
    assert it["total"] == pytest.approx(2235.0)
    assert it["sme_total"] == pytest.approx(1234.5)
    assert it["local_sme_total"] == pytest.approx(1234.5)  # zip 1000 -> 01000 -> Ain
    prepared = analysis.prepare_purchases(purchases)
    assert prepared["date"].tolist() == [pd.Timestamp(2024, 1, day) for day in (15, 16, 17)]
    vendors = analysis.prepare_suppliers(suppliers)
    assert vendors.loc["3", "department"] == "974"


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            PURCHASES.drop(columns=["amount", "family"]),
            "purchases: missing columns: family, amount",
        ),
        (PURCHASES.assign(amount=["x"] * len(PURCHASES)), "purchases.amount: not a number: 'x'"),
        (PURCHASES.assign(date=["2024-13-45"] * len(PURCHASES)), "purchases.date"),
    ],
)
def test_bad_purchases(frame, message):
    with pytest.raises(InputError, match=message):
        family_table(frame, SUPPLIERS)


def test_bad_suppliers():
    with pytest.raises(InputError, match="suppliers: missing columns: size"):
        family_table(PURCHASES, SUPPLIERS.drop(columns=["size"]))
    with pytest.raises(InputError, match="unknown size values: pme"):
        family_table(PURCHASES, SUPPLIERS.assign(size=["PME"] * len(SUPPLIERS)))


def test_per_company():
    purchases = PURCHASES.assign(company=["A"] * 4 + ["B"] * (len(PURCHASES) - 4))
    table = family_table(purchases, SUPPLIERS, targets=TARGETS)
    assert table.columns[0] == "company"
    assert tuple(table.columns[1:]) == FAMILY_TABLE_COLUMNS
    assert row(table[table["company"] == "A"], "IT")["share"] == pytest.approx(20.0)
    assert "IT" not in table[table["company"] == "B"]["family"].tolist()
    # Configured families are listed for every company.
    assert len(table[table["family"] == "Legal"]) == 2
    total = totals(table)
    assert total["company"].tolist() == ["A", "B"]
    assert total["total"].tolist() == pytest.approx([5000.0, 32000.0])


def test_empty_purchases():
    table = family_table(PURCHASES.iloc[:0], SUPPLIERS)
    assert table.empty
    assert tuple(table.columns) == FAMILY_TABLE_COLUMNS
    assert totals(table).empty


def test_top_non_sme_suppliers():
    top = top_non_sme_suppliers(PURCHASES, SUPPLIERS, n=2)
    assert list(top.columns) == ["family", "supplier_id", "name", "size", "amount", "rank"]
    assert list(top.itertuples(index=False, name=None)) == [
        ("Catering", "S4", "Big Corp", "large", 9000.0, 1),
        ("Cleaning", "S4", "Big Corp", "large", 10000.0, 1),
        ("Cleaning", "S7", "ETI Lille", "intermediate", 7000.0, 2),
        ("IT", "S4", "Big Corp", "large", 3000.0, 1),
        ("IT", "S5", "Mystery", "", 1000.0, 2),
        ("Unclassified", "S4", "Big Corp", "large", 1500.0, 1),
    ]
    assert top_non_sme_suppliers(PURCHASES, SUPPLIERS, n=1)["rank"].tolist() == [1] * 4
    assert top_non_sme_suppliers(PURCHASES, SUPPLIERS, n=0).empty


def test_top_non_sme_suppliers_sums_and_ties():
    purchases = pd.DataFrame(
        [
            ("2024-01-01", "S7", "IT", 500.0),
            ("2024-01-02", "S5", "IT", 600.0),
            ("2024-01-03", "S4", "IT", 200.0),
            ("2024-01-04", "S4", "IT", 400.0),
        ],
        columns=["date", "supplier_id", "family", "amount"],
    )
    top = top_non_sme_suppliers(purchases, SUPPLIERS)
    # S4 (200 + 400) and S5 tie at 600: by supplier id.
    assert top["supplier_id"].tolist() == ["S4", "S5", "S7"]
    assert top["rank"].tolist() == [1, 2, 3]


def test_monthly_share():
    monthly = monthly_share(PURCHASES, SUPPLIERS, months=3, end="2024-03-31")
    assert list(monthly.columns) == ["family", "month", "total", "sme_total", "share"]
    months = [pd.Timestamp(2024, month, 1) for month in (1, 2, 3)]
    cleaning = monthly[monthly["family"] == "Cleaning"]
    assert cleaning["month"].tolist() == months
    assert cleaning["total"].tolist() == [2000.0, 8000.0, 0.0]
    assert cleaning["share"].tolist()[:2] == pytest.approx([100.0, 12.5])
    assert math.isnan(cleaning["share"].iloc[2])
    it = monthly[monthly["family"] == "IT"]
    assert it["total"].tolist() == [1000.0, 3000.0, 1000.0]  # S6 excluded in March
    assert it["share"].tolist() == pytest.approx([100.0, 0.0, 0.0])
    # Families without spend in the window are absent; excluded-only too.
    assert monthly["family"].unique().tolist() == ["Cleaning", "IT"]


def test_monthly_share_end_and_default():
    monthly = monthly_share(PURCHASES, SUPPLIERS, months=2, end=datetime.date(2024, 2, 15))
    cleaning = monthly[monthly["family"] == "Cleaning"]
    assert cleaning["total"].tolist() == [2000.0, 0.0]  # S3/S7 after the 15th
    monthly = monthly_share(PURCHASES, SUPPLIERS)
    assert monthly["month"].min() == pd.Timestamp(2023, 7, 1)
    assert monthly["month"].max() == pd.Timestamp(2024, 6, 1)
    assert len(monthly) == 12 * monthly["family"].nunique()
    assert monthly["total"].sum() == pytest.approx(37000.0)
    assert monthly_share(PURCHASES, SUPPLIERS, months=0).empty


def test_filter_period():
    kept = filter_period(PURCHASES, datetime.date(2024, 2, 10), "2024-03-05")
    assert sorted(kept["date"]) == ["2024-02-10", "2024-02-20", "2024-02-25", "2024-03-05"]
    assert len(filter_period(PURCHASES)) == len(PURCHASES)


def test_numeric_vendor_ids_and_datetime_dates_give_the_same_table():
    """The addon passes vendor ids as integers and dates as datetime64 (no
    text to parse): the table is the one of the same ids and dates as text."""
    numbers = {f"S{index}": index for index in range(1, 8)}
    suppliers = SUPPLIERS.assign(supplier_id=SUPPLIERS["supplier_id"].map(numbers))
    purchases = PURCHASES.assign(
        supplier_id=PURCHASES["supplier_id"].map(numbers),
        date=pd.to_datetime(PURCHASES["date"]),
    )
    as_text = family_table(
        PURCHASES.assign(supplier_id=PURCHASES["supplier_id"].map(numbers).astype(str)),
        SUPPLIERS.assign(supplier_id=SUPPLIERS["supplier_id"].map(numbers).astype(str)),
    )
    pd.testing.assert_frame_equal(family_table(purchases, suppliers), as_text)
    assert suppliers["supplier_id"].dtype.kind == "i"
