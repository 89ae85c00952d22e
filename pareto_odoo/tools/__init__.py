from .sql import distance_km_sql
