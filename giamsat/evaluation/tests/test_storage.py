"""Result rows written as columns: the full rebuild and the difference taken by the database."""

import math

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giamsat.evaluation.models import IndexValue, IndicatorValue
from giamsat.evaluation.storage import insert_columns, replace_rows

pytestmark = pytest.mark.django_db

NAMES = ("methodology_id", "org_unit_id", "period_id", "pillar", "value", "rank_period", "peers_period")


def columns(rows):
    """Rows as the columns replace_rows takes: NaN for a NULL float, None for a NULL integer."""
    m, u, p, pillar, v, rank, peers = zip(*rows, strict=True)
    return (
        np.array(m, dtype=np.int64),
        np.array(u, dtype=np.int64),
        np.array(p, dtype=np.int64),
        np.array(pillar, dtype=object),
        np.array(v, dtype=np.float64),
        np.array(rank, dtype=object),
        np.array(peers, dtype=object),
    )


def stored():
    return {
        (r.org_unit_id, r.period_id, r.pillar): (r.value, r.rank_period, r.peers_period)
        for r in IndexValue.objects.all()
    }


ROWS = [
    (1, 10, 5, "OVERALL", 0.5, 2, 3),
    (1, 11, 5, "OVERALL", 0.25, None, None),
    (1, 10, 5, "INFRASTRUCTURE", 1 / 3, 1, 3),
    (1, 10, 6, "OVERALL", 0.75, 1, 3),  # another period: outside the scope below
]


def test_full_rebuild_writes_every_row_exactly():
    with CaptureQueriesContext(connection):  # Django's debug cursor, as with DEBUG on
        deleted, inserted = replace_rows(
            IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False
        )
    assert (deleted, inserted) == (0, 4)
    assert stored()[(10, 5, "INFRASTRUCTURE")] == (1 / 3, 1, 3)  # a float goes through COPY's text exactly
    assert stored()[(11, 5, "OVERALL")] == (0.25, None, None)


def test_difference_writes_only_changed_rows_and_keeps_rows_outside_the_scope():
    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    untouched = IndexValue.objects.get(org_unit_id=10, period_id=5, pillar="OVERALL").pk
    fresh = [
        (1, 10, 5, "OVERALL", 0.5, 2, 3),  # unchanged (NULL-safe comparison on other rows)
        (1, 11, 5, "OVERALL", 0.25, 4, 4),  # a NULL became a rank
        (1, 12, 5, "OVERALL", 0.1, None, None),  # new
        # (10, 5, INFRASTRUCTURE) vanished
    ]
    deleted, inserted = replace_rows(IndexValue, scope={"period_id": 5}, names=NAMES, columns=columns(fresh))
    assert (deleted, inserted) == (2, 2)
    assert stored() == {
        (10, 5, "OVERALL"): (0.5, 2, 3),
        (11, 5, "OVERALL"): (0.25, 4, 4),
        (12, 5, "OVERALL"): (0.1, None, None),
        (10, 6, "OVERALL"): (0.75, 1, 3),
    }
    assert IndexValue.objects.get(org_unit_id=10, period_id=5, pillar="OVERALL").pk == untouched


def test_same_rows_again_write_nothing():
    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    assert replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS)) == (0, 0)


def test_nan_in_a_float_column_is_null_and_floats_round_trip():
    names = ("indicator_id", "org_unit_id", "period_id", "value", "basis", "channels", "status", "score", "target")
    count = insert_columns(
        IndicatorValue._meta.db_table,
        names,
        (
            np.array([1, 1]),
            np.array([20, 21]),
            np.array([7, 7]),
            np.array([math.pi, 1e-300]),
            np.array(["REPORTED", "ROLLUP"], dtype=object),
            np.array([1, 3]),
            np.array(["ACHIEVED", "NO_DATA"], dtype=object),
            np.array([np.nan, 0.1 + 0.2]),
            np.array([np.nan, np.nan]),
        ),
    )
    assert count == 2
    first, second = IndicatorValue.objects.order_by("org_unit_id")
    assert (first.value, first.score, first.target) == (math.pi, None, None)
    assert (second.value, second.score, second.basis) == (1e-300, 0.1 + 0.2, "ROLLUP")


@pytest.mark.parametrize(("limit", "block"), [(1 << 30, 1_000_000), (0, 1_000_000), (0, 2)])
def test_read_columns_gives_exact_numbers_by_column(limit, block, monkeypatch):
    from giamsat.evaluation import storage
    from giamsat.evaluation.storage import in_list, read_columns

    # PostgreSQL: one packed row; with no room for one (limit 0), in blocks: one, or three of 2 rows.
    monkeypatch.setattr(storage, "PACKED_LIMIT", limit)
    monkeypatch.setattr(storage, "READ_BLOCK", block)

    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    units = [10, 11]
    table = IndexValue._meta.db_table
    unit, period, value = read_columns(
        f"SELECT org_unit_id, period_id, value FROM {table} WHERE org_unit_id IN ({in_list(units)}) "
        "ORDER BY org_unit_id, period_id, value",
        units,
        "iif",
    )
    assert unit.dtype == np.int64 and value.dtype == np.float64
    assert unit.tolist() == [10, 10, 10, 11]
    assert period.tolist() == [5, 5, 6, 5]
    assert value.tolist() == [1 / 3, 0.5, 0.75, 0.25]
    with CaptureQueriesContext(connection):  # Django's debug cursor, as with DEBUG on
        empty = read_columns(f"SELECT org_unit_id, value FROM {table} WHERE org_unit_id = %s", [99], "if")
    assert [len(c) for c in empty] == [0, 0]


def _indicator_columns(scores, statuses, units=(20, 21, 22)):
    n = len(units)
    return (
        np.full(n, 1),
        np.array(units),
        np.full(n, 7),
        np.array([1.5] * n),
        np.array(["REPORTED"] * n, dtype=object),
        np.zeros(n, dtype=np.int64),
        np.array(statuses, dtype=object),
        np.array(scores, dtype=np.float64),
        np.array([None, 2026, None][:n], dtype=object),
    )


INDICATOR_NAMES = (
    "indicator_id",
    "org_unit_id",
    "period_id",
    "value",
    "basis",
    "channels",
    "status",
    "score",
    "target_year",
)


def test_difference_compares_nulls_texts_and_signed_zeros_exactly():
    scope = {"period_id": 7}
    first = _indicator_columns([np.nan, 0.0, 0.25], ["NO_DATA", "ON_TRACK", "ACHIEVED"])
    assert replace_rows(IndicatorValue, scope=scope, names=INDICATOR_NAMES, columns=first) == (0, 3)
    # -0.0 is 0.0, NaN (NULL) is NULL: nothing to write
    same = _indicator_columns([np.nan, -0.0, 0.25], ["NO_DATA", "ON_TRACK", "ACHIEVED"])
    assert replace_rows(IndicatorValue, scope=scope, names=INDICATOR_NAMES, columns=same) == (0, 0)
    # a NULL score gets a value, a status changes, a unit goes
    changed = _indicator_columns([0.5, 0.0], ["AT_RISK", "OFF_TRACK"], units=(20, 21))
    assert replace_rows(IndicatorValue, scope=scope, names=INDICATOR_NAMES, columns=changed) == (3, 2)
    rows = {r.org_unit_id: (r.score, r.status, r.target_year) for r in IndicatorValue.objects.all()}
    assert rows == {20: (0.5, "AT_RISK", None), 21: (0.0, "OFF_TRACK", 2026)}


def test_difference_with_no_fresh_rows_empties_the_scope():
    scope = {"period_id": 7}
    replace_rows(
        IndicatorValue,
        scope=scope,
        names=INDICATOR_NAMES,
        columns=_indicator_columns([0.1, 0.2, 0.3], ["ACHIEVED"] * 3),
    )
    nothing = [np.zeros(0, dtype=c.dtype) for c in _indicator_columns([0.1], ["ACHIEVED"], units=(20,))]
    assert replace_rows(IndicatorValue, scope=scope, names=INDICATOR_NAMES, columns=nothing) == (3, 0)
    assert not IndicatorValue.objects.exists()
    assert replace_rows(IndicatorValue, scope={"period_id__in": []}, names=INDICATOR_NAMES, columns=nothing) == (0, 0)


def test_difference_reads_the_stored_rows_by_the_scope_condition_itself():
    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    with CaptureQueriesContext(connection) as queries:
        replace_rows(
            IndexValue, scope={"period_id": 5, "org_unit_id__in": [10]}, names=NAMES, columns=columns(ROWS[:1])
        )
    # Not "id IN (SELECT id ... WHERE scope)", which PostgreSQL answers by scanning the whole table.
    reads = [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]
    assert reads and all("IN (SELECT" not in sql.upper() for sql in reads)
    assert (10, 5, "INFRASTRUCTURE") not in stored()  # in scope, not among the fresh rows
    # No condition: the whole table, where only that row is missing.
    assert replace_rows(IndexValue, scope={}, names=NAMES, columns=columns(ROWS)) == (0, 1)


def test_a_scope_through_a_related_table_is_refused():
    with pytest.raises(ValueError, match="own columns"):
        replace_rows(IndexValue, scope={"period__code": "2026"}, names=NAMES, columns=columns(ROWS))


def test_rows_whose_hashes_collide_are_rewritten_never_missed(monkeypatch):
    from giamsat.evaluation import storage

    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    monkeypatch.setattr(storage, "_row_hashes", lambda matrix: np.zeros(len(matrix), dtype=np.uint64))
    fresh = [(*row[:4], row[4] + 1, *row[5:]) if row[1] == 11 else row for row in ROWS]
    deleted, inserted = replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(fresh))
    assert deleted == inserted and inserted >= 1  # every row colliding: all but one pair rewritten
    assert stored()[(11, 5, "OVERALL")] == (1.25, None, None)
    assert len(stored()) == len(ROWS)


def test_rows_are_written_period_by_period_then_in_the_unique_keys_order():
    rows = [
        (1, 11, 6, "OVERALL", 0.1, None, None),
        (1, 10, 6, "OVERALL", 0.2, None, None),
        (1, 11, 5, "OVERALL", 0.3, None, None),
        (1, 10, 5, "INFRASTRUCTURE", 0.4, None, None),
        (1, 10, 5, "OVERALL", 0.5, None, None),
    ]
    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(rows), diff=False)
    written = list(IndexValue.objects.order_by("pk").values_list("period_id", "org_unit_id", "pillar"))
    assert written == [
        (5, 10, "INFRASTRUCTURE"),
        (5, 10, "OVERALL"),
        (5, 11, "OVERALL"),
        (6, 10, "OVERALL"),
        (6, 11, "OVERALL"),
    ]


def test_a_packed_read_too_large_for_one_value_is_read_again_in_blocks(monkeypatch):
    from giamsat.evaluation import storage

    replace_rows(IndexValue, scope={"period_id__in": [5, 6]}, names=NAMES, columns=columns(ROWS), diff=False)
    fetch, queries = storage._fetch_packed, []

    def limited(query, params):  # as PostgreSQL answers a value over 1 GB
        queries.append(query)
        if "GROUP BY" not in query:  # a real server error: the transaction is aborted
            fetch("DO $$ BEGIN RAISE EXCEPTION 'Cannot enlarge string buffer' USING ERRCODE = '54000'; END $$", [])
        return fetch(query, params)

    monkeypatch.setattr(storage, "_fetch_packed", limited)
    table = IndexValue._meta.db_table
    unit, value = storage.read_columns(f"SELECT org_unit_id, value FROM {table} ORDER BY org_unit_id, value", [], "if")
    if connection.vendor == "postgresql":
        assert len(queries) == 2  # the single packed row failed, the blocks answered
    assert unit.tolist() == [10, 10, 10, 11] and value.tolist() == [1 / 3, 0.5, 0.75, 0.25]
    assert IndexValue.objects.count() == len(ROWS)  # the transaction goes on after the failed read
