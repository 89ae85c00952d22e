from odoo import api, models

from ..tools import write_guard


class ParetoWriteGuard(models.AbstractModel):
    """Inherit it on every model the addon defines or extends
    (``_inherit = ["purchase.order.line", "pareto.write.guard"]``): its
    ``create`` and ``write`` refuse the addon's derived fields and invalid
    numbers, and its ``default_get`` drops defaults of derived fields. See
    :mod:`pareto_odoo.tools.write_guard` for the rules."""

    _name = "pareto.write.guard"
    _description = "Pareto Write Guard"

    @api.model_create_multi
    def create(self, vals_list):
        write_guard.check(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        write_guard.check(self, [vals])
        return super().write(vals)

    @api.model
    def default_get(self, fields):
        return write_guard.drop_derived(self, super().default_get(fields))
