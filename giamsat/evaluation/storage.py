"""Set-based writes of result rows: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

BATCH = 5000


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert plain tuples into a table in as few round trips as the database allows."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    quoted = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        statement = f"INSERT INTO {quoted} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
    return count


def replace_rows(
    model,
    *,
    scope: dict,
    key: Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    diff: bool = True,
) -> tuple[int, int]:
    """Make the rows of `model` matching `scope` (a filter) exactly `rows`, writing only the
    difference: rows that vanished or changed are deleted, new or changed ones inserted.
    `columns` start with the `key` columns. Without `diff` (a full rebuild, where nearly
    everything is written anyway) the scope is emptied and refilled. Returns (deleted, inserted)."""
    if not diff:
        deleted, _by_model = model.objects.filter(**scope).delete()
        return deleted, insert_rows(model._meta.db_table, columns, rows)
    width = len(key)
    existing = {}
    for pk, *values in model.objects.filter(**scope).values_list("pk", *columns).iterator(chunk_size=20000):
        existing[tuple(values[:width])] = (pk, tuple(values))
    to_insert = []
    for row in rows:
        row = tuple(row)
        found = existing.pop(row[:width], None)
        if found is None or found[1] != row:
            to_insert.append(row)
            if found is not None:
                existing[row[:width]] = found  # changed: the old row goes
    stale = [pk for pk, _values in existing.values()]
    for start in range(0, len(stale), BATCH):
        model.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    insert_rows(model._meta.db_table, columns, to_insert)
    return len(stale), len(to_insert)
