"""Reading the parameters a client sends (JSON-RPC arguments, query strings
of HTTP routes): a value that cannot be read is an :class:`InvalidParameter`
naming the parameter, never a traceback.

:class:`InvalidParameter` is a :class:`~odoo.exceptions.UserError`: JSON-RPC
callers get its message, and an ``http`` route that lets it through answers
HTTP 400 with the message (Odoo answers a UserError with its
``http_status``)::

    company_id = params.parse_id(request.env, company_id, "company_id")
    day = params.parse_date(request.env, day, "day")
"""

import math

from odoo import fields
from odoo.exceptions import UserError


class InvalidParameter(UserError):
    """A parameter of a request that cannot be read."""

    http_status = 400


def parse_int(env, value, name, default=None, minimum=None, maximum=None):
    """``value`` as an int (``default`` when None or empty): an int, an
    integral float or a text of digits, within [minimum, maximum]."""
    if value is None or value == "":
        return default
    number = None
    if not isinstance(value, bool):
        try:
            number = float(value) if isinstance(value, str) else value
            if isinstance(number, float):
                number = int(number) if math.isfinite(number) and number.is_integer() else None
        except (TypeError, ValueError):
            number = None
    if not isinstance(number, int) or isinstance(number, bool):
        raise InvalidParameter(
            env._("“%(value)s” is not a whole number (%(name)s).", value=shown(value), name=name)
        )
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InvalidParameter(
            env._(
                "%(name)s must be between %(min)s and %(max)s, not %(value)s.",
                name=name,
                min="-∞" if minimum is None else minimum,
                max="∞" if maximum is None else maximum,
                value=number,
            )
        )
    return number


def parse_id(env, value, name):
    """``value`` as a record id (a positive int), or None when empty."""
    return parse_int(env, value, name, minimum=1, maximum=2**31 - 1)


def parse_ids(env, value, name):
    """``value`` (a list of ids, or a text of comma-separated ids) as a list
    of record ids; empty when None or empty."""
    if value is None or value in ("", False):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        items = [items]
    ids = [parse_id(env, item.strip() if isinstance(item, str) else item, name) for item in items]
    if None in ids:
        raise InvalidParameter(
            env._("“%(value)s” is not a list of ids (%(name)s).", value=shown(value), name=name)
        )
    return ids


def parse_date(env, value, name):
    """``value`` (a date or a YYYY-MM-DD text) as a date, or None when empty."""
    if value is None or value in ("", False):
        return None
    try:
        return fields.Date.to_date(value)
    except (TypeError, ValueError):
        raise InvalidParameter(
            env._(
                "“%(value)s” is not a date in the form YYYY-MM-DD (%(name)s).",
                value=shown(value),
                name=name,
            )
        ) from None


def shown(value):
    """``value`` as text for a message, cut after 40 characters."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:40]}…"
