"""How a buyer pays its vendors: payment delays, late days, the statutory
late-payment table (Code de commerce art. D.441-6), the legal cap on payment
terms (art. L.441-10) and a vendor's dependency on our purchases.

Pure functions on dates and amounts: the Odoo layer gathers the bills with
SQL aggregates and calls these, or builds its SQL from the same constants.
"""

import calendar
import datetime

# The lateness buckets of the statutory table: (key, first day, last day or None).
LATE_BUCKETS = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91+", 91, None),
)
# Art. L.441-10: 60 days from the invoice date, or 45 days end of month.
LEGAL_DAYS_FROM_INVOICE = 60
LEGAL_DAYS_END_OF_MONTH = 45
# The dependency threshold a company starts with, in percent of the vendor's turnover.
DEFAULT_DEPENDENCY_THRESHOLD = 30.0


def delay_days(invoice_date, payment_date):
    """Days from the invoice date to the date the bill became fully paid;
    None while it is unpaid (or undated)."""
    if not invoice_date or not payment_date:
        return None
    return (payment_date - invoice_date).days


def late_days(due_date, payment_date, closing_date):
    """Days past due: to the payment date, or to ``closing_date`` while the
    bill is unpaid; 0 when paid (or still) within the due date."""
    if not due_date:
        return 0
    end = payment_date or closing_date
    return max(0, (end - due_date).days)


def bucket_of(days_late):
    """The key of the statutory bucket of ``days_late`` (None when not late)."""
    for key, first, last in LATE_BUCKETS:
        if days_late >= first and (last is None or days_late <= last):
            return key
    return None


def share_of(amount, year_purchases):
    """``amount`` in percent of the year's purchases (None without purchases)."""
    return amount * 100.0 / year_purchases if year_purchases else None


def late_payment_table(groups, year_purchases):
    """The statutory table of unpaid bills past due at a closing date.

    ``groups``: iterable of (days late at the closing date, number of bills,
    amount due including taxes), e.g. one per day of lateness; groups not
    late are ignored. ``year_purchases``: the fiscal year's purchases
    including taxes, up to the closing date. Returns ``{"buckets": [{bucket,
    count, amount, share}], "total": {count, amount, share},
    "year_purchases": amount}``, shares in percent (None without
    purchases)."""
    counts = {key: [0, 0.0] for key, _first, _last in LATE_BUCKETS}
    for days_late, count, amount in groups:
        key = bucket_of(days_late)
        if key is not None:
            counts[key][0] += count
            counts[key][1] += amount
    buckets = [
        {"bucket": key, "count": count, "amount": amount, "share": share_of(amount, year_purchases)}
        for key, (count, amount) in counts.items()
    ]
    total_amount = sum(bucket["amount"] for bucket in buckets)
    return {
        "buckets": buckets,
        "total": {
            "count": sum(bucket["count"] for bucket in buckets),
            "amount": total_amount,
            "share": share_of(total_amount, year_purchases),
        },
        "year_purchases": year_purchases,
    }


def legal_due_date(invoice_date):
    """The latest due date the law admits for a bill of ``invoice_date``:
    the later of 60 days from the invoice date and 45 days after the end of
    its month (either reading of art. L.441-10 is lawful; a term is flagged
    only when it exceeds both)."""
    last_day = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
    end_of_month = invoice_date.replace(day=last_day)
    return max(
        invoice_date + datetime.timedelta(days=LEGAL_DAYS_FROM_INVOICE),
        end_of_month + datetime.timedelta(days=LEGAL_DAYS_END_OF_MONTH),
    )


def days_over_legal_cap(due_dates):
    """The most days by which a payment term's due dates exceed the legal
    cap: ``due_dates`` maps invoice dates to the latest due date the term
    gives them (sample a whole year: end-of-month terms depend on the day).
    0 when the term is always within the cap."""
    return max(
        (
            (due - legal_due_date(invoice)).days
            for invoice, due in due_dates
            if due and due > legal_due_date(invoice)
        ),
        default=0,
    )


def sample_invoice_dates(year=2025):
    """Every day of a (non-leap) year: the invoice dates on which a payment
    term is checked against the legal cap."""
    start = datetime.date(year, 1, 1)
    return [start + datetime.timedelta(days=offset) for offset in range(365)]


def dependency(spend, turnover):
    """Our spend with a vendor over 12 months in percent of its turnover;
    None without a known (positive) turnover."""
    if not turnover or turnover <= 0:
        return None
    return (spend or 0.0) * 100.0 / turnover


def is_dependent(dependency_percent, threshold):
    """Whether a dependency is above the company's threshold."""
    return dependency_percent is not None and dependency_percent > threshold
