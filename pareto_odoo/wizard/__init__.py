from . import pareto_registry_discovery
from . import pareto_registry_discovery_line
from . import pareto_vendor_import
from . import pareto_vendor_import_line
from . import pareto_confirm_warning
from . import pareto_late_payment_table
