"""Excel channel: the template, uploads with every problem located, the errors workbook,
formulas, refused files, exports and scope."""

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, DataSet
from giamsat.reporting import excel
from giamsat.reporting.choices import Channel, ReportStatus
from giamsat.reporting.models import DataValue, DataValueAudit, Report
from giamsat.reporting.services import ValueInput, data_values_write, period_get, report_deadline
from giamsat.testing.fixtures import COMMUNE_B, FORMER_PROVINCE_B, PROVINCE_A, PROVINCE_B
from giamsat.testing.scoping import DENIED, all_routes, assert_scope_enforced, request

from .routes import report_for
from .routes_excel import ROUTES_EXCEL

pytestmark = pytest.mark.django_db

TEMPLATE, UPLOAD, EXPORT = "/reports/excel/template/", "/reports/excel/upload/", "/reports/excel/export/"
MONTHLY = "BC_TINH_MONTHLY"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Kept uploads go to a temporary folder."""
    settings.VAR_DIR = tmp_path


def vi(msgid: str, **params) -> str:
    """A message as a Vietnamese user reads it (the service's reasons are translated)."""
    with translation.override("vi"):
        text = gettext(msgid)
    return text % params if params else text


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def xlsx(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


class Sheet:
    """The figures sheet of a template: cells by figure code, unit and period."""

    def __init__(self, wb: openpyxl.Workbook):
        self.wb, self.ws = wb, wb.worksheets[0]
        self.roles_row = next(r for r in range(1, 20) if self.ws.cell(r, 1).value == "ELEMENT")
        self.cols = {self.ws.cell(self.roles_row, c).value: c for c in range(1, self.ws.max_column + 1)}
        self.rows = {
            (self.ws.cell(r, 1).value, self.ws.cell(r, 2).value): r
            for r in range(self.roles_row + 1, self.ws.max_row + 1)
            if self.ws.cell(r, 1).value
        }

    def cell(self, code: str, period: str, *, unit: str = "P01", comment: bool = False):
        role = f"{'COMMENT' if comment else 'VALUE'}:{period}"
        return self.ws.cell(self.rows[(code, unit)], self.cols[role])

    def content(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()


def template(client, period="202510", end="", unit="P01") -> Sheet:
    params = {"data_set": MONTHLY, "org_unit": unit, "period": period, "end": end}
    return Sheet(xlsx(client.get(TEMPLATE, params)))


def upload(client, content: bytes, *, valid_only=False, dry_run=False):
    data = {"file": SimpleUploadedFile("so-lieu.xlsx", content, content_type=excel.XLSX_CONTENT_TYPE)}
    if valid_only:
        data["valid_only"] = "1"
    if dry_run:
        data["dry_run"] = "1"
    return client.post(UPLOAD, data)


def stored(period="202510", unit="P01") -> dict[str, Decimal]:
    return dict(
        DataValue.objects.filter(org_unit__code=unit, period__code=period).values_list("data_element__code", "value")
    )


def write(users, code, value, *, period="202510", unit="P01", by="a.reporter", comment=None):
    from giamsat.orgunits.models import OrgUnit

    data_values_write(
        inputs=[
            ValueInput(
                data_element=DataElement.objects.get(code=code),
                org_unit=OrgUnit.objects.get(code=unit),
                period=period_get(period),
                value=value,
                comment=comment,
            )
        ],
        by=users[by],
        channel=Channel.FORM,
    )


def submitted(unit, period: str) -> Report:
    data_set = DataSet.objects.get(code=MONTHLY)
    stored_period = period_get(period)
    now = timezone.now()
    return Report.objects.create(
        data_set=data_set,
        org_unit=unit,
        period=stored_period,
        status=ReportStatus.SUBMITTED,
        deadline=report_deadline(data_set, stored_period),
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )


# --- the template ------------------------------------------------------------------------


def test_template_has_codes_validations_protection_and_instructions(client_a, users):
    write(users, "DOSSIERS_TOTAL", "4321", period="202509")
    response = client_a.get(TEMPLATE, {"data_set": MONTHLY, "org_unit": "P01", "period": "202510"})
    assert "attachment" in response["Content-Disposition"]
    sheet = Sheet(xlsx(response))
    ws = sheet.ws
    with translation.override("vi"):
        assert sheet.wb.sheetnames == [excel.sheet_title("figures"), excel.sheet_title("instructions")]
    assert ws.protection.sheet
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
    assert ws.row_dimensions[sheet.roles_row].hidden
    assert {"ELEMENT", "UNIT", "REFERENCE", "VALUE:202510", "COMMENT:202510"} <= set(sheet.cols)
    assert len(sheet.rows) == DataSet.objects.get(code=MONTHLY).members.count()

    row = sheet.rows[("DOSSIERS_TOTAL", "P01")]
    assert ws.cell(row, 4).value == "Tổng số hồ sơ thủ tục hành chính đã tiếp nhận (*)"  # every figure is required
    assert ws.cell(row, 5).value == "hồ sơ"
    assert any(ws.cell(r, 4).value == "Viễn thông" for r in range(sheet.roles_row, row))  # a section row
    reference = ws.cell(row, sheet.cols["REFERENCE"])
    assert reference.value == 4321 and reference.protection.locked  # September, for reference
    value = sheet.cell("DOSSIERS_TOTAL", "202510")
    assert not value.protection.locked and not sheet.cell("DOSSIERS_TOTAL", "202510", comment=True).protection.locked
    assert ws.cell(row, 1).protection.locked and ws.cell(row, 2).protection.locked

    rules = {
        (dv.type, dv.operator, dv.formula1, dv.formula2): str(dv.sqref).split()
        for dv in ws.data_validations.dataValidation
    }
    assert value.coordinate in rules[("whole", "greaterThanOrEqual", "0", None)]
    assert sheet.cell("DOSSIERS_DIGITISED_RATE", "202510").coordinate in rules[("decimal", "between", "0", "100")]
    assert sheet.cell("GRDP", "202510").coordinate in rules[("decimal", "greaterThanOrEqual", "0", None)]

    readme = "\n".join(str(c.value) for c in sheet.wb.worksheets[1]["A"] if c.value)
    assert MONTHLY in readme and "Thành phố Hà Nội" in readme and "Tháng 10/2025" in readme


def test_template_for_every_unit_of_the_capture_scope(client_a):
    sheet = Sheet(xlsx(client_a.get(TEMPLATE, {"data_set": MONTHLY, "period": "202510"})))
    assert {unit for _code, unit in sheet.rows} == {"P01"}


@pytest.mark.parametrize(
    "params, status, shown",
    [
        ({"org_unit": "P08"}, 403, ""),
        ({"period": "2025-10"}, 400, "2025-10"),
        ({"period": "2025Q3"}, 400, ""),
        ({"period": "202510", "end": "202509"}, 400, ""),
        ({"period": "202401", "end": "202512"}, 400, "12"),
        ({"data_set": "NOPE"}, 400, ""),
        ({"org_unit": "NOPE"}, 400, ""),
    ],
)
def test_template_refuses_bad_requests_clearly(client_a, params, status, shown):
    response = client_a.get(TEMPLATE, {"data_set": MONTHLY, "org_unit": "P01", "period": "202510", **params})
    assert response.status_code == status
    assert shown in response.content.decode()
    assert "Tỉnh Tuyên Quang" not in response.content.decode()


def test_no_template_without_a_data_entry_scope(client_leader):
    assert client_leader.get(TEMPLATE, {"data_set": MONTHLY, "period": "202510"}).status_code == 400
    assert client_leader.get(TEMPLATE, {"data_set": MONTHLY, "org_unit": "P01", "period": "202510"}).status_code == 403


# --- uploads -----------------------------------------------------------------------------


def test_filled_template_round_trips(client_a):
    sheet = template(client_a)
    sheet.cell("DOSSIERS_TOTAL", "202510").value = 52340
    sheet.cell("DOSSIERS_TOTAL", "202510", comment=True).value = "Theo cổng DVC"
    rate = sheet.cell("DOSSIERS_DIGITISED_RATE", "202510")
    rate.value, rate.number_format = 0.815, "0.0%"  # typed as “81,5%”: Excel keeps 0,815
    sheet.cell("GRDP", "202510").value = 1234.56
    sheet.cell("DX_TASKS_DONE_ONTIME", "202510").value = "120"  # a whole number stored as text is fine

    response = upload(client_a, sheet.content())
    result = response.context["result"]
    assert response.status_code == 200 and not result.problems
    assert result.saved and (result.imported, result.updated, result.unchanged) == (4, 0, 0)
    assert stored() == {
        "DOSSIERS_TOTAL": Decimal("52340"),
        "DOSSIERS_DIGITISED_RATE": Decimal("81.5"),
        "GRDP": Decimal("1234.56"),
        "DX_TASKS_DONE_ONTIME": Decimal("120"),
    }
    assert DataValue.objects.get(data_element__code="DOSSIERS_TOTAL").comment == "Theo cổng DVC"
    assert DataValueAudit.objects.filter(channel=Channel.EXCEL).count() == 4
    assert DataValue.objects.filter(channel=Channel.EXCEL).count() == 4

    again = template(client_a)  # the stored figures come back in the cells
    assert again.cell("DOSSIERS_TOTAL", "202510").value == 52340
    assert again.cell("DOSSIERS_TOTAL", "202510", comment=True).value == "Theo cổng DVC"
    result = upload(client_a, again.content()).context["result"]
    assert result.saved and (result.imported, result.updated, result.unchanged) == (0, 0, 4)
    assert DataValueAudit.objects.count() == 4


def test_check_only_saves_nothing(client_a):
    sheet = template(client_a)
    sheet.cell("DOSSIERS_TOTAL", "202510").value = 100
    sheet.cell("DOSSIERS_ONLINE", "202510").value = 80
    response = upload(client_a, sheet.content(), dry_run=True)
    result = response.context["result"]
    assert result.dry_run and not result.saved and result.imported == 2
    assert not DataValue.objects.exists()


@pytest.fixture
def bad_workbook(client_a, unit):
    """One workbook with six problems (and two valid figures), and where each should be reported."""
    submitted(unit("P01"), "202509")
    sheet = template(client_a, "202509", "202510")
    assert sheet.cell("DOSSIERS_DIGITISED_RATE", "202509").protection.locked  # locked period: grey, not editable
    ws, rows = sheet.ws, sheet.rows
    september, october = "G", "I"
    sheet.cell("DOSSIERS_TOTAL", "202510").value = "nhiều"
    ws.cell(rows[("MOBILE_DEAD_ZONES", "P01")], 2).value = "P99"
    sheet.cell("MOBILE_DEAD_ZONES", "202510").value = 3
    ws.cell(rows[("DOSSIERS_ONLINE", "P01")], 2).value = "P08"
    sheet.cell("DOSSIERS_ONLINE", "202510").value = 10
    sheet.cell("DOSSIERS_ONLINE_FULL", "202510").value = 5
    duplicate = ws.max_row + 1
    ws.cell(duplicate, 1, "DOSSIERS_ONLINE_FULL")
    ws.cell(duplicate, 2, "P01")
    ws.cell(duplicate, sheet.cols["VALUE:202510"], 7)
    sheet.cell("DOSSIERS_DIGITISED_RATE", "202509").value = 50
    sheet.cell("DEAD_ZONE_HOUSEHOLDS", "202510").value = -5
    sheet.cell("CYBER_INCIDENTS_DETECTED", "202510").value = 4
    expected = [
        (rows[("MOBILE_DEAD_ZONES", "P01")], "B", "P99", vi("No unit has this code.")),
        (rows[("DEAD_ZONE_HOUSEHOLDS", "P01")], october, "-5", vi("The value cannot be below %(min)s.", min="0")),
        (rows[("DOSSIERS_TOTAL", "P01")], october, "nhiều", None),
        (rows[("DOSSIERS_ONLINE", "P01")], october, "10", vi("The unit is outside your data-entry scope.")),
        (
            rows[("DOSSIERS_DIGITISED_RATE", "P01")],
            september,
            "50",
            "Số liệu này thuộc báo cáo “Báo cáo tháng của Sở Khoa học và Công nghệ” của Thành phố Hà Nội, "
            "Tháng 09/2025, đang ở trạng thái “Đã gửi”: số liệu bị khóa cho đến khi báo cáo được trả lại.",
        ),
        (duplicate, october, "7", vi("The same figure appears twice for this unit and period.")),
    ]
    return sheet.content(), expected


def test_every_problem_is_located_and_nothing_is_saved(client_a, bad_workbook):
    content, expected = bad_workbook
    response = upload(client_a, content)
    result = response.context["result"]
    assert response.status_code == 200 and not result.saved
    sheet_name = openpyxl.load_workbook(io.BytesIO(content)).sheetnames[0]
    assert [(p.sheet, p.row, p.column, p.value) for p in result.problems] == [
        (sheet_name, row, column, value) for row, column, value, _reason in expected
    ]
    for problem, (_row, _column, _value, reason) in zip(result.problems, expected, strict=True):
        assert reason is None or problem.reason == reason
    assert "nhiều" in result.problems[2].reason
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists()
    html = response.content.decode()
    assert 'data-testid="excel-problems"' in html and "P99" in html and "nhiều" in html
    assert 'data-testid="result-counts"' not in html


def test_valid_rows_only_saves_the_rest(client_a, bad_workbook):
    content, expected = bad_workbook
    result = upload(client_a, content, valid_only=True).context["result"]
    assert result.saved and result.imported == 2 and len(result.problems) == len(expected)
    assert stored() == {"DOSSIERS_ONLINE_FULL": Decimal("5"), "CYBER_INCIDENTS_DETECTED": Decimal("4")}
    assert not DataValue.objects.filter(org_unit__code="P08").exists()
    assert set(DataValueAudit.objects.values_list("channel", flat=True)) == {Channel.EXCEL}


def test_errors_workbook_has_red_cells_with_comments(client_a, client_b, bad_workbook):
    content, expected = bad_workbook
    response = upload(client_a, content)
    url = f"/reports/excel/upload/{response.context['token']}/errors/"
    assert url in response.content.decode()
    wb = xlsx(client_a.get(url))
    with translation.override("vi"):
        assert wb.sheetnames[0] == excel.sheet_title("errors")
    errors = list(wb.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(row, column, value) for _sheet, row, column, value, _reason in errors] == [
        (row, column, value) for row, column, value, _reason in expected
    ]
    figures = wb.worksheets[1]
    for row, column, _value, reason in expected:
        cell = figures[f"{column}{row}"]
        assert cell.fill.fgColor.rgb.endswith("FFC7CE"), cell.coordinate
        assert cell.comment is not None and (reason is None or reason in cell.comment.text)
    unknown_unit_row = expected[0][0]
    assert figures[f"I{unknown_unit_row}"].fill.fgColor.rgb.endswith("FFC7CE")  # the visible cell of the row too
    assert client_b.get(url).status_code == 404  # another user's upload
    assert client_a.get("/reports/excel/upload/not-a-token-of-this-user-000/errors/").status_code == 404


def _with_cached_result(content: bytes, formula: str, result: str) -> bytes:
    """Give a formula the result Excel would have saved (openpyxl writes none)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                # "<v />" without lxml, "<v></v>" with it (openpyxl uses lxml when it is installed).
                empty = re.compile(rb"<f>" + re.escape(formula.encode()) + rb"</f>(?:<v\s*/>|<v></v>)")
                data = empty.sub(f"<f>{formula}</f><v>{result}</v>".encode(), data)
            target.writestr(item, data)
    return out.getvalue()


def test_formulas_give_their_saved_result_or_are_refused(client_a):
    sheet = template(client_a)
    sheet.cell("DOSSIERS_TOTAL", "202510").value = "=100+23"
    uncalculated = sheet.cell("DOSSIERS_ONLINE", "202510")
    uncalculated.value = "=40+1"
    content = _with_cached_result(sheet.content(), "100+23", "123")

    result = upload(client_a, content).context["result"]
    assert not result.saved and not DataValue.objects.exists()
    [problem] = result.problems
    assert (problem.row, problem.column) == (uncalculated.row, uncalculated.column_letter)
    assert "40+1" in problem.value and "40+1" in problem.reason

    result = upload(client_a, content, valid_only=True).context["result"]
    assert result.saved and stored() == {"DOSSIERS_TOTAL": Decimal("123")}


def test_a_sheet_with_dhis2_columns_is_read_and_bad_cells_located():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["dataelement", "period", "orgunit", "value", "comment"])
    ws.append(["DOSSIERS_TOTAL", 202510, "P01", 12, "ok"])  # a period typed as a number
    ws.append(["DOSSIERS_ONLINE", "202510", None, 5, None])  # no unit code
    ws.append(["DOSSIERS_ONLINE_FULL", "202510", "P01", "#DIV/0!", None])
    ws.append(["GRDP", "202510", "P01", dt.date(2025, 10, 1), None])
    ws.append(["GRDP", "202511", "P01", None, None])  # nothing to read
    out = io.BytesIO()
    wb.save(out)
    parsed = excel.parse_workbook(out.getvalue())
    assert [(r.data_element, r.period, r.org_unit, r.value, r.comment) for r in parsed.raws] == [
        ("DOSSIERS_TOTAL", "202510", "P01", 12, "ok")
    ]
    assert [(p.row, p.column, p.marks) for p in parsed.problems] == [
        (3, "C", ["C3", "D3"]),
        (4, "D", ["D4"]),
        (5, "D", ["D5"]),
    ]


# --- refused files -----------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _other_layout() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Chỉ tiêu", "Giá trị"])
    wb.active.append(["Tổng số hồ sơ", 10])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


REFUSED = {
    "not an xlsx": lambda: b"dataelement,period,orgunit,value\nDOSSIERS_TOTAL,202510,P01,1\n",
    "old xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    "damaged zip": lambda: b"PK\x03\x04" + b"not really a zip" * 10,
    "zip without a workbook": lambda: _zip({"a.txt": b"hello"}),
    "zip bomb": lambda: _zip(
        {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 3_000_000}
    ),
    "malformed workbook": lambda: _zip({"[Content_Types].xml": b"not xml", "xl/workbook.xml": b"<<<"}),
    "another layout": _other_layout,
    "oversized": lambda: b"PK\x03\x04" + b"\0" * excel.MAX_UPLOAD_BYTES,
}


@pytest.mark.parametrize("kind", REFUSED)
def test_bad_files_are_refused_early_and_clearly(client_a, kind):
    response = upload(client_a, REFUSED[kind]())
    assert response.status_code == 400
    assert response.context["upload_error"]
    assert 'data-testid="upload-error"' in response.content.decode()
    assert not DataValue.objects.exists()


def test_archive_too_large_once_unpacked_is_refused():
    content = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"\0" * (excel.MAX_UNCOMPRESSED_BYTES + 1)})
    with pytest.raises(excel.UploadRefused, match="50"):
        excel.upload_check(content)


def test_upload_needs_a_file_and_a_post(client_a):
    assert client_a.post(UPLOAD, {}).status_code == 400
    assert client_a.get(UPLOAD).status_code == 405


# --- export ------------------------------------------------------------------------------


def test_export_xlsx_and_csv_and_read_back(client_a, users):
    write(users, "DOSSIERS_TOTAL", "52340")
    write(users, "DOSSIERS_DIGITISED_RATE", "81.5", comment="Theo cổng DVC")
    params = {"data_set": MONTHLY, "org_unit": "P01", "period": "202510"}
    response = client_a.get(EXPORT, params)
    ws = xlsx(response).worksheets[0]
    rows = {r[4]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert len(rows) == DataSet.objects.get(code=MONTHLY).members.count()
    assert rows["DOSSIERS_TOTAL"][:4] == ("P01", "Thành phố Hà Nội", "202510", "Tháng 10/2025")
    assert rows["DOSSIERS_TOTAL"][7] == 52340
    assert rows["DOSSIERS_DIGITISED_RATE"][7:9] == (81.5, "Theo cổng DVC")
    assert rows["GRDP"][7] is None

    as_csv = client_a.get(EXPORT, {**params, "format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    by_code = {line[4]: line for line in lines[1:]}
    assert len(lines[0]) == 12 and by_code["DOSSIERS_TOTAL"][7] == "52340"
    assert by_code["DOSSIERS_DIGITISED_RATE"][7:9] == ["81.5", "Theo cổng DVC"]

    result = upload(client_a, response.content).context["result"]  # an export reads back unchanged
    assert result.saved and not result.problems and result.unchanged == 2


def test_text_that_looks_like_a_formula_stays_text(client_a, users):
    write(users, "DOSSIERS_TOTAL", "1", comment='=HYPERLINK("http://x.example","y")')
    params = {"data_set": MONTHLY, "org_unit": "P01", "period": "202510"}
    exported = xlsx(client_a.get(EXPORT, params)).worksheets[0]
    cell = next(row[8] for row in exported.iter_rows(min_row=5) if row[4].value == "DOSSIERS_TOTAL")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert template(client_a).cell("DOSSIERS_TOTAL", "202510", comment=True).data_type == "s"
    as_csv = client_a.get(EXPORT, {**params, "format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in as_csv


def test_export_stays_in_scope(client_a, client_leader, users):
    write(users, "DOSSIERS_TOTAL", "100")
    write(users, "DOSSIERS_TOTAL", "200", unit="P08", by="b.reporter")
    params = {"data_set": MONTHLY, "period": "202510"}
    assert client_a.get(EXPORT, {**params, "org_unit": "P08"}).status_code == 403
    own = xlsx(client_a.get(EXPORT, params)).worksheets[0]
    assert {r[0] for r in own.iter_rows(min_row=5, values_only=True)} == {"P01"}
    everything = client_leader.get(EXPORT, {**params, "format": "csv"}).content.decode("utf-8-sig")
    units = {line[0] for line in list(csv.reader(io.StringIO(everything)))[1:]}
    assert {"P01", "P08"} <= units and len(units) == 34

    report_b = report_for(User.objects.get(username="b.reporter").home_unit)
    assert client_a.get(f"/reports/excel/report/{report_b.pk}/export/").status_code == 403
    report_a = report_for(users["a.reporter"].home_unit)
    own_report = client_a.get(f"/reports/excel/report/{report_a.pk}/export/", {"format": "csv"})
    assert own_report.status_code == 200 and "DOSSIERS_TOTAL" in own_report.content.decode("utf-8-sig")
    assert client_a.get(EXPORT, {**params, "format": "pdf"}).status_code == 400


# --- routes and scope (the shared checks of core/tests/test_scopes.py, run here too) ------


def test_every_excel_route_is_declared():
    assert ROUTES_EXCEL.patterns() == {r for r in all_routes() if r.startswith("/reports/excel/")}


@pytest.mark.parametrize("route", ROUTES_EXCEL.scoped, ids=str)
@pytest.mark.parametrize("other", [PROVINCE_B, COMMUNE_B, FORMER_PROVINCE_B])
def test_excel_routes_refuse_another_province(route, other, unit):
    client = client_for(route.user)
    assert_scope_enforced(route, own_client=client, own_unit=unit(PROVINCE_A), other_unit=unit(other))


@pytest.mark.parametrize("route", ROUTES_EXCEL.scoped, ids=str)
def test_excel_routes_refuse_users_without_scope_and_anonymous(route, unit):
    assert request(client_for("nobody"), route, unit(PROVINCE_A)).status_code in DENIED
    anonymous = request(Client(), route, unit(PROVINCE_A))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_upload_declared_too_large_is_refused_before_reading(client_a):
    response = client_a.generic(
        "POST", UPLOAD, b"--x--", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(60 * 1024 * 1024)
    )
    assert response.status_code == 400 and response.context["upload_error"]


def test_page_offers_template_upload_and_export(client_a, client_leader):
    html = client_a.get("/reports/excel/").content.decode()
    assert 'data-testid="template-form"' in html and 'data-testid="upload-form"' in html
    assert 'data-testid="export-form"' in html and "Thành phố Hà Nội" in html
    assert 'data-testid="template-form"' not in client_leader.get("/reports/excel/").content.decode()


def test_compulsory_hint_only_when_a_row_carries_the_mark(client_a):
    hint = vi("Figures marked (*) are compulsory.")
    members = DataSet.objects.get(code=MONTHLY).members

    def readme_and_names():
        wb = template(client_a).wb
        names = [str(c.value) for c in wb.worksheets[0]["D"] if c.value]
        return "\n".join(str(c.value) for c in wb.worksheets[1]["A"] if c.value), names

    members.update(compulsory=False)
    readme, names = readme_and_names()
    assert hint not in readme and not any(name.endswith("(*)") for name in names)
    members.filter(data_element__code="DOSSIERS_TOTAL").update(compulsory=True)
    readme, names = readme_and_names()
    assert hint in readme and "Tổng số hồ sơ thủ tục hành chính đã tiếp nhận (*)" in names


def test_export_preselects_a_data_set_the_user_reports(client_a):
    import re

    html = client_a.get("/reports/excel/").content.decode()
    export = html[html.index('id="exp-data-set"') :]
    export = export[: export.index("</select>")]
    selected = re.findall(r'<option value="([^"]+)" selected>', export)
    assert selected == [MONTHLY] or (len(selected) == 1 and selected[0].startswith("BC_TINH")), selected
