"""DHIS2-style dataValueSets: JSON and CSV give the same result, round trips, conflicts, scope."""

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client

from giamsat.accounts.services import token_create
from giamsat.reporting.choices import Channel
from giamsat.reporting.exchange import values_as_csv
from giamsat.reporting.models import DataValue, DataValueAudit
from giamsat.reporting.readers import raw_from_csv

pytestmark = pytest.mark.django_db

VALUES = [
    ("DOSSIERS_TOTAL", "202510", "P01", "52340"),
    ("DOSSIERS_ONLINE", "202510", "P01", "41002"),
    ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "81.5"),
    ("HH_TOTAL", "2025Q3", "X00004", "12000"),
]


@pytest.fixture
def api(users):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"ApiToken {token_create(user=users['a.reporter'], name='t')[1]}"
    return client


def as_json(values):
    return {"dataValues": [{"dataElement": e, "period": p, "orgUnit": o, "value": v} for e, p, o, v in values]}


def as_csv(values):
    lines = ["dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value"]
    lines += [f"{e},{p},{o},,,{v}" for e, p, o, v in values]
    return "\n".join(lines) + "\n"


def stored():
    return sorted(
        (v.data_element.code, v.period.code, v.org_unit.code, v.value)
        for v in DataValue.objects.select_related("data_element", "period", "org_unit")
    )


def test_json_import_summary_and_audit(api):
    response = api.post("/api/v1/dataValueSets", as_json(VALUES), content_type="application/json")
    body = response.json()
    assert response.status_code == 200
    assert body["response"]["status"] == "SUCCESS"
    assert body["response"]["importCount"] == {"imported": 4, "updated": 0, "ignored": 0, "deleted": 0}
    assert DataValueAudit.objects.filter(channel=Channel.API).count() == 4


def test_json_and_csv_give_identical_contents(api):
    api.post("/api/v1/dataValueSets", as_json(VALUES), content_type="application/json")
    from_json = stored()
    DataValue.objects.all().delete()
    response = api.post("/api/v1/dataValueSets", as_csv(VALUES), content_type="text/csv")
    assert response.json()["response"]["importCount"]["imported"] == 4
    assert stored() == from_json


def test_what_get_returns_imports_back_unchanged(api):
    api.post("/api/v1/dataValueSets", as_json(VALUES), content_type="application/json")
    before = stored()
    exported = api.get(
        "/api/v1/dataValueSets", {"orgUnit": "P01", "children": "true", "startDate": "2025-07-01"}
    ).json()
    assert len(exported["dataValues"]) == 4
    again = api.post("/api/v1/dataValueSets", exported, content_type="application/json").json()
    assert again["response"]["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}
    assert stored() == before
    csv_export = api.get(
        "/api/v1/dataValueSets", {"orgUnit": "P01", "children": "true", "period": "202510", "format": "csv"}
    )
    assert csv_export["Content-Type"].startswith("text/csv")
    assert (
        api.post("/api/v1/dataValueSets", csv_export.content, content_type="text/csv").json()["response"][
            "importCount"
        ]["ignored"]
        == 3
    )
    assert stored() == before


def test_csv_export_quotes_formulas_and_imports_back_unchanged(api):
    formula = '=HYPERLINK("http://x.example","y")'
    values = as_json(VALUES[:2])
    values["dataValues"][0]["comment"] = formula
    values["dataValues"][1]["comment"] = "@SUM(A1)"
    api.post("/api/v1/dataValueSets", values, content_type="application/json")
    exported = api.get("/api/v1/dataValueSets", {"orgUnit": "P01", "period": "202510", "format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8"))))
    comments = {row[0]: row[8] for row in rows[1:]}
    assert comments == {"DOSSIERS_TOTAL": "'" + formula, "DOSSIERS_ONLINE": "'@SUM(A1)"}
    assert {row[0]: row[5] for row in rows[1:]} == {"DOSSIERS_TOTAL": "52340", "DOSSIERS_ONLINE": "41002"}
    again = api.post("/api/v1/dataValueSets", exported.content, content_type="text/csv").json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert DataValue.objects.get(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01").comment == formula


def test_csv_export_writes_a_negative_value_as_a_number():
    row = SimpleNamespace(
        data_element=SimpleNamespace(code="BALANCE"),
        period=SimpleNamespace(code="202510"),
        org_unit=SimpleNamespace(code="P01"),
        value=Decimal("-5"),
        comment="-5 is a loss",
        follow_up=False,
        updated_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC),
        updated_by_id=1,
        updated_by=SimpleNamespace(username="+admin"),
    )
    [header, line] = list(csv.reader(io.StringIO(values_as_csv([row]))))
    assert line[header.index("value")] == "-5"
    assert line[header.index("comment")] == "'-5 is a loss"
    assert line[header.index("storedby")] == "'+admin"
    assert raw_from_csv(values_as_csv([row]))[0].comment == "-5 is a loss"


def test_conflicts_name_the_row_object_and_reason(api):
    bad = [
        ("NOPE", "202510", "P01", "1"),
        ("DOSSIERS_TOTAL", "2025-10", "P01", "1"),
        ("DOSSIERS_TOTAL", "202510", "P99", "1"),
        ("DOSSIERS_TOTAL", "202510", "P08", "1"),  # province B
        ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "120"),
        ("DOSSIERS_TOTAL", "202510", "P01", "100"),  # the one good value
    ]
    response = api.post("/api/v1/dataValueSets", as_json(bad), content_type="application/json")
    body = response.json()["response"]
    assert body["status"] == "WARNING"
    assert body["importCount"]["imported"] == 1 and body["importCount"]["ignored"] == 5
    assert [c["objects"]["row"] for c in body["conflicts"]] == [1, 2, 3, 4, 5]
    reasons = " ".join(c["value"] for c in body["conflicts"])
    assert "phạm vi nhập liệu" in reasons and "100" in reasons
    assert body["rejectedIndexes"] == [0, 1, 2, 3, 4]
    assert not DataValue.objects.filter(org_unit__code="P08").exists()


def test_atomic_import_saves_nothing_on_conflict(api):
    values = [*VALUES, ("DOSSIERS_TOTAL", "202510", "P08", "1")]
    response = api.post("/api/v1/dataValueSets?atomic=true", as_json(values), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["response"]["importCount"]["imported"] == 0
    assert DataValue.objects.count() == 0


def test_dry_run_saves_nothing(api):
    body = api.post("/api/v1/dataValueSets?dryRun=true", as_json(VALUES), content_type="application/json").json()
    assert body["response"]["importCount"]["imported"] == 4
    assert DataValue.objects.count() == 0


def test_strategies(api):
    api.post("/api/v1/dataValueSets", as_json(VALUES[:2]), content_type="application/json")
    changed = [("DOSSIERS_TOTAL", "202510", "P01", "60000"), ("DOSSIERS_DIGITISED_RATE", "202510", "P01", "80")]
    update = api.post("/api/v1/dataValueSets?importStrategy=UPDATE", as_json(changed), content_type="application/json")
    assert update.json()["response"]["importCount"] == {"imported": 0, "updated": 1, "ignored": 1, "deleted": 0}
    create = api.post("/api/v1/dataValueSets?importStrategy=CREATE", as_json(changed), content_type="application/json")
    assert create.json()["response"]["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    delete = api.post("/api/v1/dataValueSets?importStrategy=DELETE", as_json(changed), content_type="application/json")
    assert delete.json()["response"]["importCount"]["deleted"] == 2
    assert (
        api.post(
            "/api/v1/dataValueSets?importStrategy=MERGE", as_json(changed), content_type="application/json"
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        ("{not json", "application/json", 400),
        ('{"dataValues": 5}', "application/json", 400),
        ("[1, 2]", "application/json", 400),
        (b"\xff\xfe\x00", "text/csv", 400),
        ("<xml/>", "application/x-unknown", 415),
        ('{"dataValues": [5, "x"]}', "application/json", 409),
    ],
)
def test_bad_bodies_get_clear_errors(api, body, content_type, status):
    response = api.post("/api/v1/dataValueSets", body, content_type=content_type)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")


def test_export_needs_a_filter_and_respects_scope(api):
    assert api.get("/api/v1/dataValueSets").status_code == 400
    assert api.get("/api/v1/dataValueSets", {"orgUnit": "VN", "children": "true"}).status_code == 403
    assert api.get("/api/v1/dataValueSets", {"dataSet": "NOPE"}).status_code == 404
    assert api.get("/api/v1/dataValueSets", {"period": "2025-10"}).status_code == 400
    assert (
        api.post("/api/v1/dataValueSets?idScheme=UID", as_json(VALUES), content_type="application/json").status_code
        == 400
    )


def test_export_by_period_lists_only_values_in_scope(api, users):
    from giamsat.catalog.models import DataElement
    from giamsat.orgunits.models import OrgUnit
    from giamsat.reporting.services import ValueInput, data_values_write, period_get

    data_values_write(
        inputs=[
            ValueInput(
                DataElement.objects.get(code="DOSSIERS_TOTAL"), OrgUnit.objects.get(code="P08"), period_get("202510"), 5
            )
        ],
        by=users["b.reporter"],
        channel=Channel.FORM,
    )
    api.post("/api/v1/dataValueSets", as_json(VALUES[:1]), content_type="application/json")
    exported = api.get("/api/v1/dataValueSets", {"period": "202510"}).json()["dataValues"]
    assert [v["orgUnit"] for v in exported] == ["P01"]


def as_adx(values):
    from giamsat.core.periods import Period

    groups = {}
    for e, p, o, v in values:
        groups.setdefault((o, p), []).append((e, v))
    body = ['<adx xmlns="urn:ihe:qrph:adx:2015">']
    for (o, p), items in groups.items():
        body.append(f'<group orgUnit="{o}" period="{Period.parse(p).adx}">')
        body += [f'<dataValue dataElement="{e}" value="{v}"/>' for e, v in items]
        body.append("</group>")
    body.append("</adx>")
    return "".join(body)


def test_json_csv_and_adx_give_identical_contents(api):
    results = []
    for body, content_type in [
        (as_json(VALUES), "application/json"),
        (as_csv(VALUES), "text/csv"),
        (as_adx(VALUES), "application/adx+xml"),
    ]:
        DataValue.objects.all().delete()
        response = api.post("/api/v1/dataValueSets", body, content_type=content_type)
        assert response.json()["response"]["importCount"]["imported"] == 4, content_type
        results.append(stored())
    assert results[0] == results[1] == results[2]


def test_adx_round_trip(api):
    api.post("/api/v1/dataValueSets", as_json(VALUES), content_type="application/json")
    before = stored()
    adx = api.get(
        "/api/v1/dataValueSets", {"orgUnit": "P01", "children": "true", "startDate": "2025-07-01", "format": "adx"}
    )
    assert adx["Content-Type"].startswith("application/adx+xml")
    assert b'period="2025-10-01/P1M"' in adx.content
    again = api.post("/api/v1/dataValueSets", adx.content, content_type="application/adx+xml").json()
    assert again["response"]["importCount"]["ignored"] == 4
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [
        "<not-xml",
        "<root/>",
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><adx>&b;</adx>',
        '<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="P01" period="2025-10-02/P1M">'
        '<dataValue dataElement="DOSSIERS_TOTAL" value="1"/></group></adx>',
    ],
)
def test_bad_adx_is_refused_clearly(api, body):
    response = api.post("/api/v1/dataValueSets", body, content_type="application/adx+xml")
    assert response.status_code in {400, 409}
    assert DataValue.objects.count() == 0


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_large_import_runs_in_the_background(api, users, huey_immediate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/dataValueSets?async=true", as_json(VALUES), content_type="application/json")
    assert response.status_code == 202
    job_url = response.json()["response"]["relativeNotifierEndpoint"]
    job = api.get(job_url).json()
    assert job["status"] == "DONE" and job["total"] == 4 and job["processed"] == 4
    assert job["summary"]["response"]["importCount"]["imported"] == 4
    assert DataValue.objects.count() == 4
    other = Client()
    other.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=users['b.reporter'], name='t')[1]}"
    assert other.get(job_url).status_code == 404  # another user's job is not theirs to see
    assert api.get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_background_job_reports_a_broken_file(api, huey_immediate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/dataValueSets?async=true", "{broken", content_type="application/json")
    job = api.get(response.json()["response"]["relativeNotifierEndpoint"]).json()
    assert job["status"] == "FAILED" and job["error"]


def test_dry_run_creates_no_period(api):
    from giamsat.reporting.models import Period

    api.post(
        "/api/v1/dataValueSets?dryRun=true",
        as_json([("DOSSIERS_TOTAL", "203001", "P01", "1")]),
        content_type="application/json",
    )
    assert not Period.objects.filter(code="203001").exists()


def test_large_imports_take_the_set_based_path(api, monkeypatch, huey_immediate, django_capture_on_commit_callbacks):
    from giamsat.reporting import exchange

    monkeypatch.setattr(exchange, "BULK_THRESHOLD", 2)
    bad = [*VALUES, ("DOSSIERS_TOTAL", "202510", "P08", "1")]
    body = api.post("/api/v1/dataValueSets", as_json(bad), content_type="application/json").json()["response"]
    assert body["importCount"]["imported"] == 4 and body["conflicts"][0]["objects"]["row"] == 5
    assert DataValueAudit.objects.filter(channel=Channel.API).count() == 4
    DataValue.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post("/api/v1/dataValueSets?async=true", as_csv(VALUES), content_type="text/csv")
    job = api.get(queued.json()["response"]["relativeNotifierEndpoint"]).json()
    assert job["status"] == "DONE" and job["processed"] == 4
    assert job["summary"]["response"]["importCount"]["imported"] == 4


def test_codes_with_a_nul_character_are_unknown_codes_not_a_server_error(api):
    bad = [("DOSSIERS\x00TOTAL", "202510", "P01", "1"), ("DOSSIERS_TOTAL", "202510", "P0\x001", "1")]
    response = api.post("/api/v1/dataValueSets", as_json(bad), content_type="application/json")
    assert response.status_code == 409  # nothing imported, as DHIS2 answers
    assert response.json()["response"]["importCount"]["ignored"] == 2
    assert api.delete("/api/dataValues?de=X%00&pe=202510&ou=P01").status_code < 500


@pytest.mark.parametrize(
    "url",
    ["/api/v1/evaluation/indicatorValues?indicator=A%00B", "/api/v1/orgunits?q=ha%00noi", "/units/P0%001/"],
)
def test_a_nul_character_in_a_path_or_parameter_is_a_bad_request(api, url):
    assert api.get(url).status_code == 400


def test_a_50_mb_csv_is_streamed_to_a_job_not_refused(api, users, django_capture_on_commit_callbacks):
    """Django keeps at most 2.5 MB of a body in memory: a larger import is copied to storage in
    chunks and queued as a job (it used to be a 500 with a traceback)."""
    from giamsat.jobs.models import Job

    line = "DOSSIERS_TOTAL,202510,P01,,,1,,," + "x" * 200 + "\n"
    body = line * (50 * 1024 * 1024 // len(line) + 1)
    with django_capture_on_commit_callbacks() as queued:
        response = api.post("/api/v1/dataValueSets", body, content_type="text/csv")
    assert response.status_code == 202, response.content[:300]
    job = Job.objects.get(pk=response.json()["response"]["id"])
    assert job.owner == users["a.reporter"] and job.status == "QUEUED" and len(queued) == 1
    assert job.file.size == len(body.encode())
    job.file.delete(save=False)


def test_a_body_over_the_limit_is_a_json_413_naming_it(api, settings):
    settings.IMPORT_MAX_BODY_BYTES = 3 * 1024 * 1024
    body = "DOSSIERS_TOTAL,202510,P01,,,1\n" * (4 * 1024 * 1024 // 30)
    for path in ("/api/v1/dataValueSets", "/api/dataValueSets", "/api/v1/dataValueSets?async=true"):
        response = api.post(path, body, content_type="text/csv")
        assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
        assert response.json()["limitBytes"] == 3 * 1024 * 1024 and "3 MB" in response.json()["detail"]


def test_a_file_in_another_encoding_fails_its_job_with_a_clear_message(
    api, huey_immediate, django_capture_on_commit_callbacks
):
    body = "DOSSIERS_TOTAL,202510,P01,,,1,,,Báo cáo tháng\n".encode("cp1258")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/dataValueSets?async=true", body, content_type="text/csv")
    job = api.get(response.json()["response"]["relativeNotifierEndpoint"]).json()
    assert job["status"] == "FAILED"
    assert "UTF-8" in job["error"] and "codec" not in job["error"], job["error"]
