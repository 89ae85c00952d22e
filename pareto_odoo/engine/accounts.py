"""Accounting rules: which purchasing family an account code falls in."""

import re

_PREFIX_RE = re.compile(r"^[0-9A-Za-z]+$")

# Error code of parse_prefixes (the Odoo layer phrases it).
INVALID_PREFIX = "invalid_account_prefix"


class AccountPrefixError(ValueError):
    """A prefix that is not an account code prefix; ``args[0]`` is the code,
    ``args[1]`` the offending prefix."""


def parse_prefixes(text):
    """The account code prefixes of a comma-separated text ("6226, 6227"),
    in order, without duplicates; raises AccountPrefixError on a prefix that
    is not made of digits and letters only. Empty text: no prefix."""
    prefixes = []
    for part in (text or "").split(","):
        prefix = part.strip()
        if not prefix:
            continue
        if not _PREFIX_RE.match(prefix):
            raise AccountPrefixError(INVALID_PREFIX, prefix)
        if prefix not in prefixes:
            prefixes.append(prefix)
    return prefixes


def format_prefixes(prefixes):
    """The stored form of a list of prefixes: "6226,6227"."""
    return ",".join(prefixes)


def family_of_account(code, prefixes_by_family):
    """The family whose prefix matches the start of the account ``code``,
    the longest prefix winning (ties: the first family given); None when
    none matches. ``prefixes_by_family``: iterable of (family, [prefixes])."""
    best, best_length = None, 0
    for family, prefixes in prefixes_by_family:
        for prefix in prefixes:
            if len(prefix) > best_length and (code or "").startswith(prefix):
                best, best_length = family, len(prefix)
    return best
