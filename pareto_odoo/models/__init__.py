from . import pareto_family
from . import product_category
from . import product_template
from . import purchase_order
from . import purchase_order_line
from . import res_company
from . import res_config_settings
from . import res_partner
