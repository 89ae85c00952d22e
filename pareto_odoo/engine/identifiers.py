"""SIREN / SIRET numbers: the one parser of the addon, built on python-stdnum.

Every SIREN or SIRET read anywhere (a partner's Company ID, an imported file,
the registry's answers, the Sirene stock file) goes through :func:`parse`.
"""

import re

from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

# Why a number is invalid, for the caller to phrase (and translate).
INVALID_FORMAT = "format"
INVALID_LENGTH = "length"
INVALID_CHECKSUM = "checksum"

SIREN_LENGTH = 9
SIRET_LENGTH = 14

# Separators people type or spreadsheets add: spaces (no-break ones too), dots, dashes.
_SEPARATORS_RE = re.compile(r"[\s.\-\u00a0\u202f]")
# A number a spreadsheet turned into a float: "842153678.0".
_FLOAT_TEXT_RE = re.compile(r"^(\d+)\.0+$")


class InvalidIdentifier(ValueError):
    """``value`` is not a valid SIREN or SIRET; ``reason`` is one of the INVALID_* codes.

    ``kind`` is ``siren`` or ``siret`` when the length told which one was meant.
    """

    def __init__(self, value, reason, kind=None):
        self.value = value
        self.reason = reason
        self.kind = kind
        super().__init__(f"Invalid SIREN/SIRET {value!r}: {reason}")


def compact(value):
    """The digits (and anything else typed) of ``value`` without separators; "" for none."""
    text = "" if value is None or value is False else str(value).strip()
    found = _FLOAT_TEXT_RE.match(text)
    if found:
        text = found.group(1)
    return _SEPARATORS_RE.sub("", text)


def parse(value, *, restore_leading_zero=False):
    """``(siren, siret)`` of a SIREN or SIRET; ``(None, None)`` when empty.

    ``siret`` is None for a SIREN. Separators are ignored; with
    ``restore_leading_zero`` (numbers read from spreadsheets), a number of 8 or
    13 digits gets back the leading zero the spreadsheet dropped. Checksums
    are verified by python-stdnum (La Poste's SIRETs included). Raises
    :class:`InvalidIdentifier`.
    """
    digits = compact(value)
    if not digits:
        return None, None
    if not digits.isdigit():
        raise InvalidIdentifier(value, INVALID_FORMAT)
    if restore_leading_zero and len(digits) in (SIREN_LENGTH - 1, SIRET_LENGTH - 1):
        digits = "0" + digits
    module, kind = {
        SIREN_LENGTH: (stdnum_siren, "siren"),
        SIRET_LENGTH: (stdnum_siret, "siret"),
    }.get(len(digits), (None, None))
    if module is None:
        raise InvalidIdentifier(value, INVALID_LENGTH)
    try:
        module.validate(digits)
    except InvalidChecksum as exc:
        raise InvalidIdentifier(value, INVALID_CHECKSUM, kind) from exc
    except InvalidLength as exc:
        raise InvalidIdentifier(value, INVALID_LENGTH, kind) from exc
    except ValidationError as exc:
        raise InvalidIdentifier(value, INVALID_FORMAT, kind) from exc
    if kind == "siret":
        return digits[:SIREN_LENGTH], digits
    return digits, None


def registry_number_error(value):
    """None when ``value`` is empty or a valid SIREN or SIRET; else why it is invalid."""
    try:
        parse(value)
    except InvalidIdentifier as exc:
        return exc.reason
    return None


def siren_of(value):
    """The SIREN of a valid SIREN or SIRET, else None."""
    try:
        return parse(value)[0]
    except InvalidIdentifier:
        return None


def siret_of(value):
    """The SIRET of a valid SIRET, else None (a SIREN has none)."""
    try:
        return parse(value)[1]
    except InvalidIdentifier:
        return None
