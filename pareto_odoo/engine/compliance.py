"""Compliance arithmetic for one family, one company, one period."""

import calendar
import datetime

OK = "ok"
WARNING = "warning"
BELOW = "below"
STATUS_ORDER = {OK: 0, WARNING: 1, BELOW: 2}
# What a screen shows instead of ``ok`` for a family without any spend: its
# status stays ``ok`` (the rule of :func:`status`), but "on target" would not
# be true.
NO_SPEND = "no_spend"

# Spend bases of a company, and the source of the spend each one counts.
ORDERED = "ordered"
INVOICED = "invoiced"
SOURCE_ORDER = "order"
SOURCE_BILL = "bill"
BASIS_SOURCE = {ORDERED: SOURCE_ORDER, INVOICED: SOURCE_BILL}

CALENDAR_YEAR = "calendar_year"
FISCAL_YEAR = "fiscal_year"
ROLLING_12 = "rolling_12"


def share(sme_total, total):
    """SME share in percent (0-100), None when there is no spend."""
    if not total:
        return None
    return sme_total / total * 100.0


def shift_amount(target, total, sme_total):
    """Spend to move to SMEs to reach the target: max(0, target% x total - SME)."""
    return max(0.0, target / 100.0 * (total or 0.0) - (sme_total or 0.0))


def status(share_percent, target, margin):
    """``ok`` at or above target (or with no spend at all), ``warning`` within
    ``margin`` points below it, ``below`` otherwise."""
    if share_percent is None or share_percent >= target:
        return OK
    if share_percent >= target - margin:
        return WARNING
    return BELOW


def shown_status(status_value, total):
    """The status a screen shows for a family: :data:`NO_SPEND` when it has
    no spend at all (``total`` 0 or None), else its status."""
    if status_value == OK and not total:
        return NO_SPEND
    return status_value


def already_below(share_percent, target):
    """Whether a share was below its target before an order: such an order
    keeps the family below target rather than pushing it below. No spend
    (None) is not below target."""
    return status(share_percent, target, 0.0) == BELOW


def worst_status(statuses):
    """The worst of several statuses (None for none)."""
    statuses = [s for s in statuses if s]
    return max(statuses, key=STATUS_ORDER.__getitem__) if statuses else None


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def period_bounds(spend_date, period=CALENDAR_YEAR):
    """Inclusive (start, end) dates of the period containing ``spend_date``.

    Fiscal years depend on the company's accounting settings: the Odoo layer
    computes those with Odoo's own fiscal year dates.
    """
    if period == CALENDAR_YEAR:
        return datetime.date(spend_date.year, 1, 1), datetime.date(spend_date.year, 12, 31)
    if period == ROLLING_12:
        return _add_months(spend_date, -12) + datetime.timedelta(days=1), spend_date
    raise ValueError(f"Unknown period kind: {period!r}")


def family_figures(target, margin, total, sme_total, order_total, order_sme_total):
    """The figures of one family: current (without the order) and projected
    (with it), with the shift amount and status on the projected figures."""
    projected_total = total + order_total
    projected_sme_total = sme_total + order_sme_total
    projected_share = share(projected_sme_total, projected_total)
    return {
        "target": target,
        "total": total,
        "sme_total": sme_total,
        "share": share(sme_total, total),
        "projected_total": projected_total,
        "projected_sme_total": projected_sme_total,
        "projected_share": projected_share,
        "shift_amount": shift_amount(target, projected_total, projected_sme_total),
        "status": status(projected_share, target, margin),
    }
