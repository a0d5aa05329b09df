"""Projects in Excel: the project list and the disbursements imported in one transaction (every
problem by sheet, row and column; nothing saved while one remains; a re-import updates, never
duplicates), scoped row by row, the template, and the export read back unchanged."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from giamsat.accounts.choices import Domain
from giamsat.orgunits.models import OrgUnit
from giamsat.projects import excel
from giamsat.projects.choices import Programme, ProjectStatus
from giamsat.projects.models import Funding, Project, Transaction

from .conftest import make_project

d = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


PROJECT_HEADERS = [
    "Mã dự án",
    "Tên dự án",
    "Mã đơn vị chủ đầu tư",
    "Loại dự án",
    "Lĩnh vực",
    "Chương trình",
    "Trạng thái",
    "Quyết định phê duyệt",
    "Ngày quyết định",
    "Cơ quan phê duyệt",
    "Tổng mức đầu tư (đồng)",
    "Bắt đầu dự kiến",
    "Kết thúc dự kiến",
    "Ngân sách địa phương (đồng)",
]
TX_HEADERS = ["Mã dự án", "Ngày", "Số tiền (đồng)", "Chứng từ", "Ghi chú"]


def project_row(code="DA-HN-01", owner="SKHCN_01", **changes):
    row = {
        "code": code,
        "name": "Nền tảng tích hợp, chia sẻ dữ liệu",
        "owner": owner,
        "type": "INVESTMENT",
        "domain": excel.label_vi(Domain.choices, "IT_DX"),
        "programme": "",
        "status": excel.label_vi(ProjectStatus.choices, "IMPLEMENTATION"),
        "decision_number": "123/QĐ-UBND",
        "decision_date": "15/01/2026",
        "decision_body": "UBND thành phố Hà Nội",
        "total_investment": "12.500.000.000",
        "planned_start": d(2026, 2, 1),
        "planned_end": d(2027, 12, 31),
        "funding": 12_500_000_000,
    }
    row.update(changes)
    return list(row.values())


def workbook(projects=(), transactions=(), *, project_headers=PROJECT_HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dự án"
    ws.append(["DANH MỤC DỰ ÁN ĐẦU TƯ CHUYỂN ĐỔI SỐ"])
    ws.append(project_headers)
    for row in projects:
        ws.append(row)
    tx = wb.create_sheet("Giải ngân")
    tx.append(TX_HEADERS)
    for row in transactions:
        tx.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_project_list_and_its_disbursements_are_imported_then_reimported_without_duplicates(reporter):
    data = workbook(
        [
            project_row(),
            project_row(
                "DA-HN-02", owner="P01", programme=excel.label_vi(Programme.choices, "DIGITAL_GOVERNMENT"), funding=None
            ),
        ],
        [
            ["DA-HN-01", "20/03/2026", 1_250_000_000, "UNC 01", "Tạm ứng"],
            ["DA-HN-01", d(2026, 4, 2), "500.000.000", "", ""],
        ],
    )
    result = excel.workbook_import(data=data, by=reporter)
    assert result.problems == [] and result.saved
    assert (result.created, result.transactions_created) == (2, 2)
    project = Project.objects.get(code="DA-HN-01")
    assert project.owner_unit.code == "SKHCN_01" and project.total_investment == 12_500_000_000
    assert project.domain == "IT_DX" and project.status == "IMPLEMENTATION" and project.decision_date == d(2026, 1, 15)
    assert dict(Funding.objects.filter(project=project).values_list("source", "amount")) == {
        "LOCAL_BUDGET": 12_500_000_000
    }
    assert Project.objects.get(code="DA-HN-02").programme == "DIGITAL_GOVERNMENT"
    assert sorted(Transaction.objects.values_list("amount", flat=True)) == [500_000_000, 1_250_000_000]
    again = excel.workbook_import(data=data, by=reporter)
    assert again.saved and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (again.transactions_created, again.transactions_unchanged) == (0, 2)
    assert Project.objects.count() == 2 and Transaction.objects.count() == 2
    changed = workbook([project_row(name="Nền tảng dữ liệu dùng chung", total_investment=15_000_000_000)])
    third = excel.workbook_import(data=changed, by=reporter)
    assert third.updated == 1
    project.refresh_from_db()
    assert project.name == "Nền tảng dữ liệu dùng chung" and project.total_investment == 15_000_000_000


def test_every_problem_is_located_and_nothing_is_saved(reporter):
    data = workbook(
        [
            project_row(),
            project_row("DA-HN-02", type="Cầu đường", decision_date="31/02/2026", total_investment="12,5 tỷ"),
            project_row("DA-HN-01"),
            project_row("DA-HN-03", owner="SKHCN_08"),
            project_row("DA-HN-04", owner="KHONG_CO"),
            project_row("DA-HN-05", planned_end=d(2025, 1, 1)),
        ],
        [["DA-HN-01", "20/13/2026", "-5", "", ""], ["DA-KHONG-CO", "20/03/2026", 100, "", ""]],
    )
    result = excel.workbook_import(data=data, by=reporter)
    assert not result.saved and Project.objects.count() == 0 and Transaction.objects.count() == 0
    found = {(p.sheet, p.row, p.column, p.header): p for p in result.problems}
    assert "Unknown value “Cầu đường”" in found[("Dự án", 4, "D", "Loại dự án")].reason
    assert found[("Dự án", 4, "I", "Ngày quyết định")].value == "31/02/2026"
    assert "whole amount of đồng" in found[("Dự án", 4, "K", "Tổng mức đầu tư (đồng)")].reason
    assert "already on row 3" in found[("Dự án", 5, "A", "Mã dự án")].reason
    assert "outside your scope" in found[("Dự án", 6, "C", "Mã đơn vị chủ đầu tư")].reason
    assert "No unit has the code KHONG_CO" in found[("Dự án", 7, "C", "Mã đơn vị chủ đầu tư")].reason
    assert "before the planned start" in found[("Dự án", 8, "M", "Kết thúc dự kiến")].reason
    assert "not a valid date" in found[("Giải ngân", 2, "B", "Ngày")].reason
    assert "must be positive" in found[("Giải ngân", 2, "C", "Số tiền (đồng)")].reason


def test_a_transaction_the_service_refuses_rolls_back_the_whole_file(reporter):
    data = workbook([project_row()], [["DA-HN-01", "20/03/2026", 100, "", ""], ["DA-HN-01", "01/01/2025", 100, "", ""]])
    result = excel.workbook_import(data=data, by=reporter)
    assert not result.saved and Project.objects.count() == 0
    assert len(result.problems) == 1, result.problems
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("Giải ngân", 3, "B")
    assert "before the project was approved" in problem.reason


def test_a_reporter_cannot_touch_another_provinces_project(reporter, leader):
    make_project(OrgUnit.objects.get(code="SKHCN_08"), leader, code="DA-TQ-01")
    data = workbook([project_row("DA-TQ-01", owner="SKHCN_08")], [["DA-TQ-01", "20/03/2026", 100, "", ""]])
    result = excel.workbook_import(data=data, by=reporter)
    reasons = {(p.sheet, p.column): p.reason for p in result.problems}
    assert "may not change the project DA-TQ-01" in reasons[("Dự án", "A")]
    assert not result.saved and Transaction.objects.count() == 0


def test_missing_columns_and_foreign_files_are_refused(reporter):
    result = excel.workbook_import(data=workbook([project_row()], project_headers=PROJECT_HEADERS[:3]), by=reporter)
    assert any("no column “Project type”" in p.reason or "Loại dự án" in p.reason for p in result.problems)
    empty = Workbook()
    empty.active.append(["a", "b"])
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(excel.UploadRefused):
        excel.workbook_import(data=out.getvalue(), by=reporter)
    with pytest.raises(excel.UploadRefused):
        excel.workbook_import(data=b"not a workbook", by=reporter)


def test_the_template_imports_and_the_export_reads_back_unchanged(reporter, leader):
    result = excel.workbook_import(data=excel.template_workbook(), by=reporter)
    assert result.saved and result.created == 1 and result.transactions_created == 1
    project = Project.objects.get()
    assert project.owner_unit.code == "SKHCN_01"
    make_project(OrgUnit.objects.get(code="SKHCN_08"), leader, code="DA-TQ-01")  # not in the reporter's scope
    content = excel.projects_workbook(projects=[project], title="Dự án", subtitle="")
    wb = load_workbook(io.BytesIO(content))
    assert [c.value for c in wb.worksheets[0][4]][:2] == [project.code, project.name]
    again = excel.workbook_import(data=content, by=reporter)
    assert again.saved and (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert (again.transactions_created, again.transactions_unchanged) == (0, 1)


def test_the_pages_import_template_and_export(client_a, client_b):
    assert client_a.get("/projects/import/").status_code == 200
    template = client_a.get("/projects/import/template/")
    assert template.status_code == 200 and template["Content-Type"] == excel.XLSX_CONTENT_TYPE
    upload = SimpleUploadedFile("du_an.xlsx", template.content, content_type=excel.XLSX_CONTENT_TYPE)
    response = client_a.post("/projects/import/", {"file": upload})
    assert response.status_code == 200 and "import-result" in response.content.decode()
    upload = SimpleUploadedFile("du_an.xlsx", template.content, content_type=excel.XLSX_CONTENT_TYPE)
    refused = client_b.post("/projects/import/", {"file": upload})
    assert "import-problems" in refused.content.decode() and Project.objects.count() == 1
    export = client_a.get("/projects/export/", {"status": "IMPLEMENTATION"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == [Project.objects.get().code]
    assert load_workbook(io.BytesIO(client_b.get("/projects/export/").content)).worksheets[0].max_row == 3
    assert client_a.get("/projects/export/", {"status": "NOPE"}).status_code == 400
    assert client_a.post("/projects/import/", {"file": SimpleUploadedFile("x.xlsx", b"PK")}).status_code == 400


def test_a_column_left_out_changes_nothing(reporter):
    excel.workbook_import(
        data=workbook([project_row(programme=excel.label_vi(Programme.choices, "DIGITAL_GOVERNMENT"))]), by=reporter
    )
    without = [h for h in PROJECT_HEADERS if h not in ("Chương trình", PROJECT_HEADERS[-1])]
    row = [v for h, v in zip(PROJECT_HEADERS, project_row(name="Tên mới"), strict=True) if h in without]
    result = excel.workbook_import(data=workbook([row], project_headers=without), by=reporter)
    assert result.saved and result.updated == 1
    project = Project.objects.get(code="DA-HN-01")
    assert project.name == "Tên mới" and project.programme == "DIGITAL_GOVERNMENT"
    assert list(Funding.objects.filter(project=project).values_list("amount", flat=True)) == [12_500_000_000]
