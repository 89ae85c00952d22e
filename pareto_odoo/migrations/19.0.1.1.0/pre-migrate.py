"""19.0.1.1.0, before the module is updated: clear the local radii that are
not finite numbers (a NaN radius made every geolocated vendor local), so
that the stricter CHECK constraint of res.company can be added."""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """UPDATE res_company SET pareto_local_radius_km = 0
            WHERE pareto_local_radius_km = 'NaN'::float8
               OR pareto_local_radius_km IN ('Infinity'::float8, '-Infinity'::float8)"""
        )
    )
    if cr.rowcount:
        _logger.info("Pareto: local radius reset to 0 on %s companies (not a number).", cr.rowcount)
