from . import pareto_spend_report
from . import report_compliance_summary
from . import pareto_payment_report
from . import report_late_payment_table
