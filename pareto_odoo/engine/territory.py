"""French départements from zip codes, and what counts as local."""

import math
import re

ILE_DE_FRANCE = ("75", "77", "78", "91", "92", "93", "94", "95")
DEFAULT_LOCAL_DEPARTMENTS = ",".join(ILE_DE_FRANCE)

# Overseas territories that Odoo files as countries of their own; their zip
# codes are French (97x / 98x).
FRENCH_COUNTRY_CODES = frozenset(("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF"))

_ZIP_RE = re.compile(r"^\d{5}$")
_DEPARTMENT_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8]|98[4-9])$")
EARTH_RADIUS_KM = 6371.0088


def department_from_zip(zip_code, country_code="FR"):
    """Département code of a French zip code ("75", "2A", "974"), or None.

    None for a foreign country, Monaco (980xx) and anything that is not five
    digits once spaces are removed: a malformed zip is "unknown", never an error.
    """
    if not zip_code or (country_code or "FR").upper() not in FRENCH_COUNTRY_CODES:
        return None
    digits = re.sub(r"\s+", "", str(zip_code))
    if not _ZIP_RE.match(digits):
        return None
    if digits.startswith("20"):
        # Corsica: 200xx-201xx is Corse-du-Sud, 202xx-206xx Haute-Corse.
        third = digits[2]
        if third in "01":
            return "2A"
        if third in "23456":
            return "2B"
        return None
    if digits.startswith(("97", "98")):
        if digits.startswith("980"):
            return None  # Monaco
        department = digits[:3]
    else:
        department = digits[:2]
    return department if _DEPARTMENT_RE.match(department) else None


def parse_departments(text):
    """List of département codes from a comma/space separated text.

    Raises ValueError naming the first invalid code, so that a setting can
    explain what is wrong instead of silently ignoring it.
    """
    codes = []
    for raw in re.split(r"[\s,;]+", text or ""):
        if not raw:
            continue
        code = raw.upper()
        if len(code) == 1 and code.isdigit():
            code = "0" + code
        if not _DEPARTMENT_RE.match(code):
            raise ValueError(raw)
        if code not in codes:
            codes.append(code)
    return codes


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle (haversine) distance in km, or None if a coordinate is missing."""
    if any(value in (None, False) for value in (lat1, lon1, lat2, lon2)):
        return None
    if not any((lat1, lon1)) or not any((lat2, lon2)):
        # Odoo stores "no coordinates" as 0.0/0.0.
        return None
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def is_local(department, local_departments, distance=None, radius_km=0.0):
    """Local when the département is in the company's list, or when the
    distance is known and within a non-zero radius."""
    if department and department in local_departments:
        return True
    return bool(radius_km and distance is not None and distance <= radius_km)
