"""19.0.1.1.0: restore the size sources turned into "manual" by mistake
(see odoo.addons.pareto_odoo.tools.size_source_repair)."""

from odoo import SUPERUSER_ID, api

from odoo.addons.pareto_odoo.tools.size_source_repair import restore_size_sources


def migrate(cr, version):
    if not version:
        return
    restore_size_sources(api.Environment(cr, SUPERUSER_ID, {}))
