from . import pareto_write_guard
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
from . import pareto_suggestions
from . import purchase_order_line
from . import account_move
from . import account_move_line
from . import account_partial_reconcile
from . import account_payment_term
from . import res_company
from . import res_config_settings
from . import res_partner

# Last: the aggregates, then the change log whose init() installs the
# triggers that read columns added by the models above.
from . import pareto_spend_mixin
from . import pareto_spend_daily
from . import pareto_spend_vendor
from . import pareto_spend_vendor_year
from . import pareto_spend_history
from . import pareto_spend_delta
