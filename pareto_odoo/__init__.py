# The pure-Python engine (``pareto_odoo.engine``) must import without Odoo, so the
# Odoo layer is only loaded when Odoo itself loads this package as an addon.
if __name__.startswith("odoo.addons."):
    from . import models
    from . import controllers
    from . import report
    from . import wizard
    from . import demo
    from .hooks import post_init_hook, pre_init_hook
    from .hooks import uninstall_hook
