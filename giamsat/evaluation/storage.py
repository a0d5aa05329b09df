"""Set-based reads and writes of rows as columns (numpy arrays or lists, one per column).

Writes: PostgreSQL gets COPY text formatted a block of rows at a time (no Python call per
value); SQLite gets executemany. Float columns use NaN for NULL. Rows are written period by
period, each in the order of the table's unique key (see write_order).

Reads: PostgreSQL sends each column as one packed byte string, read straight into a numpy
array; SQLite's rows become one float array, split into columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import psycopg
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, models, transaction
from psycopg.copy import QueuedLibpqWriter

BATCH = 5000
COPY_BLOCK = 100_000
READ_BLOCK = 1_000_000  # rows per packed value, in a large read
PACKED_LIMIT = 1 << 30  # bytes in one PostgreSQL value, and in one row sent
ESTIMATE_MARGIN = 4  # the planner's row estimate may be this far under the truth
NULL = "\\N"

Column = np.ndarray | Sequence


def _as_array(column: Column) -> np.ndarray:
    return column if isinstance(column, np.ndarray) else np.asarray(column, dtype=object)


def _python_values(column: np.ndarray) -> list:
    """Python values, None for NaN and None (what the database driver binds as NULL)."""
    if column.dtype.kind == "f":
        values = column.astype(object)
        values[np.isnan(column)] = None
        return values.tolist()
    return column.tolist()


def _copy_texts(column: np.ndarray) -> list[str]:
    """COPY's text for each value: numbers as Python prints them (exact for floats), NULL as \\N.
    Texts are the evaluation's own codes (status, basis, pillar): no tab, newline or backslash."""
    if column.dtype.kind == "f":
        texts = np.array(list(map(repr, column.tolist())), dtype=object)
        texts[np.isnan(column)] = NULL
        return texts.tolist()
    if column.dtype.kind in "iub":
        return list(map(str, column.astype(np.int64).tolist()))
    return [NULL if v is None else str(v) for v in column.tolist()]


def read_columns(sql: str, params: Sequence, kinds: str) -> list[np.ndarray]:
    """The columns of a SELECT whose columns are all NOT NULL numbers; `kinds` gives each
    column's type, "i" (64-bit integer) or "f" (double). Ids and counts must stay below 2**53
    (they pass through a double on SQLite).

    PostgreSQL packs each column into one bytea of big-endian binary values (`int8send`,
    `float8send`, `string_agg`), received in binary, so the rows arrive as a few byte strings
    read straight into numpy, with no Python object per row (a COPY or a fetch makes one per
    row). All the aggregates see the rows in the same order, so the columns stay aligned.
    (Not through Django's cursor: its client-side binding cannot receive binary results, so
    these reads are not in connection.queries.)"""
    types = {"i": ("int8", ">i8", np.int64), "f": ("float8", ">f8", np.float64)}
    if connection.vendor == "postgresql":
        names = [f"c{n}" for n in range(len(kinds))]
        packed = ", ".join(
            f"string_agg({types[kind][0]}send({name}::{types[kind][0]}), ''::bytea)"
            for name, kind in zip(names, kinds, strict=True)
        )
        rows = f"({sql}) AS q({', '.join(names)})"
        # A value, and a row sent, hold at most 1 GB: a large read goes in blocks of rows
        # (numbered in scan order, no sort), which costs a grouping (0.6 s on 2.2 M rows).
        numbered = f"SELECT *, row_number() OVER () AS n FROM {rows}"
        in_blocks = f"SELECT {packed} FROM ({numbered}) AS r GROUP BY n / {READ_BLOCK} ORDER BY n / {READ_BLOCK}"
        if _estimated_rows(sql, params) * 8 * len(kinds) * ESTIMATE_MARGIN < PACKED_LIMIT:
            try:
                with transaction.atomic():  # a savepoint: the estimate may be far too low
                    blocks = _fetch_packed(f"SELECT {packed} FROM {rows}", params)
            except (psycopg.errors.ProgramLimitExceeded, psycopg.errors.OutOfMemory):
                blocks = _fetch_packed(in_blocks, params)
        else:
            blocks = _fetch_packed(in_blocks, params)
        return [
            np.frombuffer(b"".join(block[n] for block in blocks), dtype=types[kind][1]).astype(types[kind][2])
            for n, kind in enumerate(kinds)
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        table = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, len(kinds))
    return [table[:, n].astype(types[kind][2]) for n, kind in enumerate(kinds)]


def _fetch_packed(query: str, params: Sequence) -> list[tuple]:
    """The rows of packed columns (none for no rows), received in binary."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(query, list(params), binary=True)
        return [block for block in cursor.fetchall() if block[0] is not None]


def _estimated_rows(sql: str, params: Sequence) -> float:
    """The planner's estimate of the rows a SELECT returns."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str | bytes):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def in_list(values: Sequence) -> str:
    """Placeholders for `column IN (...)`."""
    return ", ".join(["%s"] * len(values)) or "NULL"


def insert_columns(table: str, names: Sequence[str], columns: Sequence[Column], order: np.ndarray | None = None) -> int:
    """Insert rows given as columns into a table; `order` (positions) sets the row order."""
    arrays = [_as_array(c) for c in columns]
    count = len(arrays[0]) if arrays else 0
    if count == 0:
        return 0
    if order is not None:
        arrays = [a[order] for a in arrays]
    quoted = connection.ops.quote_name(table)
    listed = ", ".join(connection.ops.quote_name(c) for c in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A writer thread sends each block while the next one is formatted (the send waits
            # on the server; the formatting holds the interpreter). The driver's own cursor:
            # Django's debug wrapper takes no writer.
            raw = cursor.cursor
            with raw.copy(f"COPY {quoted} ({listed}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                for start in range(0, count, COPY_BLOCK):
                    texts = [_copy_texts(a[start : start + COPY_BLOCK]) for a in arrays]
                    copy.write("".join(f"{line}\n" for line in map("\t".join, zip(*texts, strict=True))))
            return count
        statement = f"INSERT INTO {quoted} ({listed}) VALUES ({', '.join(['%s'] * len(names))})"
        for start in range(0, count, BATCH):
            values = [_python_values(a[start : start + BATCH]) for a in arrays]
            cursor.executemany(statement, list(zip(*values, strict=True)))
    return count


def unique_key(model) -> list[str]:
    """The columns of the model's unique constraint, in the index's order."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            return [model._meta.get_field(f).column for f in constraint.fields]
    raise ValueError(f"{model.__name__} has no unique constraint")


def write_order(model) -> list[str]:
    """The columns rows are written in the order of: the period first, then the unique key.

    Results are read by period (a refresh, the index, a ranking page), so one period's rows
    should share pages: written in the unique key's order (unit first), the scores of six
    periods among 40 M indicator values sat on a third of the table's pages (2.5 s to read,
    warm), a unit's 17 periods of a year interleaved."""
    key = unique_key(model)
    return ["period_id", *(c for c in key if c != "period_id")] if "period_id" in key else key


def key_order(names: Sequence[str], columns: Sequence[Column], key: Sequence[str]) -> np.ndarray:
    """Row positions sorted by the key columns (first column most significant)."""
    position = {name: i for i, name in enumerate(names)}
    keys = [np.asarray(columns[position[k]]) for k in key]
    keys = [k.astype(str) if k.dtype == object else k for k in keys]
    return np.lexsort(tuple(reversed(keys)))


def replace_rows(
    model,
    *,
    scope: dict,
    names: Sequence[str],
    columns: Sequence[Column],
    diff: bool = True,
) -> tuple[int, int]:
    """Make the rows of `model` matching `scope` (a filter) exactly the given rows, writing only
    the difference: rows that vanished or changed are deleted, new or changed ones inserted.
    `names` must include the model's unique key. Without `diff` (a full rebuild, where nearly
    everything is written anyway) the scope is emptied and refilled. Returns (deleted, inserted).

    The difference is taken in numpy: the stored rows come back as numeric columns
    (read_columns), rows of both sides are paired by a hash and compared whole — a refresh
    that changes nine values among 600,000 writes nine."""
    table = model._meta.db_table
    arrays = [_as_array(c) for c in columns]
    order = key_order(names, arrays, write_order(model))
    if not diff:
        deleted, _by_model = model.objects.filter(**scope).delete()
        return deleted, insert_columns(table, names, arrays, order)
    fields = {f.column: f for f in model._meta.concrete_fields}
    fresh, stored_sql, params, kinds = [], [], [], "i"
    for name, array in zip(names, arrays, strict=True):
        encoded, sql, sql_params = _encoded(fields[name], array)
        fresh.append(encoded)
        stored_sql.append(sql)
        params += sql_params
        kinds += "f" if isinstance(fields[name], models.FloatField) else "i"
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    try:
        scope_sql, scope_params = _scope_where(model, scope)
        pk, *stored = read_columns(
            f"SELECT {pk_column}, {', '.join(stored_sql)} FROM {connection.ops.quote_name(table)} WHERE {scope_sql}",
            [*params, *scope_params],
            kinds,
        )
    except EmptyResultSet:  # an empty IN list: nothing stored in scope
        pk, *stored = [np.zeros(0, dtype=np.int64 if kind == "i" else np.float64) for kind in kinds]
    kept_stored, kept_fresh = _same_rows(_matrix([_as_int64(c) for c in stored]), _matrix(fresh))
    stale = pk[~kept_stored]
    new = np.flatnonzero(~kept_fresh)
    stale_list = stale.tolist()
    for start in range(0, len(stale_list), BATCH):
        model.objects.filter(pk__in=stale_list[start : start + BATCH]).delete()
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    new = new[np.argsort(rank[new])]  # in the write order
    insert_columns(table, names, [a[new] for a in arrays])
    return len(stale), len(new)


def _scope_where(model, scope: dict) -> tuple[str, list]:
    """The WHERE condition of `model.objects.filter(**scope)` on the model's own columns.

    Not `pk IN (that query)`: PostgreSQL plans it as a hash join of the subquery with a scan of
    the whole table (15 s on 40 M indicator values, against 0.2 s for the condition itself)."""
    query = model.objects.filter(**scope).query
    if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
        raise ValueError(f"replace_rows scope must use {model.__name__}'s own columns: {scope}")
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except FullResultSet:  # no condition: every row
        return "1 = 1", []
    return sql, list(params)


NAN_BITS = np.array([np.nan]).view(np.int64)[0]


def _encoded(field, array: np.ndarray) -> tuple[np.ndarray, str, list]:
    """A column as int64 for comparing whole rows, and the SQL reading the stored one alike:
    floats as their bits (NULL as NaN), integers (NULL as -1), texts as their position among
    the fresh column's texts (-1 for a stored text not among them)."""
    column = connection.ops.quote_name(field.column)
    if isinstance(field, models.FloatField):
        if connection.vendor == "postgresql":
            return _float_bits(array.astype(np.float64)), f"COALESCE({column}, 'NaN'::float8)", []
        return _float_bits(array.astype(np.float64)), column, []  # SQLite: NULL reads back as NaN
    if isinstance(field, models.CharField):
        texts = sorted({str(v) for v in array.tolist()})
        position = {text: n for n, text in enumerate(texts)}
        codes = np.fromiter((position[str(v)] for v in array.tolist()), dtype=np.int64, count=len(array))
        if not texts:
            return codes, "-1", []
        whens = " ".join("WHEN %s THEN %s" for _ in texts)
        return codes, f"CASE {column} {whens} ELSE -1 END", [x for pair in position.items() for x in pair]
    if array.dtype == object:
        array = np.where(np.equal(array, None), -1, array)
    return array.astype(np.int64), f"COALESCE({column}, -1)", []


def _float_bits(values: np.ndarray) -> np.ndarray:
    bits = (values + 0.0).view(np.int64)  # + 0.0: -0.0 compares as 0.0
    return np.where(np.isnan(values), NAN_BITS, bits)


def _as_int64(column: np.ndarray) -> np.ndarray:
    """A stored column read back: int64 as is; a float column's doubles as their bits."""
    return column if column.dtype == np.int64 else _float_bits(column)


def _matrix(columns: list[np.ndarray]) -> np.ndarray:
    """Columns of int64 as one (rows, columns) matrix."""
    if not columns:
        return np.zeros((0, 0), dtype=np.int64)
    return np.stack(columns, axis=1) if len(columns[0]) else np.zeros((0, len(columns)), dtype=np.int64)


HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def _row_hashes(matrix: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row (multiply-xorshift over the columns)."""
    hashes = np.zeros(len(matrix), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(matrix.shape[1]):
            hashes = (hashes ^ matrix[:, j].view(np.uint64)) * HASH_MULTIPLIER
            hashes ^= hashes >> np.uint64(29)
    return hashes


def _same_rows(stored: np.ndarray, fresh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which stored rows have an identical fresh row, and which fresh rows an identical stored
    one. Each stored row is paired with a fresh row of the same hash (sorting 64-bit hashes is
    far faster than sorting whole rows), then compared whole; both sides hold distinct rows (a
    unique key), so pairs are one to one, and a hash collision only costs a rewrite, never a
    missed change."""
    kept_stored = np.zeros(len(stored), dtype=bool)
    kept_fresh = np.zeros(len(fresh), dtype=bool)
    if len(stored) == 0 or len(fresh) == 0:
        return kept_stored, kept_fresh
    stored_hashes, fresh_hashes = _row_hashes(stored), _row_hashes(fresh)
    order = np.argsort(fresh_hashes)
    at = np.minimum(np.searchsorted(fresh_hashes[order], stored_hashes), len(order) - 1)
    partner = order[at]
    kept_stored = (fresh_hashes[partner] == stored_hashes) & (stored == fresh[partner]).all(axis=1)
    kept_fresh[partner[kept_stored]] = True
    return kept_stored, kept_fresh
