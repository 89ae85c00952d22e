from contextlib import contextmanager

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


def local_sql(company, department, latitude, longitude):
    """SQL boolean: a vendor company (its ``department``, ``latitude`` and
    ``longitude`` as SQL expressions) is local to ``company``: its
    département is in the company's list, or it lies within the company's
    radius when both sides have coordinates. The set-based form of
    :func:`pareto_odoo.engine.territory.is_local`."""
    local = SQL(
        "COALESCE(%s = ANY(%s::varchar[]), FALSE)",
        department,
        company._pareto_local_department_codes(),
    )
    origin = company.partner_id
    if company.pareto_local_radius_km and (origin.partner_latitude or origin.partner_longitude):
        distance = distance_km_sql(
            latitude, longitude, origin.partner_latitude, origin.partner_longitude
        )
        local = SQL(
            "(%s OR COALESCE(%s <= %s, FALSE))", local, distance, company.pareto_local_radius_km
        )
    return local


def companies_local_sql(companies, company_id, vendor_alias):
    """SQL boolean: the vendor row ``vendor_alias`` is local to the company
    whose id is the SQL ``company_id``, each company with its own settings
    inlined (no join)."""
    cases = [
        SQL(
            "WHEN %s THEN %s",
            company.id,
            local_sql(
                company,
                SQL.identifier(vendor_alias, "pareto_department"),
                SQL.identifier(vendor_alias, "partner_latitude"),
                SQL.identifier(vendor_alias, "partner_longitude"),
            ),
        )
        for company in companies
    ]
    if not cases:
        return SQL("FALSE")
    return SQL("(CASE %s %s ELSE FALSE END)", company_id, SQL(" ").join(cases))


@contextmanager
def planner_settings(cr, **settings):
    """Run the block's queries with these PostgreSQL settings (``SET
    LOCAL``), then give the session its own back (``RESET``). On an error
    the transaction is rolled back, and the settings with it."""
    for name, value in settings.items():
        cr.execute(SQL("SET LOCAL %s = %s", SQL.identifier(name), value))
    yield
    for name in settings:
        cr.execute(SQL("RESET %s", SQL.identifier(name)))
