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


def plan_for_large_reads() -> None:
    """For the rest of the current transaction (PostgreSQL), plan as on solid-state storage and
    without JIT compilation: the evaluation reads a few periods' rows (a million of 40 million)
    through the period index, which the default random_page_cost of 4 (spinning disks) turns
    into a scan of the whole table (2.4 s instead of 0.4 s), and JIT compiles every such read
    for 0.2–0.6 s that the read never wins back. No-op elsewhere; must run inside atomic()."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute("SET LOCAL jit = off")
