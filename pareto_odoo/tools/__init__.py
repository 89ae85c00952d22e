from .sql import companies_local_sql, distance_km_sql, local_sql
