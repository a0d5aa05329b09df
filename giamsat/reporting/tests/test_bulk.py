"""The bulk import gives what the value service gives: the same stored values, audit rows, counts
and conflict reasons, on SQLite and on PostgreSQL; and its streaming readers read files as the
API's readers do."""

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection, transaction
from django.utils import timezone

from giamsat.core.text import csv_text
from giamsat.reporting import bulk, readers
from giamsat.reporting.choices import Channel, ReportStatus
from giamsat.reporting.exchange import data_value_set_import
from giamsat.reporting.models import DataValue, DataValueAudit
from giamsat.reporting.readers import PayloadError, RawValue, raw_from_csv, raw_from_json

pytestmark = pytest.mark.django_db


def raws(*rows):
    """RawValues from (element, period, unit, value[, comment]) tuples, numbered from 1."""
    return [RawValue(i, r[0], r[1], r[2], r[3], r[4] if len(r) > 4 else None) for i, r in enumerate(rows, start=1)]


def contents():
    """Everything the import writes, without primary keys and timestamps, in insertion order."""
    values = [
        (
            v.data_element.code,
            v.org_unit.code,
            v.period.code,
            v.value,
            v.comment,
            v.follow_up,
            v.updated_by_id,
            v.channel,
        )
        for v in DataValue.objects.select_related("data_element", "org_unit", "period").order_by("pk")
    ]
    audits = [
        (
            a.action,
            a.data_element.code,
            a.org_unit.code,
            a.period.code,
            a.old_value,
            a.new_value,
            a.old_comment,
            a.new_comment,
            a.changed_by_id,
            a.channel,
        )
        for a in DataValueAudit.objects.select_related("data_element", "org_unit", "period").order_by("pk")
    ]
    return values, audits, *stored_numbers()


def stored_numbers():
    """The numbers as the database holds them, read without Django's converters (on SQLite:
    whether 1200 is stored as an integer or a real, and every digit kept)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM reporting_datavalue ORDER BY id")
        values = [(type(v).__name__, v) for (v,) in cursor.cursor.fetchall()]
        cursor.execute("SELECT old_value, new_value FROM reporting_datavalueaudit ORDER BY id")
        audits = [tuple((type(v).__name__, v) for v in row) for row in cursor.cursor.fetchall()]
    return values, audits


def summary_of(summary):
    return (
        summary.imported,
        summary.updated,
        summary.deleted,
        summary.ignored,
        summary.unchanged,
        summary.status,
        [(c.row, c.object, c.value, c.reason) for c in summary.conflicts],
    )


def both(rows, user, *, valid_only=True, dry_run=False):
    """Run the service path and the bulk path on the same input from the same state; return
    what each gave (summary and database contents), leaving the database as the bulk path left it."""
    outcomes = []
    for path in ("service", "bulk"):
        with transaction.atomic():
            if path == "service":
                summary = data_value_set_import(
                    raws=rows, by=user, channel=Channel.IMPORT, atomic=not valid_only, dry_run=dry_run
                )
            else:
                summary = bulk.data_values_write_bulk(
                    rows=iter(rows), by=user, channel=Channel.IMPORT, valid_only=valid_only, dry_run=dry_run
                )
            outcomes.append((summary_of(summary), contents()))
            if path == "service":
                transaction.set_rollback(True)
    return outcomes


@pytest.fixture(params=[bulk.CHUNK_SIZE, 2], ids=["one-chunk", "chunks-of-2"])
def chunk_size(request, monkeypatch):
    """Every test runs with the whole input in one chunk and cut into chunks of two rows, so the
    pipeline, the lookups and the duplicate check work across chunks."""
    monkeypatch.setattr(bulk, "CHUNK_SIZE", request.param)
    return request.param


def assert_same(rows, user, *, raw_audit_numbers=True, **kwargs):
    """Same summary, same rows through the ORM, same numbers in the database."""
    service, bulk_ = both(rows, user, **kwargs)
    assert bulk_[0] == service[0]
    values, audits, raw_values, raw_audits = bulk_[1]
    assert (values, audits, raw_values) == service[1][:3]
    if raw_audit_numbers:
        assert raw_audits == service[1][3]
    return bulk_[0], (values, audits)


def test_creates(users, chunk_size):
    rows = raws(
        ("DOSSIERS_TOTAL", "202510", "P01", "52340"),
        ("DOSSIERS_ONLINE", "202510", "P01", "41002", "from the portal"),
        ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "81.5"),
        ("HH_TOTAL", "2025Q3", "X00004", "12000"),
        ("DOSSIERS_TOTAL", "202511", "X00004", " 1200 "),
        ("DOSSIERS_TOTAL", "202512", "X00004", ""),  # nothing to store, nothing stored: ignored
    )
    (summary, (values, audits)) = assert_same(rows, users["a.reporter"])
    assert summary[:5] == (5, 0, 0, 1, 1)
    assert len(values) == 5 and len(audits) == 5


def seed(user, rows):
    """Values stored beforehand, through the service."""
    assert not data_value_set_import(raws=rows, by=user, channel=Channel.FORM).conflicts


def test_updates_unchanged_and_deletes(users, chunk_size):
    user = users["a.reporter"]
    seed(
        user,
        raws(
            ("DOSSIERS_TOTAL", "202510", "P01", "500"),
            ("DOSSIERS_ONLINE", "202510", "P01", "400", "checked"),
            ("DOSSIERS_ONLINE_FULL", "202510", "P01", "300"),
            ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "80"),
            ("DX_TASKS_ASSIGNED", "202510", "P01", "12", "a note"),
            ("DX_TASKS_DONE_ONTIME", "202510", "P01", "7", "keep me"),
            ("DX_TASKS_OVERDUE", "202510", "P01", "5"),
            ("DX_PROJECTS_TOTAL", "202510", "P01", "9", "old note"),
        ),
    )
    rows = raws(
        ("DOSSIERS_TOTAL", "202510", "P01", "500.0"),  # equal: not rewritten, not audited
        ("DOSSIERS_ONLINE", "202510", "P01", "401"),  # changed; no comment given keeps "checked"
        ("DOSSIERS_ONLINE_FULL", "202510", "P01", ""),  # empty, no comment: deleted
        ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "80", "now with a comment"),  # comment only
        ("DX_TASKS_ASSIGNED", "202510", "P01", "", "still a note"),  # value cleared, comment kept
        ("DX_TASKS_DONE_ONTIME", "202510", "P01", "7", ""),  # an empty comment given clears it
        ("DX_TASKS_OVERDUE", "202510", "P01", "6", "x" * 600),  # comments are cut at 500
        ("DX_PROJECTS_TOTAL", "202510", "P01", None, ""),  # no value, empty comment: deleted
        ("DX_PROJECTS_INVESTMENT", "202510", "P01", "1.5"),  # new
    )
    (summary, (values, audits)) = assert_same(rows, user)
    assert summary[:5] == (1, 5, 2, 1, 1)
    assert [a[0] for a in audits[8:]] == [
        "UPDATE",
        "DELETE",
        "UPDATE",
        "UPDATE",
        "UPDATE",
        "UPDATE",
        "DELETE",
        "CREATE",
    ]


def test_numbers_compare_as_the_service_compares_them(users, chunk_size):
    """Equal numbers written differently are unchanged; digits the column cannot keep make the
    service rewrite the value every time (SQLite reads them back rounded), and so does bulk."""
    user = users["a.reporter"]
    seed(
        user,
        raws(
            ("DX_PROJECTS_INVESTMENT", "202510", "P01", "1200"),
            ("DX_CAPITAL_PLAN_YEAR", "202510", "P01", "1.2345678"),
            ("DOSSIERS_TOTAL", "202510", "P01", "12345678901234567"),
            ("DOSSIERS_ONLINE", "202510", "P01", "0.5e1"),
            ("GRDP", "202510", "P01", "123456789012.345678"),
        ),
    )
    rows = raws(
        ("DX_PROJECTS_INVESTMENT", "202510", "P01", "1.2e3"),
        ("DX_CAPITAL_PLAN_YEAR", "202510", "P01", "1.2345678"),
        ("DOSSIERS_TOTAL", "202510", "P01", "12345678901234567"),
        ("DOSSIERS_ONLINE", "202510", "P01", "5"),
        ("GRDP", "202510", "P01", "123456789012.345678"),
    )
    # One difference remains, below what the field can hold: on SQLite the service audits the
    # old number as the ORM reads it back (rounded to 15 digits and 6 decimals) and the bulk
    # path as stored (every digit); read through the ORM, both audit rows are the same.
    assert_same(rows, user, raw_audit_numbers=connection.vendor != "sqlite")


def test_every_kind_of_problem(users, report_a, chunk_size):
    user = users["a.reporter"]
    seed(user, raws(("DOSSIERS_TOTAL", "202510", "P01", "100"), ("DOSSIERS_ONLINE", "202510", "P01", "90", "n")))
    report_a.status = ReportStatus.SUBMITTED  # Hà Nội's October report: its figures are locked
    report_a.save()
    rows = raws(
        ("NOPE", "202510", "P01", "1"),  # unknown element
        ("DOSSIERS_TOTAL", "202510", "P99", "1"),  # unknown unit
        ("DOSSIERS_TOTAL", "2025-10", "P01", " 1 "),  # not a period
        ("DOSSIERS_TOTAL", "202510", "P08", "1"),  # province B: outside the scope
        ("DOSSIERS_TOTAL", "202409", "P01", "1"),  # Hà Nội (new code) did not exist in 2024
        ("HH_TOTAL", "202510", "X00004", "1"),  # a quarterly figure for a month
        ("DOSSIERS_TOTAL", "202510", "P01", "101"),  # locked: a change is refused
        ("DOSSIERS_TOTAL", "202510", "P01", "100"),  # the same figure again: duplicate
        ("DOSSIERS_ONLINE", "202510", "P01", "90"),  # locked but unchanged: accepted, ignored
        ("DOSSIERS_ONLINE_FULL", "202510", "P01", "5"),  # locked, nothing stored: refused
        ("DOSSIERS_ONLINE_FULL", "202510", "X00004", "mười"),  # text
        ("DX_TASKS_ASSIGNED", "202511", "P01", "-5"),  # negative
        ("DOSSIERS_DIGITISED_RATE", "202511", "P01", "120"),  # above 100 %
        ("DX_TASKS_DONE_ONTIME", "202511", "P01", "12.5"),  # decimals in a whole number
        ("DX_TASKS_OVERDUE", "202511", "P01", "1e30"),  # not usable
        ("DX_TASKS_OVERDUE", "202511", "P01", "3"),  # a duplicate of a refused row
        ("MOBILE_DEAD_ZONES", "202511", "P01", ["a", "list"]),  # not a number
        ("DX_PROJECTS_TOTAL", "202511", "P01", "4"),  # the one good value
        ("DX_PROJECTS_TOTAL", "202511", "P01", "4"),  # and its duplicate
    )
    (summary, _contents) = assert_same(rows, user)
    assert summary[:6] == (1, 0, 0, 18, 1, "WARNING")
    reasons = [c[3] for c in summary[6]]
    assert len(reasons) == 17 and "khóa" in reasons[6] and "hai lần" in reasons[7]


def test_coverage_and_locks_of_sub_units_refuse_alike(users, report_a, chunk_size):
    """The write rules of issue 13: a figure only where a data set covers the unit and period
    (a commune through its province's data set), and a commune's figures locked with its
    province's report; both strategies refuse the same rows with the same reasons."""
    from giamsat.catalog.models import DataSet

    admin = users["admin"]
    seed(admin, raws(("DOSSIERS_TOTAL", "202510", "X00004", "100")))
    report_a.status = ReportStatus.APPROVED  # Hà Nội's October report holds its communes' figures
    report_a.save()
    rows = raws(
        ("DOSSIERS_TOTAL", "202510", "X00004", "101"),  # a commune of a locked report: refused
        ("DOSSIERS_TOTAL", "202510", "X00004", "100"),  # the same again: a duplicate
        ("DOSSIERS_ONLINE", "202510", "X00004", "100"),  # locked, nothing stored: refused
        ("DOSSIERS_TOTAL", "202511", "X00004", "7"),  # November is open: written
        ("DOSSIERS_TOTAL", "202510", "VN", "7"),  # no data set covers the country
        ("MOBILE_DEAD_ZONES", "202511", "CNTT.BO_TAICHINH", "3"),  # not in the IT units' data set
        ("DOSSIERS_TOTAL", "202511", "CNTT.BO_TAICHINH", "3"),  # in it: written
        ("DOSSIERS_TOTAL", "202510", "X00004", "100"),  # a third time, unchanged: a duplicate
    )
    (summary, _contents) = assert_same(rows, admin)
    reasons = [c[3] for c in summary[6]]
    assert summary[:2] == (2, 0) and len(reasons) == 6
    assert "Thành phố Hà Nội" in reasons[0] and "Đã phê duyệt" in reasons[0] and "hai lần" in reasons[1]
    assert "Không có biểu mẫu" in reasons[3] and "Không có biểu mẫu" in reasons[4]
    DataSet.objects.filter(code="BC_TINH_MONTHLY").update(covers_sub_units=False)
    (summary, _contents) = assert_same(raws(("DOSSIERS_TOTAL", "202511", "X00004", "8")), admin)
    assert "Không có biểu mẫu" in summary[6][0][3]


def test_all_or_nothing_saves_nothing(users, chunk_size):
    rows = raws(
        ("DOSSIERS_TOTAL", "202510", "P01", "1"),
        ("DOSSIERS_ONLINE", "202510", "P01", "2"),
        ("DOSSIERS_ONLINE_FULL", "202510", "P08", "3"),  # outside the scope
        ("DX_TASKS_ASSIGNED", "202510", "P01", "4"),
    )
    (summary, (values, audits)) = assert_same(rows, users["a.reporter"], valid_only=False)
    assert summary[:6] == (0, 0, 0, 1, 0, "ERROR") and values == [] and audits == []
    ok = rows[:2]
    (summary, (values, _audits)) = assert_same(ok, users["a.reporter"], valid_only=False)
    assert summary[:2] == (2, 0) and len(values) == 2


def test_dry_run_counts_and_saves_nothing(users, chunk_size):
    user = users["a.reporter"]
    seed(user, raws(("DOSSIERS_TOTAL", "202510", "P01", "100"), ("DOSSIERS_ONLINE", "202510", "P01", "90")))
    before = contents()
    rows = raws(
        ("DOSSIERS_TOTAL", "202510", "P01", "101"),
        ("DOSSIERS_ONLINE", "202510", "P01", ""),
        ("DOSSIERS_ONLINE_FULL", "202510", "P01", "5"),
        ("DX_TASKS_ASSIGNED", "202510", "P08", "4"),
    )
    for valid_only in (True, False):
        (summary, _after) = assert_same(rows, user, dry_run=True, valid_only=valid_only)
        assert contents() == before
    assert summary[:4] == (0, 0, 0, 1)  # all or nothing, with a conflict: no counts
    (summary, _after) = assert_same(rows, user, dry_run=True)
    assert summary[:4] == (1, 1, 1, 1) and contents() == before


def test_superuser_scope_and_backdating(users):
    at = timezone.now() - dt.timedelta(days=400)
    summary = bulk.data_values_write_bulk(
        rows=raws(("DOSSIERS_TOTAL", "202510", "P08", "7")), by=users["admin"], channel=Channel.API, at=at
    )
    assert summary.imported == 1
    audit = DataValueAudit.objects.get(org_unit__code="P08")
    assert (audit.changed_at, audit.channel, audit.changed_by.username) == (at, Channel.API, "admin")
    assert DataValue.objects.get(org_unit__code="P08").updated_at == at


def test_progress_and_errors_in_the_background_roll_everything_back(users, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 2)
    seen = []
    rows = raws(*[("DOSSIERS_TOTAL", f"2025{m:02d}", "P01", str(m)) for m in range(7, 13)])
    assert bulk.data_values_write_bulk(rows=rows, by=users["a.reporter"], channel="X", progress=seen.append).imported
    assert seen == [2, 4, 6]
    DataValue.objects.all().delete()

    def broken(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(bulk._Writer, "merge", broken)
    monkeypatch.setattr(bulk._SqliteWriter, "merge", broken)
    monkeypatch.setattr(bulk._PostgresWriter, "merge", broken)
    with pytest.raises(RuntimeError, match="went away"):
        bulk.data_values_write_bulk(rows=rows, by=users["a.reporter"], channel=Channel.IMPORT)
    assert not DataValue.objects.exists()


def test_update_without_update_from(users, monkeypatch):
    """SQLite before 3.33 has no UPDATE … FROM: the correlated form gives the same result."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    user = users["a.reporter"]
    seed(user, raws(("DOSSIERS_TOTAL", "202510", "P01", "1", "a"), ("DOSSIERS_ONLINE", "202510", "P01", "2")))
    original = bulk._SqliteWriter.__init__

    def old_sqlite(self, **kwargs):
        original(self, **kwargs)
        self.update = bulk.UPDATE_CORRELATED

    monkeypatch.setattr(bulk._SqliteWriter, "__init__", old_sqlite)
    rows = raws(("DOSSIERS_TOTAL", "202510", "P01", "3"), ("DOSSIERS_ONLINE", "202510", "P01", "2", "b"))
    assert_same(rows, user)


def test_foreign_keys_are_deferred_again_afterwards(users):
    """PostgreSQL: the import checks the foreign keys per statement, then puts them back to
    Django's "checked at commit"."""
    from django.db import IntegrityError

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    bulk.data_values_write_bulk(
        rows=raws(("DOSSIERS_TOTAL", "202510", "P01", "1")), by=users["a.reporter"], channel="X"
    )
    value = DataValue.objects.get()
    with transaction.atomic():
        DataValue.objects.filter(pk=value.pk).update(data_element_id=10**9)  # accepted until checked
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


def test_merge_settings_hold_for_the_merge_only(users, monkeypatch):
    """PostgreSQL: the merge's settings (memory for sorts) hold while it runs and are put back
    after each chunk."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 1)
    names = list(bulk.POSTGRES_MERGE_SETTINGS)

    def current(db):
        cursor = db.cursor()
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
        return dict(zip(names, cursor.fetchone(), strict=True))

    seen = []
    configure = bulk._PostgresWriter.configure

    def configure_and_look(self, cursor, settings):
        configure(self, cursor, settings)
        seen.append(current(self.db))  # the merge runs in another thread, on the import's connection

    monkeypatch.setattr(bulk._PostgresWriter, "configure", configure_and_look)
    before = current(connection)
    assert before != bulk.POSTGRES_MERGE_SETTINGS
    with transaction.atomic():
        rows = raws(("DOSSIERS_TOTAL", "202510", "P01", "1"), ("DOSSIERS_TOTAL", "202511", "P01", "2"))
        assert bulk.data_values_write_bulk(rows=rows, by=users["a.reporter"], channel="X").imported == 2
        assert seen == [bulk.POSTGRES_MERGE_SETTINGS, before] * 2
        assert current(connection) == before
    assert current(connection) == before


# --- readers -----------------------------------------------------------------------------

CSV_TEXT = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment\n"
    "DOSSIERS_TOTAL, 202510 ,P01,,,52340,,,\n"
    "\n"
    " , , \n"
    'DOSSIERS_ONLINE,202510,P01,,,"41,002",,,"a ""quoted"", multi\nline comment"\n'
    "DOSSIERS_DIGITISED_RATE,202510,P01,,, 81.5 \n"
    "SHORT,202510\n"
)


class Readable:
    """Only `read`, like Django's request: the readers must not need more."""

    def __init__(self, data: bytes):
        self.stream = io.BytesIO(data)

    def read(self, size=-1):
        return self.stream.read(size)


@pytest.mark.parametrize("text", [CSV_TEXT, "\ufeff" + CSV_TEXT, CSV_TEXT.split("\n", 1)[1], ""])
def test_csv_reader_reads_as_the_api_does(text):
    expected = raw_from_csv(text.removeprefix("\ufeff"))
    assert list(readers.iter_csv_values(io.StringIO(text, newline=""))) == expected
    assert list(readers.iter_csv_values(io.BytesIO(text.encode("utf-8-sig")))) == expected
    assert list(readers.iter_csv_values(Readable(text.encode("utf-8-sig")))) == expected


JSON_VALUES = [
    {"dataElement": "DOSSIERS_TOTAL", "period": "202510", "orgUnit": "P01", "value": "52340"},
    {"dataElement": " DOSSIERS_ONLINE ", "value": 41002, "comment": 'chú thích "x"\n\t\\'},
    {"dataElement": "DOSSIERS_DIGITISED_RATE", "orgUnit": "X00004", "value": 81.5, "comment": 5},
    "not an object",
    {"dataElement": "HH_TOTAL", "period": "2025Q3", "value": None, "followup": True},
    {"dataElement": "X", "period": "202510", "orgUnit": "P01", "value": [1, {"a": 2}]},
    {"dataElement": "Y", "period": "202510", "orgUnit": "P01", "value": 12345678901234567890123},
]


@pytest.mark.parametrize(
    "payload",
    [
        {"dataSet": "BC", "period": "202511", "orgUnit": "P08", "dataValues": JSON_VALUES},
        {"dataValues": JSON_VALUES, "period": "202511", "orgUnit": "P08", "extra": {"a": [1, 2, "]"]}},
        {"period": "202511", "dataValues": JSON_VALUES, "orgUnit": "P08"},
        {"dataValues": JSON_VALUES},
        {"dataValues": []},
        {},
    ],
)
@pytest.mark.parametrize("block", [1, 7, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_json_reader_reads_as_the_api_does(payload, block, indent, monkeypatch):
    monkeypatch.setattr(readers._JsonReader, "BLOCK", block)
    text = json.dumps(payload, indent=indent, ensure_ascii=indent is None)
    expected = raw_from_json(json.loads(text))
    assert list(readers.iter_json_values(io.StringIO(text))) == expected
    assert list(readers.iter_json_values(io.BytesIO(text.encode()))) == expected
    assert list(readers.iter_json_values(Readable(text.encode("utf-8-sig")))) == expected


@pytest.mark.parametrize(
    "text, error",
    [
        ("[1, 2]", PayloadError),
        ('{"dataValues": 5}', PayloadError),
        ('{"dataValues": null}', PayloadError),
        ('{"dataValues": [{"a": 1}, ]}', json.JSONDecodeError),
        ('{"dataValues": [{"a": 1}]', json.JSONDecodeError),
        ('{"dataValues": [{"a": 1}]} x', json.JSONDecodeError),
        ('{"a" 1}', json.JSONDecodeError),
    ],
)
def test_json_reader_refuses_what_the_api_refuses(text, error):
    with pytest.raises(error):
        list(readers.iter_json_values(io.StringIO(text)))
    with pytest.raises(error):
        raw_from_json(json.loads(text))


def test_json_errors_point_into_the_whole_file(monkeypatch):
    monkeypatch.setattr(readers._JsonReader, "BLOCK", 5)
    text = '{"dataValues": [\n  {"value": "1"},\n  {"value": "2"}\n  {"value": "3"}\n]}'
    with pytest.raises(json.JSONDecodeError) as streamed:
        list(readers.iter_json_values(io.StringIO(text)))
    assert (streamed.value.lineno, streamed.value.colno) == (4, 3)


def test_readers_stop_at_the_row_limit():
    text = "DOSSIERS_TOTAL,202510,P01,,,1\n" * 3
    assert len(list(readers.iter_csv_values(io.StringIO(text), max_rows=3))) == 3
    with pytest.raises(PayloadError):
        list(readers.iter_csv_values(io.StringIO(text), max_rows=2))
    payload = json.dumps({"dataValues": [{"value": "1"}] * 3})
    with pytest.raises(PayloadError):
        list(readers.iter_json_values(io.StringIO(payload), max_rows=2))


def test_a_file_goes_through_end_to_end(users):
    text = "dataelement,period,orgunit,coc,aoc,value\n" + "".join(
        f"DOSSIERS_TOTAL,2025{m:02d},P01,,,{m}\nDOSSIERS_ONLINE,2025{m:02d},P01,,,{m}\n" for m in range(7, 13)
    )
    summary = bulk.data_values_write_bulk(
        rows=readers.iter_csv_values(io.BytesIO(text.encode())), by=users["a.reporter"], channel=Channel.IMPORT
    )
    assert (summary.imported, summary.status) == (12, "SUCCESS")
    assert DataValueAudit.objects.filter(channel=Channel.IMPORT).count() == 12


def test_a_formula_like_comment_survives_an_export_and_a_large_import(users):
    """The CSV export quotes text a spreadsheet would run (=HYPERLINK…); the one CSV reader takes
    the quote off, so the set-based path stores the comment as it was, like the per-value one."""
    comment = '=HYPERLINK("http://example.invalid","bấm")'
    out = io.StringIO()
    csv.writer(out).writerow(["DOSSIERS_TOTAL", "202510", "P01", "", "", "7", "", "", csv_text(comment)])
    text = out.getvalue()
    assert raw_from_csv(text)[0].comment == comment
    summary = bulk.data_values_write_bulk(
        rows=readers.iter_csv_values(io.BytesIO(text.encode())), by=users["a.reporter"], channel=Channel.IMPORT
    )
    assert summary.imported == 1, summary.conflicts
    assert DataValue.objects.get(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01").comment == comment
