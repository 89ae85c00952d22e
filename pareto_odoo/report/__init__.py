from . import pareto_spend_report
from . import report_compliance_summary
