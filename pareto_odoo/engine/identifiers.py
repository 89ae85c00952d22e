"""SIREN / SIRET numbers, checked with python-stdnum."""

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.fr import siren, siret

# Error kinds, for the caller to phrase (and translate) its own message.
INVALID_FORMAT = "format"
INVALID_LENGTH = "length"
INVALID_CHECKSUM = "checksum"


def registry_number_error(value):
    """None when ``value`` is empty or a valid SIREN (9 digits) or SIRET (14
    digits); else the kind of error: format, length or checksum."""
    if not value or not str(value).strip():
        return None
    compact = siret.compact(str(value))
    if not compact.isdigit():
        return INVALID_FORMAT
    module = {9: siren, 14: siret}.get(len(compact))
    if module is None:
        return INVALID_LENGTH
    try:
        module.validate(compact)
    except InvalidChecksum:
        return INVALID_CHECKSUM
    except InvalidLength:
        return INVALID_LENGTH
    except (InvalidFormat, ValidationError):
        return INVALID_FORMAT
    return None


def siren_of(value):
    """The SIREN of a valid SIREN or SIRET, else None."""
    if registry_number_error(value) is not None or not value:
        return None
    return siret.compact(str(value))[:9]
