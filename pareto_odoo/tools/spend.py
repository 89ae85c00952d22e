"""What counts as spend, in SQL: one definition per source, used by the
aggregate's triggers and rebuild, its live reads, the spend report, the
suggestions' history and the vendors' spend. Change a rule here and every
figure follows.

Two sources (DESIGN.md, "Spend" and "Spend basis"):

- ``order``: confirmed purchase order lines (state ``purchase``), untaxed,
  converted to company currency at the order's rate as Odoo's
  ``amount_total_cc`` does, dated by the order's confirmation;
- ``bill``: product lines of posted vendor bills and refunds, untaxed, in
  company currency (the line's balance: refunds are negative), dated by the
  bill's invoice date.

Sections, notes and down payments are not spend in either.
"""

import datetime
import itertools
from dataclasses import dataclass

import pytz
from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

from ..engine.compliance import SOURCE_BILL, SOURCE_ORDER

# The SME suggestions' purchase history: this many months back from today.
HISTORY_MONTHS = 24
# Where the first day of the snapshot is kept (an ISO date).
SINCE_PARAMETER = "pareto_odoo.history_since"


def window_start(now):
    """The first day of the purchase history at ``now`` (UTC datetime): the
    UTC day of confirmation for orders and the invoice date for bills are
    compared with it, as the aggregates store them."""
    return (now - relativedelta(months=HISTORY_MONTHS)).date()


def since_sql():
    """SQL: the first day of the snapshot (NULL when there is none)."""
    return SQL("(SELECT value::date FROM ir_config_parameter WHERE key = %s)", SINCE_PARAMETER)


@dataclass(frozen=True)
class SpendSource:
    """How one source's lines become spend rows. ``line`` and ``head`` are
    the aliases of the line and of its header (order or bill) in the SQL."""

    name: str
    line_table: str
    head_table: str
    head_key: str  # the line's column that points to its header
    amount: SQL  # in company currency, untaxed, signed
    counts: SQL  # the line is spend (header state and line kind)
    day: SQL  # the aggregate's day: UTC day of confirmation, or invoice date
    timestamp: SQL  # the exact moment, for the user's timezone (or the date)
    partner: SQL  # the aggregate's partner: the order's partner, the bill's vendor
    vendor: SQL  # the vendor company (commercial partner) for the flags
    vendor_join: SQL  # the joins that give ``vendor``
    line_columns: tuple  # line columns whose change moves the spend
    head_columns: tuple  # header columns whose change moves the spend


ORDER = SpendSource(
    name=SOURCE_ORDER,
    line_table="purchase_order_line",
    head_table="purchase_order",
    head_key="order_id",
    # No numeric division for the (many) lines in the company's currency:
    # ROUND(x / 1, 6) = x for amounts of at most 6 decimals.
    amount=SQL(
        """(CASE WHEN COALESCE(head.currency_rate, 1) IN (0, 1)
                 THEN COALESCE(line.price_subtotal, 0)
                 ELSE ROUND(COALESCE(line.price_subtotal, 0) / head.currency_rate, 6) END)"""
    ),
    counts=SQL(
        """(head.state = 'purchase' AND head.date_approve IS NOT NULL
            AND line.display_type IS NULL AND line.is_downpayment IS NOT TRUE)"""
    ),
    day=SQL("head.date_approve::date"),
    timestamp=SQL("head.date_approve"),
    partner=SQL("head.partner_id"),
    vendor=SQL("COALESCE(contact.commercial_partner_id, contact.id)"),
    vendor_join=SQL("JOIN res_partner contact ON contact.id = head.partner_id"),
    line_columns=(
        "order_id",
        "company_id",
        "pareto_family_id",
        "price_subtotal",
        "display_type",
        "is_downpayment",
    ),
    head_columns=("state", "date_approve", "currency_rate", "company_id", "partner_id"),
)

BILL = SpendSource(
    name=SOURCE_BILL,
    line_table="account_move_line",
    head_table="account_move",
    head_key="move_id",
    amount=SQL("COALESCE(line.balance, 0)"),
    counts=SQL(
        """(head.state = 'posted' AND head.move_type IN ('in_invoice', 'in_refund')
            AND head.invoice_date IS NOT NULL
            AND line.display_type = 'product' AND line.is_downpayment IS NOT TRUE)"""
    ),
    day=SQL("head.invoice_date"),
    timestamp=SQL("head.invoice_date"),
    partner=SQL("head.commercial_partner_id"),
    vendor=SQL("head.commercial_partner_id"),
    vendor_join=SQL(),
    line_columns=(
        "move_id",
        "company_id",
        "pareto_family_id",
        "balance",
        "display_type",
        "is_downpayment",
    ),
    head_columns=(
        "state",
        "move_type",
        "invoice_date",
        "company_id",
        "commercial_partner_id",
    ),
)

SOURCES = (ORDER, BILL)
SOURCE_BY_NAME = {source.name: source for source in SOURCES}


def spend_lines(source, lines=None, heads=None, condition=None, sign=1, columns=None, joins=None):
    """SELECT of the spend rows of ``source``: one per line that counts,
    with ``company_id``, ``family_id``, ``partner_id`` (the aggregate's
    partner), ``vendor_id`` (commercial partner), ``day``, ``moment``,
    ``head_id``, ``line_id``, ``amount`` (times ``sign``), ``is_sme`` and
    ``excluded`` (the vendor's current flags), plus ``columns`` (SQL).

    ``lines`` and ``heads`` are SQL relations standing for the source's
    tables (transition tables in triggers); ``joins`` adds joins (on
    ``line``, ``head``, ``vendor``); ``condition`` filters further."""
    return SQL(
        """
        SELECT line.company_id, line.pareto_family_id AS family_id,
               %(partner)s AS partner_id, vendor.id AS vendor_id,
               %(day)s AS day, %(moment)s AS moment, head.id AS head_id, line.id AS line_id,
               %(sign)s * %(amount)s AS amount,
               COALESCE(vendor.pareto_is_sme, FALSE) AS is_sme,
               COALESCE(vendor.pareto_excluded, FALSE) AS excluded
               %(columns)s
          FROM %(lines)s line
          JOIN %(heads)s head ON head.id = line.%(head_key)s
          %(vendor_join)s
          JOIN res_partner vendor ON vendor.id = %(vendor)s
          %(joins)s
         WHERE %(counts)s AND %(condition)s
        """,
        columns=SQL(", %s", columns) if columns else SQL(),
        joins=joins or SQL(),
        partner=source.partner,
        day=source.day,
        moment=source.timestamp,
        sign=SQL(str(int(sign))),
        amount=source.amount,
        lines=SQL(lines or source.line_table),
        heads=SQL(heads or source.head_table),
        head_key=SQL.identifier(source.head_key),
        vendor_join=source.vendor_join,
        vendor=source.vendor,
        counts=source.counts,
        condition=condition or SQL("TRUE"),
    )


def flush_spend(env):
    """Flush what the spend SQL reads, so that it sees the pending ORM
    changes of the transaction."""
    env["res.partner"].flush_model(["commercial_partner_id", "pareto_is_sme", "pareto_excluded"])
    env["purchase.order"].flush_model(ORDER.head_columns)
    env["purchase.order.line"].flush_model(ORDER.line_columns)
    env["account.move"].flush_model(BILL.head_columns)
    env["account.move.line"].flush_model(BILL.line_columns)


class Buckets:
    """Consecutive periods of local dates, [dates[0], dates[1]), [dates[1],
    dates[2]), ..., for reading the aggregates by period in the user's
    timezone ``tz`` (bucket 1 is the first period; rows outside get none).

    The aggregates hold UTC days for orders (a confirmation is a moment)
    and invoice dates for bills (a date). A UTC day that a period boundary
    (a local midnight) cuts in two is read from the lines instead, by exact
    moment: at most one day per boundary, so that the cost does not grow
    with the number of lines."""

    def __init__(self, tz, dates):
        self.dates = sorted(set(dates))
        if len(self.dates) < 2:
            raise ValueError("Buckets need at least two boundaries.")
        self.moments = [_utc(tz, day) for day in self.dates]
        self.split_days = sorted(
            {moment.date() for moment in self.moments if moment.time() != datetime.time.min}
        )
        self.first_day = _first_whole_day(self.moments[0])
        self.last_day = self.moments[-1].date()

    def bucket_of(self, day):
        """The bucket index (1-based) of a local date, None outside."""
        for index in range(1, len(self.dates)):
            if self.dates[index - 1] <= day < self.dates[index]:
                return index
        return None

    def aggregate(self, source, day):
        """(condition, bucket) SQL on an aggregate row's ``day`` column."""
        if source.name == SOURCE_BILL:
            return (
                SQL("(%s >= %s AND %s < %s)", day, self.dates[0], day, self.dates[-1]),
                self._bucket(SQL("width_bucket(%s, %s::date[])", day, self.dates)),
            )
        condition = SQL("(%s >= %s AND %s < %s)", day, self.first_day, day, self.last_day)
        if self.split_days:
            condition = SQL("(%s AND %s != ALL(%s::date[]))", condition, day, self.split_days)
        return condition, self._bucket(
            SQL("width_bucket(%s::timestamp, %s::timestamp[])", day, self.moments)
        )

    def covered(self, source):
        """[(bucket, first day, end day)]: the days [first, end) of each
        bucket that the aggregates hold whole (all but the split days)."""
        if source.name == SOURCE_BILL:
            bounds = list(itertools.pairwise(self.dates))
        else:
            bounds = [
                (_first_whole_day(low), high.date())
                for low, high in itertools.pairwise(self.moments)
            ]
        return [(index, first, end) for index, (first, end) in enumerate(bounds, 1) if first < end]

    def _bucket(self, width_bucket):
        """The bucket SQL of rows the condition keeps: 1 for a single period
        (no need to compute it per row)."""
        return SQL("1") if len(self.dates) == 2 else width_bucket

    def live(self, source, moment):
        """(condition, bucket) SQL on a line's exact ``moment``, for the
        days the aggregate does not cover; None when there are none."""
        if source.name == SOURCE_BILL or not self.split_days:
            return None
        start, end = self.moments[0], self.moments[-1]
        ranges = [
            (
                max(start, datetime.datetime.combine(day, datetime.time.min)),
                min(end, datetime.datetime.combine(day, datetime.time.min) + ONE_DAY),
            )
            for day in self.split_days
        ]
        condition = SQL(" OR ").join(
            SQL("(%s >= %s AND %s < %s)", moment, low, moment, high) for low, high in ranges
        )
        return (
            SQL("(%s)", condition),
            SQL("width_bucket(%s, %s::timestamp[])", moment, self.moments),
        )


ONE_DAY = datetime.timedelta(days=1)


def year_parts(first, end):
    """How to sum the days [first, end) of the vendor aggregate with its
    yearly totals beside it: [(kind, low, high, sign)], ``"year"`` for the
    year [low, high) read from the yearly totals, ``"days"`` for the days
    [low, high) read from the daily rows, added (sign 1) or subtracted (-1).
    A year mostly inside the range is its total minus the days outside; a
    year mostly outside, its days inside: never more than half a year of
    daily rows per year."""
    parts = []
    for year in range(first.year, (end - ONE_DAY).year + 1):
        start, stop = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        low, high = max(first, start), min(end, stop)
        inside = (high - low).days
        if inside * 2 <= (stop - start).days:
            parts.append(("days", low, high, 1))
            continue
        parts.append(("year", start, stop, 1))
        parts += [("days", a, b, -1) for a, b in ((start, low), (high, stop)) if a < b]
    return parts


def _first_whole_day(moment):
    """The first UTC day that starts at or after ``moment`` (naive UTC)."""
    return moment.date() + datetime.timedelta(days=moment.time() != datetime.time.min)


def _utc(tz, day):
    """Naive UTC datetime of midnight of ``day`` in ``tz``."""
    local = tz.localize(datetime.datetime.combine(day, datetime.time.min))
    return local.astimezone(pytz.utc).replace(tzinfo=None)
