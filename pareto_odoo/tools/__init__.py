from .domains import boolean_search
from .sql import companies_local_sql, distance_km_sql, local_sql, planner_settings
from . import write_guard
from . import params
