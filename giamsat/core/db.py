"""Database helpers shared by the apps."""

from django.db import connection


def analyze(*models) -> None:
    """Refresh the query planner's statistics of the models' tables after a bulk write.

    A table filled with millions of rows keeps the statistics of when it was empty until
    autovacuum comes round (never, where it is off), and the planner then joins thousands of
    rows by nested loops: a page of 100 ranked communes took a second instead of 20 ms."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    if not tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")  # sampled: seconds, not minutes, at scale
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
