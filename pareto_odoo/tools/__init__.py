from .sql import distance_km_sql
from . import write_guard
from . import params
