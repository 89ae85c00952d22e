from odoo.tools import SQL

from ..engine.territory import EARTH_RADIUS_KM


def distance_km_sql(latitude_sql, longitude_sql, latitude, longitude):
    """Haversine distance in km between a row's coordinates and a point, as
    SQL; NULL when the row has none (Odoo stores "none" as 0.0, 0.0)."""
    return SQL(
        """CASE WHEN COALESCE(%(lat)s, 0) = 0 AND COALESCE(%(lon)s, 0) = 0 THEN NULL
           ELSE 2 * %(radius)s * ASIN(LEAST(1.0, SQRT(
                POWER(SIN(RADIANS(%(lat)s - %(lat0)s) / 2), 2)
                + COS(RADIANS(%(lat0)s)) * COS(RADIANS(%(lat)s))
                * POWER(SIN(RADIANS(%(lon)s - %(lon0)s) / 2), 2))))
           END""",
        lat=latitude_sql,
        lon=longitude_sql,
        lat0=latitude,
        lon0=longitude,
        radius=EARTH_RADIUS_KM,
    )
