"""The audit trail of figures: filters, scope (page, CSV, API), query count, bad input."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.accounts.services import token_create
from giamsat.catalog.models import DataElement
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import AuditAction, Channel
from giamsat.reporting.models import DataValueAudit
from giamsat.reporting.selectors import AuditFilterError, audit_entries, audit_filters_parse
from giamsat.reporting.services import data_values_write, period_get

pytestmark = pytest.mark.django_db

# Far from the demo history (and from today), so that a date range holds only these rows.
MARCH = {"start": "01/03/2031", "end": "31/03/2031"}


def at(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A time in March 2031, on the project's clock (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(dt.datetime(2031, 3, day, hour, minute))


def audit_row(unit, element="DOSSIERS_TOTAL", period="202510", *, when, by="a.reporter", channel=Channel.FORM, **kw):
    """One audit row set up directly (test scaffolding: the services write them for real)."""
    values = {"action": AuditAction.UPDATE, "old_value": Decimal("1000"), "new_value": Decimal("1234.5")} | kw
    return DataValueAudit.objects.create(
        data_element=DataElement.objects.get(code=element),
        org_unit=unit if isinstance(unit, OrgUnit) else OrgUnit.objects.get(code=unit),
        period=period_get(period),
        changed_by=User.objects.get(username=by) if by else None,
        changed_at=when,
        channel=channel,
        **values,
    )


def commune_of(code: str) -> OrgUnit:
    province = OrgUnit.objects.get(code=code)
    return OrgUnit.objects.filter(path__startswith=province.path).exclude(pk=province.pk).order_by("code").first()


@pytest.fixture
def rows(db):
    """Three changes in province A (one in a commune) and one in province B, in March 2031."""
    return {
        "r1": audit_row("P01", when=at(10)),
        # 23:30 on the 12th: inside a range that ends on 12/03/2031.
        "r2": audit_row(
            commune_of("P01"), "DOSSIERS_ONLINE", "202511", when=at(12, 23, 30), by="a.leader", channel=Channel.EXCEL
        ),
        "r3": audit_row("P01", "DOSSIERS_ONLINE", when=at(15), channel=Channel.API),
        "b1": audit_row("P08", when=at(11), by="b.reporter"),
    }


def api_client(username: str) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = (
        f"Bearer {token_create(user=User.objects.get(username=username), name='t')[1]}"
    )
    return client


def web_client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["r3", "r2", "r1"]),  # newest first, province B's row left out
        ({"org_unit": "P01"}, ["r3", "r1"]),
        ({"org_unit": "P01", "children": True}, ["r3", "r2", "r1"]),
        ({"data_element": "DOSSIERS_ONLINE"}, ["r3", "r2"]),
        ({"period": "202511"}, ["r2"]),
        ({"username": "a.leader"}, ["r2"]),
        ({"username": "b.reporter"}, []),  # another province's user: nothing of theirs in scope
        ({"username": "no.such.user"}, []),
        ({"channel": "EXCEL"}, ["r2"]),
        ({"channel": "api"}, ["r3"]),
        ({"end": "12/03/2031"}, ["r2", "r1"]),  # the end day is included to its last minute
        ({"start": "2031-03-12"}, ["r3", "r2"]),  # ISO accepted
        ({"start": "13/03/2031", "end": "14/03/2031"}, []),
    ],
)
def test_each_filter_narrows(rows, params, expected):
    user = User.objects.get(username="a.reporter")
    filters = audit_filters_parse(user=user, **(MARCH | params))
    assert list(audit_entries(user=user, filters=filters)) == [rows[key] for key in expected]


@pytest.mark.parametrize(
    "params",
    [
        {"org_unit": "NOPE"},
        {"data_element": "NOPE"},
        {"period": "2025-13"},
        {"channel": "FAX"},
        {"start": "31/02/2031"},
        {"end": "tomorrow"},
        {"start": "02/03/2031", "end": "01/03/2031"},
    ],
)
def test_unreadable_filters_are_refused(params):
    with pytest.raises(AuditFilterError):
        audit_filters_parse(user=User.objects.get(username="a.reporter"), **params)


def test_page_shows_names_formatted_values_channel_and_report_link(client_a, report_a, users, value_input):
    first = data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "1234")],
        by=users["a.reporter"],
        channel=Channel.FORM,
        decimal_separator=",",
    )
    second = data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "12345")],
        by=users["a.reporter"],
        channel=Channel.FORM,
        decimal_separator=",",
    )
    assert first.ok and second.ok, (first.problems, second.problems)
    audit_row("P01", when=at(1))  # 1.000 → 1.234,5
    response = client_a.get("/reports/audit/", {"org_unit": "P01", "channel": "FORM", "period": "202510"})
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3
    assert DataElement.objects.get(code="DOSSIERS_TOTAL").name_vi in body
    assert OrgUnit.objects.get(code="P01").name_vi in body
    assert "12.345" in body and "1.234,5" in body and "1.000" in body  # Vietnamese numbers
    assert "Biểu mẫu web" in body and "Đã nhập mới" in body and "Đã cập nhật" in body
    assert f'href="/reports/{report_a.pk}/"' in body
    assert "Nhật ký thay đổi số liệu" in body and "Tìm thấy 3 thay đổi." in body


def test_page_is_linked_from_the_reports_page_and_a_report(client_a, report_a):
    assert 'href="/reports/audit/"' in client_a.get("/reports/").content.decode()
    detail = client_a.get(f"/reports/{report_a.pk}/").content.decode()
    assert 'href="/reports/audit/?org_unit=P01&amp;period=202510"' in detail


def test_page_pages_by_fifty_newest_first(client_a):
    unit = OrgUnit.objects.get(code="P01")
    for minute in range(55):
        audit_row(unit, when=at(20, 8, minute))
    first = client_a.get("/reports/audit/", MARCH)
    assert first.context["page"].paginator.count == 55
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0][0].changed_at == at(20, 8, 54)
    second = client_a.get("/reports/audit/", MARCH | {"page": "2"})
    assert len(second.context["rows"]) == 5
    assert "51–55" in second.content.decode()


def test_province_a_never_sees_province_b(rows):
    name_b = OrgUnit.objects.get(code="P08").name_vi
    page = web_client("a.reporter").get("/reports/audit/", MARCH)
    assert [row[0] for row in page.context["rows"]] == [rows["r3"], rows["r2"], rows["r1"]]
    assert name_b not in page.content.decode()
    exported = csv_rows(web_client("a.reporter").get("/reports/audit/csv/", MARCH))
    assert [row[1] for row in exported[1:]] == ["P01", rows["r2"].org_unit.code, "P01"]
    assert name_b not in str(exported)
    api = api_client("a.reporter").get("/api/v1/audit", {"startDate": "2031-03-01", "endDate": "2031-03-31"})
    assert [item["orgUnit"] for item in api.json()["dataValueAudits"]] == ["P01", rows["r2"].org_unit.code, "P01"]
    # And the other way round.
    page_b = web_client("b.reporter").get("/reports/audit/", MARCH)
    assert [row[0] for row in page_b.context["rows"]] == [rows["b1"]]


@pytest.mark.parametrize(
    "url",
    ["/reports/audit/?org_unit=P08", "/reports/audit/csv/?org_unit=P08&children=1", "/api/v1/audit?orgUnit=P08"],
)
def test_another_provinces_unit_is_refused(rows, url):
    client = api_client("a.reporter") if url.startswith("/api/") else web_client("a.reporter")
    response = client.get(url)
    assert response.status_code == 403
    assert OrgUnit.objects.get(code="P08").name_vi not in response.content.decode()


def test_page_queries_do_not_grow_with_rows(client_a, report_a):
    elements = ["DOSSIERS_TOTAL", "DOSSIERS_ONLINE", "DOSSIERS_DIGITISED_RATE"]
    units = [OrgUnit.objects.get(code="P01"), commune_of("P01")]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client_a.get("/reports/audit/", MARCH)
        assert response.status_code == 200
        return len(captured)

    for i in range(3):
        audit_row(units[i % 2], elements[i % 3], when=at(1, 9, i))
    few = queries()
    for i in range(3, 60):
        audit_row(units[i % 2], elements[i % 3], ("202510", "202509")[i % 2], when=at(1, 9, i), by="a.leader")
    assert queries() == few
    assert few <= 15


def test_csv_escapes_formula_like_text(client_a):
    audit_row("P01", when=at(5), new_comment='=HYPERLINK("http://x")', old_value=None, action=AuditAction.CREATE)
    exported = csv_rows(client_a.get("/reports/audit/csv/", MARCH))
    assert exported[0][:3] == ["Thời điểm", "Mã đơn vị", "Đơn vị"]
    (row,) = exported[1:]
    assert row[0] == "05/03/2031 10:00:00"
    assert row[7:11] == ["", "1234.5", "", '\'=HYPERLINK("http://x")']
    assert row[12] == "Biểu mẫu web"


def test_api_items_and_pages(rows):
    client = api_client("a.reporter")
    query = {"startDate": "01/03/2031", "endDate": "2031-03-31", "pageSize": "2"}
    first = client.get("/api/v1/audit", query).json()
    assert first["pager"] == {"page": 1, "pageSize": 2, "total": 3, "pageCount": 2}
    assert first["dataValueAudits"][0] == {
        "dataElement": "DOSSIERS_ONLINE",
        "orgUnit": "P01",
        "period": "202510",
        "action": "UPDATE",
        "oldValue": "1000",
        "newValue": "1234.5",
        "oldComment": "",
        "newComment": "",
        "user": "a.reporter",
        "time": "2031-03-15T10:00:00+07:00",
        "channel": "API",
    }
    second = client.get("/api/v1/audit", query | {"page": "2"}).json()
    assert [i["orgUnit"] for i in second["dataValueAudits"]] == ["P01"]
    past = client.get("/api/v1/audit", query | {"page": "99999999999999999999"})
    assert past.status_code == 200 and past.json()["dataValueAudits"] == []
    narrowed = client.get("/api/v1/audit", query | {"orgUnit": "P01", "children": "true", "user": "a.leader"}).json()
    assert [i["period"] for i in narrowed["dataValueAudits"]] == ["202511"]
    capped = client.get("/api/v1/audit", query | {"pageSize": "5000"}).json()
    assert capped["pager"]["pageSize"] == 1000


@pytest.mark.parametrize(
    "params",
    [
        {"startDate": "31/02/2031"},
        {"endDate": "2031-13-01"},
        {"startDate": "2031-03-02", "endDate": "2031-03-01"},
        {"orgUnit": "NOPE"},
        {"dataElement": "NOPE"},
        {"period": "2025W99"},
        {"channel": "FAX"},
        {"children": "maybe"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "1.5"},
        {"pageSize": "0"},
        {"pageSize": "١٠"},  # Arabic-Indic digits are digits to Python, not to us
        {"orgUnit": "P0\x001"},
        {"startDate": "\x00"},
    ],
)
def test_api_bad_input_is_a_400(params):
    response = api_client("a.reporter").get("/api/v1/audit", params)
    assert response.status_code == 400
    if not any("\x00" in v for v in params.values()):  # NUL is refused before the API, as a page
        assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


@pytest.mark.parametrize(
    "params, status",
    [
        ({"start": "31/02/2031"}, 400),
        ({"start": "02/03/2031", "end": "01/03/2031"}, 400),
        ({"org_unit": "NOPE"}, 400),
        ({"data_element": "NOPE"}, 400),
        ({"period": "2025-13"}, 400),
        ({"channel": "FAX"}, 400),
        ({"page": "0"}, 400),
        ({"page": "abc"}, 400),
        ({"page": "99999999999999999999"}, 200),  # past the end: the last page
        ({"user": "x\x00"}, 400),
    ],
)
@pytest.mark.parametrize("path", ["/reports/audit/", "/reports/audit/csv/"])
def test_page_and_csv_bad_input(client_a, path, params, status):
    if path.endswith("csv/") and "page" in params:
        status = 200  # the export has no pages: the parameter is not read
    assert client_a.get(path, params).status_code == status


def test_page_errors_are_in_vietnamese(client_a):
    body = client_a.get("/reports/audit/", {"page": "abc"}).content.decode()
    assert "“Số trang” phải là số nguyên từ 1 trở lên." in body
    assert (
        "Ngày bắt đầu sau ngày kết thúc."
        in client_a.get("/reports/audit/", MARCH | {"start": "31/03/2031", "end": "01/03/2031"}).content.decode()
    )
