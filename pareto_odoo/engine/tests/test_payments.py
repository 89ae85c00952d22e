"""Payment delays, the statutory table, the legal cap and dependency, by hand."""

import datetime

import pytest

from pareto_odoo.engine import payments

D = datetime.date


def test_delay_is_from_invoice_to_full_payment():
    assert payments.delay_days(D(2026, 1, 10), D(2026, 3, 1)) == 50
    assert payments.delay_days(D(2026, 1, 10), None) is None


def test_late_days_count_to_payment_or_to_the_closing_date():
    due = D(2026, 2, 9)
    assert payments.late_days(due, D(2026, 2, 9), D(2026, 12, 31)) == 0
    assert payments.late_days(due, D(2026, 2, 1), D(2026, 12, 31)) == 0  # early
    assert payments.late_days(due, D(2026, 3, 11), D(2026, 12, 31)) == 30
    # Unpaid: late up to the closing date.
    assert payments.late_days(due, None, D(2026, 3, 12)) == 31
    assert payments.late_days(None, None, D(2026, 3, 12)) == 0


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, None), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "91+"), (400, "91+")],
)  # fmt: skip
def test_buckets_follow_d441_6(days, bucket):
    assert payments.bucket_of(days) == bucket


def test_late_payment_table_by_hand():
    # (days late, bills, amount): two bills 5 days late, one 30, one 31, one 95.
    groups = [(0, 1, 999.0), (5, 2, 1200.0), (30, 1, 300.0), (31, 1, 600.0), (95, 1, 2400.0)]
    table = payments.late_payment_table(groups, year_purchases=120000.0)
    by_key = {row["bucket"]: row for row in table["buckets"]}
    assert [row["bucket"] for row in table["buckets"]] == ["1-30", "31-60", "61-90", "91+"]
    assert by_key["1-30"] == {"bucket": "1-30", "count": 3, "amount": 1500.0, "share": 1.25}
    assert by_key["31-60"]["count"] == 1 and by_key["31-60"]["share"] == 0.5
    assert by_key["61-90"] == {"bucket": "61-90", "count": 0, "amount": 0.0, "share": 0.0}
    assert by_key["91+"]["amount"] == 2400.0 and by_key["91+"]["share"] == 2.0
    assert table["total"] == {"count": 5, "amount": 4500.0, "share": 3.75}
    assert table["year_purchases"] == 120000.0


def test_late_payment_table_without_purchases_has_no_share():
    table = payments.late_payment_table([(10, 1, 50.0)], year_purchases=0.0)
    assert table["total"]["share"] is None
    assert table["buckets"][0]["share"] is None


def test_legal_due_date_is_the_later_reading():
    # 15 January: 60 days -> 16 March; end of month + 45 days -> 17 March.
    assert payments.legal_due_date(D(2025, 1, 15)) == D(2025, 3, 17)
    # 1 February: 60 days -> 2 April; 28 February + 45 days -> 14 April.
    assert payments.legal_due_date(D(2025, 2, 1)) == D(2025, 4, 14)
    # 31 December: 60 days -> 1 March; + 45 days -> 14 February.
    assert payments.legal_due_date(D(2025, 12, 31)) == D(2026, 3, 1)


def test_days_over_legal_cap():
    days = payments.sample_invoice_dates()
    assert len(days) == 365 and days[0] == D(2025, 1, 1) and days[-1] == D(2025, 12, 31)

    def term(delay):
        return [(day, day + datetime.timedelta(days=delay)) for day in days]

    assert payments.days_over_legal_cap(term(30)) == 0
    assert payments.days_over_legal_cap(term(60)) == 0
    # 90 days net: worst on the 31st of a month (31 Dec: cap 1 March, due 31 March).
    assert payments.days_over_legal_cap(term(90)) == 30

    # 45 days end of month (the lawful reading): within the cap every day.
    def end_of_month_45(day):
        following = day.replace(day=28) + datetime.timedelta(days=4)
        return following - datetime.timedelta(days=following.day) + datetime.timedelta(days=45)

    assert payments.days_over_legal_cap([(day, end_of_month_45(day)) for day in days]) == 0
    assert payments.days_over_legal_cap([(D(2025, 1, 1), None)]) == 0


def test_dependency():
    assert payments.dependency(450000.0, 1500000.0) == 30.0
    assert payments.dependency(0.0, 1500000.0) == 0.0
    assert payments.dependency(1000.0, None) is None
    assert payments.dependency(1000.0, 0.0) is None
    assert payments.dependency(1000.0, -5.0) is None
    assert not payments.is_dependent(30.0, 30.0)
    assert payments.is_dependent(30.01, 30.0)
    assert not payments.is_dependent(None, 30.0)
