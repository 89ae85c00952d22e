from . import pareto_family
from . import pareto_compliance_alert
from . import pareto_compliance_dashboard
from . import pareto_registry
from . import pareto_registry_slot
from . import pareto_sirene_job
from . import pareto_sirene_job_line
from . import product_category
from . import product_template
from . import purchase_order
from . import purchase_order_line
from . import res_company
from . import res_config_settings
from . import res_partner

# Last: its init() installs triggers that read columns added by the models above.
from . import pareto_spend_daily
