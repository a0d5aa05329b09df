"""Bulk import of data values: the checks of `data_values_write`, and set-based writes.

Every row goes through the checks of `data_value_set_import` followed by `data_values_write`,
in the same order and with the same reasons (codes, capture scope, unit existing in the period,
period type, duplicate, a data set covering the unit and period, `parse_value`, approval lock —
a locked value may come again unchanged), in Python with every code looked up once and what
may be written where (`checks.WriteCoverage`) answered once per unit and period. The accepted
rows are written a chunk at a time, set-based: staged in a temporary table (COPY on
PostgreSQL, executemany on SQLite), classified in one join with the stored values, then merged
with INSERT … SELECT, UPDATE … FROM and DELETE, the audit rows written by one INSERT … SELECT
from the same classification (so the old values are those before the change). The whole import
is one transaction. While the database merges a chunk, the next one is read and checked (the
drivers release the GIL while the database works). Input is read as a stream
(`iter_csv_values`, `iter_json_values`), so memory does not grow with the file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice

from django.db import connection, transaction
from django.utils import timezone

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.models import User
from giamsat.accounts.selectors import user_scope
from giamsat.catalog.models import DataElement
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from . import checks
from .choices import AuditAction
from .exchange import Conflict, ImportSummary
from .models import DataValue, DataValueAudit
from .readers import RawValue, _text
from .services import periods_get, values_changed_record
from .values import ValueRejected, parse_value

CHUNK_SIZE = 50_000
LOOKUP_BATCH = 2_000  # codes per `IN (...)` query, well under SQLite's variable limit
PARSE_CACHE_SIZE = 200_000  # remembered outcomes of parse_value (raw text → result)
SQLITE_CACHE_KIB = 256 * 1024  # page cache during an import: indexes stay in memory
SIX_PLACES = Decimal("0.000001")


def data_values_write_bulk(
    *,
    rows: Iterable[RawValue],
    by: User,
    channel: str,
    valid_only: bool = True,
    dry_run: bool = False,
    at: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import many values with the outcome of `data_value_set_import(strategy="CREATE_AND_UPDATE")`:
    the same counts, conflicts and reasons, the same stored values and audit rows.

    `valid_only` keeps the valid values when others are refused (DHIS2's default); without it
    nothing is saved while any conflict remains. `dry_run` checks everything and saves nothing.
    `at` backdates the change; `progress` is called with the number of rows read after each chunk.
    """
    summary = ImportSummary(dry_run=dry_run, strategy="CREATE_AND_UPDATE")
    conflicts = summary.conflicts
    read = 0
    changed: set[tuple[int, int]] = set()  # (unit, period) of every value sent to the merge
    with transaction.atomic():
        writer = _writer_for(connection)(by=by, channel=channel, now=at or timezone.now(), apply=not dry_run)
        with _Pipeline(writer) as pipeline:
            checker = _Checker(by=by, sqlite=connection.vendor == "sqlite", database=pipeline.database)
            iterator = iter(rows)
            checked: list[tuple] = []
            while chunk := list(islice(iterator, CHUNK_SIZE)):
                read += len(chunk)
                # The next chunk's lookups go first, so that checking it (Python) overlaps with
                # the merge of the one before (database).
                checker.prepare(chunk)
                if checked:
                    pipeline.submit(checked)
                    changed.update((row[2], row[3]) for row in checked)
                checked = checker.check(chunk, conflicts)
                if not valid_only and conflicts:
                    checked = []  # the import will be rolled back: only the checks go on
                if progress:
                    progress(read)
            if checked:
                pipeline.submit(checked)
                changed.update((row[2], row[3]) for row in checked)
        counts = writer.counts
        if not valid_only and conflicts:
            transaction.set_rollback(True)
        else:
            summary.imported, summary.updated, summary.deleted = counts["C"], counts["U"], counts["D"]
            summary.unchanged = counts["N"]
            summary.ignored += counts["N"]
        if dry_run:
            transaction.set_rollback(True)
        elif summary.imported or summary.updated or summary.deleted:
            values_changed_record(changed, by=by, channel=channel)
    summary.ignored += len(conflicts)
    conflicts.sort(key=lambda c: c.row or 0)
    return summary


# --- checks ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Element:
    pk: int
    code: str
    period_type: str
    period_label: str  # "monthly", in the refusal reasons
    model: DataElement
    parsed: dict  # raw text → (text to store, force rewrite) or the reason it is refused


@dataclass(slots=True)
class _Unit:
    pk: int
    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    in_scope: bool
    path: str
    type: str


@dataclass(slots=True)
class _Period:
    pk: int
    code: str
    period_type: str
    start: dt.date
    end: dt.date


class _Checker:
    """The checks of `resolve` and `data_values_write`, with codes looked up once per import.

    Rows are checked in order, so "appears twice" falls on the later row, as in the service."""

    def __init__(self, *, by: User, sqlite: bool, database: threading.Lock):
        self.capture = user_scope(by, ScopeKind.CAPTURE)
        self.sqlite = sqlite
        self.database = database  # held while querying: the writer may be using the connection
        self.elements: dict[str, _Element | None] = {}
        self.units: dict[str, _Unit | None] = {}
        self.periods: dict[str, _Period | None] = {}
        self.coverage = checks.WriteCoverage()  # what may be written where, and what is locked
        self.seen: set[tuple[int, int, int]] = set()
        self.parse_profiles: dict[tuple, dict] = {}
        self.parse_cached = 0

    def prepare(self, chunk: list[RawValue]) -> None:
        """Look up the codes of the chunk not seen before (none after the first chunks)."""
        new_elements = {r.data_element for r in chunk} - self.elements.keys()
        new_units = {r.org_unit for r in chunk} - self.units.keys()
        new_periods = {r.period for r in chunk} - self.periods.keys()
        if not (new_elements or new_units or new_periods):
            return
        with self.database:
            if new_elements:
                self._load_elements(new_elements)
            if new_units:
                self._load_units(new_units)
            if new_periods:
                self._load_periods(new_periods)

    def _load_elements(self, codes: set[str]) -> None:
        for batch in _batches(codes):
            for element in DataElement.objects.filter(code__in=batch):
                profile = (element.value_type, element.min_value, element.max_value)
                self.elements[element.code] = _Element(
                    pk=element.pk,
                    code=element.code,
                    period_type=element.period_type,
                    period_label=element.get_period_type_display(),
                    model=element,
                    parsed=self.parse_profiles.setdefault(profile, {}),
                )
        for code in codes:
            self.elements.setdefault(code, None)

    def _load_units(self, codes: set[str]) -> None:
        capture = self.capture
        paths: set[str] = set()
        for batch in _batches(codes):
            rows = OrgUnit.objects.filter(code__in=batch).values_list(
                "pk", "code", "path", "valid_from", "valid_to", "type"
            )
            for pk, code, path, valid_from, valid_to, unit_type in rows:
                in_scope = capture.everything or any(path.startswith(p) for p in capture.paths)
                self.units[code] = _Unit(pk, code, valid_from, valid_to, in_scope, path, unit_type)
                paths.add(path)
        self.coverage.prepare(paths=paths, periods=())
        for code in codes:
            self.units.setdefault(code, None)

    def _load_periods(self, codes: set[str]) -> None:
        parsed: dict[str, PeriodValue | None] = {}
        for code in codes:
            try:
                parsed[code] = PeriodValue.parse(code)
            except InvalidPeriod:
                parsed[code] = None
        stored = periods_get(p for p in parsed.values() if p is not None)
        known = {p.pk for p in self.periods.values() if p is not None}
        for code, value in parsed.items():
            period = stored[value.code] if value is not None else None
            self.periods[code] = period and _Period(
                period.pk, period.code, period.period_type, period.start_date, period.end_date
            )
        self.coverage.prepare(paths=(), periods={p.pk for p in stored.values()} - known)

    def check(self, chunk: list[RawValue], conflicts: list[Conflict]) -> list[tuple]:
        """The rows to write, as (row, element, unit, period, value text, comment, force); the
        others become conflicts with the reason `data_value_set_import` gives."""
        elements, units, periods, seen = self.elements, self.units, self.periods, self.seen
        sqlite = self.sqlite
        placement_refusal = checks.placement_refusal
        cover_of = self.coverage.cover
        # Rows come grouped by unit and period: the last one's cover is kept at hand.
        cover_unit = cover_period = None
        allowed: frozenset[int] = frozenset()
        locks: dict = {}
        staged: list[tuple] = []
        held: list[tuple] = []  # staged rows under a locked report, checked once the chunk is read
        stage = staged.append
        refuse = conflicts.append
        for raw in chunk:
            element = elements[raw.data_element]
            if element is None:
                refuse(Conflict(raw.row, raw.data_element, _text(raw.value), checks.unknown_element()))
                continue
            unit = units[raw.org_unit]
            if unit is None:
                refuse(Conflict(raw.row, raw.org_unit, _text(raw.value), checks.unknown_unit()))
                continue
            period = periods[raw.period]
            if period is None:
                refuse(Conflict(raw.row, raw.period, _text(raw.value), checks.unknown_period()))
                continue
            key = (element.pk, unit.pk, period.pk)
            reason = placement_refusal(
                in_scope=unit.in_scope,
                unit_from=unit.valid_from,
                unit_to=unit.valid_to,
                period_start=period.start,
                period_end=period.end,
                period_type=period.period_type,
                period_code=period.code,
                element_period_type=element.period_type,
                element_period_label=element.period_label,
                duplicate=key in seen,
            )
            seen.add(key)
            if reason is None:
                if unit is not cover_unit or period is not cover_period:
                    cover_unit, cover_period = unit, period
                    cover = cover_of(
                        unit_pk=unit.pk,
                        unit_type=unit.type,
                        unit_path=unit.path,
                        period_pk=period.pk,
                        period_type=period.period_type,
                        start=period.start,
                        end=period.end,
                    )
                    allowed, locks = cover.allowed, cover.locks
                if key[0] in allowed:
                    value = raw.value
                    outcome = element.parsed.get(value) if type(value) is str else None
                    if outcome is None:
                        outcome = self._parse(element, value)
                    if type(outcome) is not str:
                        if locks and key[0] in locks:
                            held.append((len(staged), raw, element, unit, period, locks[key[0]]))
                        comment = raw.comment
                        if comment is not None and len(comment) > 500:
                            comment = comment[:500]
                        stage((raw.row, key[0], key[1], key[2], outcome[0], comment, outcome[1] if sqlite else 0))
                        continue
                    reason = outcome
                else:
                    reason = checks.computed_by_module_refusal(element_code=element.code) or checks.not_covered_refusal(
                        period_code=period.code
                    )
            value_text = "" if raw.value is None else str(raw.value)[:60]
            refuse(Conflict(raw.row, f"{element.code}/{unit.code}/{period.code}", value_text, reason))
        if held:
            staged = self._refuse_locked_changes(staged, held, conflicts)
        return staged

    def _refuse_locked_changes(self, staged: list[tuple], held: list[tuple], conflicts: list[Conflict]) -> list[tuple]:
        """A value under a submitted or approved report may be sent again unchanged (re-importing
        an export); a change is refused, compared as the service compares it."""
        with self.database:
            stored = {}
            for batch in _batches({unit.pk for _i, _r, _e, unit, _p, _l in held}):
                rows = DataValue.objects.filter(
                    org_unit_id__in=batch,
                    period_id__in={period.pk for *_rest, period, _l in held},
                    data_element_id__in={element.pk for _i, _r, element, _u, _p, _l in held},
                ).values_list("data_element_id", "org_unit_id", "period_id", "value", "comment")
                stored.update({(e, u, p): (value, comment) for e, u, p, value, comment in rows})
        refused = set()
        for index, raw, element, unit, period, lock in held:
            model = element.model
            parsed = parse_value(
                raw.value, value_type=model.value_type, min_value=model.min_value, max_value=model.max_value
            )
            reason = checks.locked_change_refusal(
                value=parsed, comment=raw.comment, stored=stored.get((element.pk, unit.pk, period.pk)), lock=lock
            )
            if reason:
                value_text = "" if raw.value is None else str(raw.value)[:60]
                conflicts.append(Conflict(raw.row, f"{element.code}/{unit.code}/{period.code}", value_text, reason))
                refused.add(index)
        return [row for index, row in enumerate(staged) if index not in refused] if refused else staged

    def _parse(self, element: _Element, value) -> tuple[str | None, int] | str:
        """`parse_value`'s outcome as (text to store, force rewrite) or the refusal's reason,
        remembered per raw text for the elements sharing a type and range."""
        model = element.model
        try:
            parsed = parse_value(
                value, value_type=model.value_type, min_value=model.min_value, max_value=model.max_value
            )
        except ValueRejected as exc:
            outcome: tuple | str = str(exc)
        else:
            if parsed is None:
                outcome = (None, 0)
            else:
                text = str(parsed)
                outcome = (text, _more_digits_than_stored(parsed, text))
        if type(value) is str:
            if self.parse_cached >= PARSE_CACHE_SIZE:
                for cache in self.parse_profiles.values():
                    cache.clear()
                self.parse_cached = 0
            element.parsed[value] = outcome
            self.parse_cached += 1
        return outcome


def _more_digits_than_stored(value: Decimal, text: str) -> int:
    """1 if the value has more than 15 significant digits or 6 decimals. On SQLite the ORM reads
    a stored number back rounded to those, so such a value never equals the stored one and the
    service rewrites it, while a comparison in SQL would find it equal: the merge must rewrite."""
    if "E" not in text:
        dot = text.find(".")
        digits = len(text) - (dot >= 0) - (text[0] == "-")
        if digits <= 15 and (dot < 0 or len(text) - dot - 1 <= 6):
            return 0
    elif "E-" not in text and len(text) <= 16:
        return 0
    digits = len(value.normalize().as_tuple().digits)
    return int(digits > 15 or value != value.quantize(SIX_PLACES))


def _batches(codes: set[str]) -> Iterator[list[str]]:
    items = sorted(codes)
    for start in range(0, len(items), LOOKUP_BATCH):
        yield items[start : start + LOOKUP_BATCH]


# --- writes ------------------------------------------------------------------------------


class _Writer:
    """Stages a chunk of checked rows in a temporary table and merges it into the values, with
    its audit rows, in a few set-based statements. Subclasses know their database's ways.

    `prepare` runs in the caller's thread without the database; `stage` in the caller's thread
    (SQLite: executemany is Python work) or with `merge` in the background (PostgreSQL: COPY)."""

    stage_table = "giamsat_bulk_stage"
    plan_table = "giamsat_bulk_plan"
    stage_in_background = False

    def __init__(self, *, by: User, channel: str, now: dt.datetime, apply: bool):
        self.apply = apply
        self.counts = {"C": 0, "U": 0, "D": 0, "N": 0}
        self.db = None  # the DB-API connection of the transaction
        qn = connection.ops.quote_name
        value, audit = DataValue._meta, DataValueAudit._meta
        self.names = {
            "stage": qn(self.stage_table),
            "plan": qn(self.plan_table),
            "plan_index": qn(f"{self.plan_table}_old_id"),
            "values": qn(value.db_table),
            "audit": qn(audit.db_table),
            **{f"v_{f}": qn(value.get_field(f).column) for f in _VALUE_FIELDS},
            **{f"a_{f}": qn(audit.get_field(f).column) for f in _AUDIT_FIELDS},
        }
        changed_at = audit.get_field("changed_at").get_db_prep_value(now, connection)
        self.audit_params = [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE, changed_at, channel, by.pk]
        self.update_params = [by.pk, changed_at, channel]
        self.create_params = [False, changed_at, channel, by.pk]

    def sql(self, template: str) -> str:
        return template.format(**self.names)

    def open(self) -> None:
        self.db = connection.connection
        cursor = self.db.cursor()
        for statement in self.setup_statements():
            cursor.execute(self.sql(statement))

    def close(self) -> None:
        cursor = self.db.cursor()
        for statement in self.teardown_statements():
            cursor.execute(self.sql(statement))

    def abandon(self) -> None:
        """Undo connection settings after a failure (the rollback undoes the rest)."""

    def prepare(self, staged: list[tuple]):
        return staged

    def setup_statements(self) -> list[str]:
        raise NotImplementedError

    def teardown_statements(self) -> list[str]:
        return ["DROP TABLE IF EXISTS {stage}", "DROP TABLE IF EXISTS {plan}"]

    def stage(self, payload) -> None:
        raise NotImplementedError

    def merge(self) -> None:
        raise NotImplementedError


_VALUE_FIELDS = ("id", "data_element", "org_unit", "period", "value", "comment", "follow_up")
_VALUE_FIELDS += ("updated_by", "updated_at", "channel")
_AUDIT_FIELDS = ("data_element", "org_unit", "period", "action", "old_value", "new_value", "old_comment")
_AUDIT_FIELDS += ("new_comment", "changed_by", "changed_at", "channel")

# What happens to each staged row, decided against the stored value as `_apply` does:
# N nothing (empty and nothing stored, or equal), C create, U update, D delete.
# {eq} is the database's null-safe equality.
PLAN_SELECT = """
SELECT s.row_number, s.data_element_id, s.org_unit_id, s.period_id, s.value,
       SUBSTR(COALESCE(s.comment, d.{v_comment}, ''), 1, 500) AS comment,
       d.{v_id} AS old_id, d.{v_value} AS old_value, d.{v_comment} AS old_comment,
       CASE
         WHEN s.value IS NULL AND COALESCE(s.comment, d.{v_comment}, '') = ''
           THEN CASE WHEN d.{v_id} IS NULL THEN 'N' ELSE 'D' END
         WHEN d.{v_id} IS NULL THEN 'C'
         WHEN s.force = 0 AND d.{v_value} {eq} s.value
              AND d.{v_comment} = SUBSTR(COALESCE(s.comment, d.{v_comment}, ''), 1, 500) THEN 'N'
         ELSE 'U'
       END AS action
FROM {stage} s
LEFT JOIN {values} d ON d.{v_data_element} = s.data_element_id AND d.{v_org_unit} = s.org_unit_id
                    AND d.{v_period} = s.period_id
"""

# The audit rows, in the order of the input, read from the plan before anything changes.
AUDIT_INSERT = """
INSERT INTO {audit} ({a_action}, {a_old_value}, {a_new_value}, {a_old_comment}, {a_new_comment},
                     {a_changed_at}, {a_channel}, {a_changed_by}, {a_data_element}, {a_org_unit}, {a_period})
SELECT CASE p.action WHEN 'C' THEN %s WHEN 'U' THEN %s ELSE %s END,
       CASE WHEN p.action = 'C' THEN NULL ELSE p.old_value END,
       CASE WHEN p.action = 'D' THEN NULL ELSE p.value END,
       CASE WHEN p.action = 'C' THEN '' ELSE p.old_comment END,
       CASE WHEN p.action = 'D' THEN '' ELSE p.comment END,
       %s, %s, %s, p.data_element_id, p.org_unit_id, p.period_id
FROM {plan} p
WHERE p.action IN ('C', 'U', 'D')
ORDER BY p.row_number
"""

UPDATE_FROM = """
UPDATE {values} SET {v_value} = p.value, {v_comment} = p.comment, {v_updated_by} = %s,
                    {v_updated_at} = %s, {v_channel} = %s
FROM {plan} p
WHERE {values}.{v_id} = p.old_id AND p.action = 'U'
"""

DELETE = """
DELETE FROM {values} WHERE {v_id} IN (SELECT p.old_id FROM {plan} p WHERE p.action = 'D')
"""

CREATE_INSERT = """
INSERT INTO {values} ({v_value}, {v_comment}, {v_follow_up}, {v_updated_at}, {v_channel}, {v_updated_by},
                      {v_data_element}, {v_org_unit}, {v_period})
SELECT p.value, p.comment, %s, %s, %s, %s, p.data_element_id, p.org_unit_id, p.period_id
FROM {plan} p
WHERE p.action = 'C'
ORDER BY p.row_number
"""


# For the merge statement only: a chunk's plan and its sorts by row number stay in memory
# instead of temporary files. (The join methods are left to the planner: forcing index
# lookups turned into a scan of the whole table per staged row when the statistics took a
# table of deleted rows for an empty one.)
POSTGRES_MERGE_SETTINGS = {"work_mem": "64MB"}


class _PostgresWriter(_Writer):
    """COPY into the staging table, then one statement: the plan as a CTE and the four writes
    as data-modifying CTEs, which all see the values as they were before the statement."""

    stage_in_background = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.names["eq"] = "IS NOT DISTINCT FROM"
        self.constraints = ""
        self.settings: dict[str, str] = {}  # the values outside the merge
        self.analyze_values = False

    def setup_statements(self) -> list[str]:
        return [
            "DROP TABLE IF EXISTS {stage}",
            """CREATE TEMPORARY TABLE {stage} (
                row_number bigint, data_element_id bigint, org_unit_id bigint, period_id bigint,
                value numeric, comment text, force smallint) ON COMMIT DROP""",
        ]

    def open(self) -> None:
        super().open()
        # Django's foreign keys are checked at commit: one queue of millions of checks held by
        # the server, which nothing can overlap. Checked at the end of each statement instead,
        # they run while the next chunk is read. Restored to deferred at the end.
        cursor = self.db.cursor()
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable AND condeferred"
            " AND conrelid IN (%s::regclass, %s::regclass)",
            [self.names["values"], self.names["audit"]],
        )
        names = [connection.ops.quote_name(name) for (name,) in cursor.fetchall()]
        if names:
            self.constraints = ", ".join(names)
            cursor.execute(f"SET CONSTRAINTS {self.constraints} IMMEDIATE")
        names = list(POSTGRES_MERGE_SETTINGS)
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        self.settings = dict(zip(names, cursor.fetchone(), strict=True))
        # Statistics that count no rows in a table of several pages (all its rows deleted, the
        # pages kept) make every estimate 0 rows however much the import adds: the planner then
        # rescans the chunk's plan once per stored value. Counted again after a chunk (ANALYZE
        # counts this transaction's own rows), the estimates grow with the table.
        cursor.execute(
            "SELECT reltuples = 0 AND relpages > 0 FROM pg_class WHERE oid = %s::regclass", [self.names["values"]]
        )
        self.analyze_values = cursor.fetchone()[0]

    def close(self) -> None:
        super().close()
        if self.constraints:
            self.db.cursor().execute(f"SET CONSTRAINTS {self.constraints} DEFERRED")

    def configure(self, cursor, settings: dict[str, str]) -> None:
        """Settings for the rest of the transaction (a rollback undoes them)."""
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)), list(chain(*settings.items()))
        )

    def teardown_statements(self) -> list[str]:
        return ["DROP TABLE IF EXISTS {stage}"]

    def prepare(self, staged: list[tuple]) -> str:
        lines = []
        add = lines.append
        for row, element, unit, period, value, comment, force in staged:
            if comment is None:
                comment = _COPY_NULL
            elif comment and _COPY_SPECIAL.intersection(comment):
                comment = comment.translate(_COPY_ESCAPES)
            add(f"{row}\t{element}\t{unit}\t{period}\t{value or _COPY_NULL}\t{comment}\t{force}\n")
        return "".join(lines)

    def stage(self, payload: str) -> None:
        cursor = self.db.cursor()
        cursor.execute(self.sql("TRUNCATE {stage}"))
        with cursor.copy(self.sql("COPY {stage} FROM STDIN")) as copy:
            copy.write(payload)
        cursor.execute(self.sql("ANALYZE {stage}"))

    def merge(self) -> None:
        plan = f"WITH {{plan}} AS MATERIALIZED ({PLAN_SELECT})"
        if self.apply:
            plan += f""",
            audit_rows AS ({AUDIT_INSERT}),
            updated AS ({UPDATE_FROM}),
            deleted AS ({DELETE}),
            created AS ({CREATE_INSERT})"""
            params = self.audit_params + self.update_params + self.create_params
        else:
            params = []
        cursor = self.db.cursor()
        self.configure(cursor, POSTGRES_MERGE_SETTINGS)
        cursor.execute(self.sql(plan + " SELECT action, COUNT(*) FROM {plan} GROUP BY action"), params)
        for action, count in cursor.fetchall():
            self.counts[action] += count
        self.configure(cursor, self.settings)
        if self.analyze_values and self.apply:
            cursor.execute(self.sql("ANALYZE {values}"))
            cursor.execute("SELECT reltuples = 0 FROM pg_class WHERE oid = %s::regclass", [self.names["values"]])
            self.analyze_values = cursor.fetchone()[0]


_COPY_NULL = "\\N"
_COPY_SPECIAL = frozenset("\\\t\n\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _SqliteWriter(_Writer):
    """executemany into the staging table, the plan into a second one, then four statements.

    The columns declared `decimal` have the NUMERIC affinity of Django's DecimalField, so the
    numbers are stored and compared exactly as when the ORM writes them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.names["eq"] = "IS"
        self.cache_size = None
        # UPDATE … FROM needs SQLite 3.33; Django 5.2 runs on 3.31.
        self.update = UPDATE_FROM if sqlite3.sqlite_version_info >= (3, 33) else UPDATE_CORRELATED

    def setup_statements(self) -> list[str]:
        by_old_id = [] if self.update is UPDATE_FROM else ["CREATE INDEX {plan_index} ON {plan} (old_id)"]
        return [
            "DROP TABLE IF EXISTS {stage}",
            "DROP TABLE IF EXISTS {plan}",
            """CREATE TEMPORARY TABLE {stage} (
                row_number integer, data_element_id integer, org_unit_id integer, period_id integer,
                value decimal, comment text, force integer)""",
            """CREATE TEMPORARY TABLE {plan} (
                row_number integer, data_element_id integer, org_unit_id integer, period_id integer,
                value decimal, comment text, old_id integer, old_value decimal, old_comment text,
                action text)""",
            *by_old_id,
        ]

    def open(self) -> None:
        super().open()
        # The default page cache (2 MB) cannot hold the indexes being written; a larger one for
        # the import's duration halves the time of the inserts.
        cursor = self.db.cursor()
        self.cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
        if -SQLITE_CACHE_KIB < self.cache_size < 0 or 0 <= self.cache_size < SQLITE_CACHE_KIB // 4:
            cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")

    def close(self) -> None:
        super().close()
        self.abandon()

    def abandon(self) -> None:
        if self.cache_size is not None:
            self.db.cursor().execute(f"PRAGMA cache_size = {int(self.cache_size)}")
            self.cache_size = None

    def sql(self, template: str) -> str:
        return super().sql(template).replace("%s", "?")

    def stage(self, payload: list[tuple]) -> None:
        cursor = self.db.cursor()
        cursor.execute(self.sql("DELETE FROM {stage}"))
        cursor.executemany(self.sql("INSERT INTO {stage} VALUES (?, ?, ?, ?, ?, ?, ?)"), payload)

    def merge(self) -> None:
        cursor = self.db.cursor()
        cursor.execute(self.sql("DELETE FROM {plan}"))
        cursor.execute(self.sql(f"INSERT INTO {{plan}} {PLAN_SELECT}"))
        for action, count in cursor.execute(self.sql("SELECT action, COUNT(*) FROM {plan} GROUP BY action")):
            self.counts[action] += count
        if self.apply:
            cursor.execute(self.sql(AUDIT_INSERT), self.audit_params)
            cursor.execute(self.sql(self.update), self.update_params)
            cursor.execute(self.sql(DELETE))
            cursor.execute(self.sql(CREATE_INSERT), self.create_params)


UPDATE_CORRELATED = """
UPDATE {values} SET
    {v_value} = (SELECT p.value FROM {plan} p WHERE p.old_id = {values}.{v_id}),
    {v_comment} = (SELECT p.comment FROM {plan} p WHERE p.old_id = {values}.{v_id}),
    {v_updated_by} = %s, {v_updated_at} = %s, {v_channel} = %s
WHERE {v_id} IN (SELECT p.old_id FROM {plan} p WHERE p.action = 'U')
"""


def _writer_for(conn) -> type[_Writer]:
    if conn.vendor == "postgresql":
        return _PostgresWriter
    if conn.vendor == "sqlite":
        return _SqliteWriter
    raise NotImplementedError(f"Bulk import is not available on {conn.vendor}.")


class _Pipeline:
    """Merges a chunk in a background thread while the caller reads and checks the next one.

    Only one thread uses the connection at a time: the writer holds `database` while it works,
    and the caller takes it for its own queries. Errors of the background work are raised in
    the caller at the next chunk or at the end; on the way out the caller waits for the
    background work, so the transaction never ends under it."""

    def __init__(self, writer: _Writer):
        self.writer = writer
        self.database = threading.Lock()
        self.worker: threading.Thread | None = None
        self.error: BaseException | None = None

    def __enter__(self) -> _Pipeline:
        self.writer.open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.wait()
        except BaseException:
            if exc_type is None:
                raise
        if exc_type is None:
            self.writer.close()
        else:
            self.writer.abandon()

    def submit(self, staged: list[tuple]) -> None:
        payload = self.writer.prepare(staged)
        self.wait()
        if not self.writer.stage_in_background:
            with self.database:
                self.writer.stage(payload)
            payload = None
        self.worker = threading.Thread(target=self._work, args=(payload,), name="bulk-import-merge")
        self.worker.start()

    def _work(self, payload) -> None:
        try:
            with self.database:
                if payload is not None:
                    self.writer.stage(payload)
                self.writer.merge()
        except BaseException as exc:  # raised again in the caller's thread
            self.error = exc

    def wait(self) -> None:
        if self.worker is not None:
            self.worker.join()
            self.worker = None
        if self.error is not None:
            error, self.error = self.error, None
            raise error
