"""Plans in Excel: a department's own table imported (columns mapped, every problem by row and
column, nothing saved while one remains), the template, and the export read back."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from giamsat.plans import excel
from giamsat.plans.models import AssigningDocument, Plan, Task
from giamsat.plans.services import document_get_or_create, plan_get_or_create, task_create
from giamsat.reporting.excel import parse_day
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.models import WorkItem
from giamsat.tracking.services import work_progress_report

from .conftest import TODAY, at

d = dt.date
pytestmark = pytest.mark.django_db

# A department's own table: a title, a blank line, its own headers (no accents on one), a
# section heading, and a sub-task.
HEADERS = ["STT", "Nội dung công việc", "Lĩnh vực", "Văn bản giao", "Ngày văn bản", "Thoi han hoan thanh", "Ghi chú"]
GOOD_ROWS = [
    ["I", "Lĩnh vực chuyển đổi số", None, None, None, None, None],
    [1, "Ban hành kế hoạch chuyển đổi số năm 2026", "Chuyển đổi số", "06/NQ-CP", d(2022, 1, 6), d(2026, 3, 31), None],
    ["1.1", "Dự thảo kế hoạch", None, "06/NQ-CP", "06/01/2022", "15/03/2026", "Lấy ý kiến các sở"],
    [2, "Triển khai nền tảng số dùng chung", "IT_DX", None, None, d(2026, 9, 30), None],
    [3, "Báo cáo an toàn thông tin quý", "An toàn thông tin mạng", None, None, d(2026, 12, 15), None],
]


def workbook(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "KH 2026"
    ws.append(["KẾ HOẠCH CÔNG TÁC NĂM 2026 — SỞ KHOA HỌC VÀ CÔNG NGHỆ HÀ NỘI"])
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, unit="SKHCN_01", year=2026):
    return client.post(
        "/plans/import/",
        {"unit": unit, "year": str(year), "file": SimpleUploadedFile("kh.xlsx", data)},
    )


def confirm(client, response, **overrides):
    """Post the mapping page as shown (the guessed mapping), with any field changed."""
    context = response.context
    data = {
        "token": context["token"],
        "unit": context["unit"].code,
        "year": str(context["year"]),
        "sheet": context["head"].sheet,
        "header_row": str(context["head"].header_row),
        "action": "import",
    }
    for field in context["fields"]:
        data[f"map_{field['key']}"] = str(field["column"] or "")
    data.update(overrides)
    return client.post("/plans/import/confirm/", data)


@pytest.fixture
def client_a(client, reporter):
    client.force_login(reporter)
    return client


def test_the_header_row_and_the_columns_are_guessed(client_a):
    response = upload(client_a, workbook(GOOD_ROWS))
    assert response.status_code == 200
    head = response.context["head"]
    assert head.header_row == 3
    assert head.guess == {"number": 1, "title": 2, "domain": 3, "document": 4, "document_date": 5, "due": 6, "note": 7}
    body = response.content.decode()
    assert "B · Nội dung công việc" in body


def test_a_table_with_errors_is_refused_with_row_and_column_then_imports_once_fixed(client_a, hanoi_dept):
    """The issue's done-means: every problem by row and column, nothing saved; then clean."""
    bad = [
        *GOOD_ROWS,
        [4, None, None, None, None, d(2026, 5, 1), None],  # row 9: no title
        [5, "Số hoá hồ sơ", None, None, None, "31/02/2026", None],  # row 10: no such date
        [6, "Tổng kết năm trước", None, None, None, d(2025, 12, 1), None],  # row 11: outside the year
        [7, "Phát triển nông nghiệp", "Nông nghiệp", None, None, d(2026, 6, 1), None],  # row 12: no such domain
        [2, "Nhiệm vụ trùng số", None, None, None, d(2026, 6, 1), None],  # row 13: number used on row 7
        ["8.1", "Nhiệm vụ con lạc", None, None, None, d(2026, 6, 1), None],  # row 14: no task 8
        [9, "Nhiệm vụ không hạn", None, None, None, None, None],  # row 15: no deadline
        [None, "Họp giao ban", None, None, None, d(2026, 6, 1), None],
        [None, "Họp  giao ban", None, None, None, d(2026, 7, 1), None],  # row 17: unnumbered, same as row 16
    ]
    response = confirm(client_a, upload(client_a, workbook(bad)))
    assert response.status_code == 200
    problems = {(p.row, p.column): p for p in response.context["result"].problems}
    assert set(problems) == {(9, "B"), (10, "F"), (11, "F"), (12, "C"), (13, "A"), (14, "A"), (15, "F"), (17, "B")}
    assert problems[(9, "B")].header == "Nội dung công việc"
    assert "Ô trống bắt buộc" in problems[(9, "B")].reason
    assert "31/02/2026" in problems[(10, "F")].reason and "không hợp lệ" in problems[(10, "F")].reason
    assert "ngoài năm kế hoạch 2026" in problems[(11, "F")].reason
    assert "Nông nghiệp" in problems[(12, "C")].reason
    assert "dòng 7" in problems[(13, "A")].reason
    assert "“8”" in problems[(14, "A")].reason
    assert "dòng 16" in problems[(17, "B")].reason
    body = response.content.decode()
    assert "Chưa lưu gì" in body and "F · Thoi han hoan thanh" in body
    assert not Plan.objects.filter(org_unit=hanoi_dept).exists()
    assert not WorkItem.objects.exists() and not AssigningDocument.objects.exists()

    response = confirm(client_a, upload(client_a, workbook(GOOD_ROWS)))
    assert response.status_code == 200, response.context.get("result")
    result = response.context["result"]
    assert (result.created, result.updated, result.skipped) == (4, 0, 1)
    plan = Plan.objects.get(org_unit=hanoi_dept, year=2026)
    tasks = {t.number: t for t in Task.objects.filter(plan=plan).select_related("item", "document", "parent")}
    assert set(tasks) == {"1", "1.1", "2", "3"}
    assert tasks["1.1"].parent == tasks["1"]
    assert tasks["1"].domain == tasks["1.1"].domain == tasks["2"].domain == "IT_DX"
    assert tasks["3"].domain == "CYBERSEC"
    assert tasks["1"].document == tasks["1.1"].document
    assert tasks["1"].document.number == "06/NQ-CP" and tasks["1"].document.issued_on == d(2022, 1, 6)
    assert tasks["1.1"].item.due_date == d(2026, 3, 15)
    assert tasks["1.1"].item.description == "Lấy ý kiến các sở"


def test_importing_the_same_file_again_duplicates_nothing(client_a, hanoi_dept):
    data = workbook(GOOD_ROWS)
    confirm(client_a, upload(client_a, data))
    response = confirm(client_a, upload(client_a, data))
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert Task.objects.filter(plan__org_unit=hanoi_dept).count() == 4


def test_a_changed_deadline_is_updated_by_the_assigner_and_kept_in_the_history(client_a, hanoi_dept):
    confirm(client_a, upload(client_a, workbook(GOOD_ROWS)))
    moved = [list(r) for r in GOOD_ROWS]
    moved[3][5] = d(2026, 10, 31)
    result = confirm(client_a, upload(client_a, workbook(moved))).context["result"]
    assert (result.created, result.updated) == (0, 1)
    item = Task.objects.get(plan__org_unit=hanoi_dept, number="2").item
    assert item.due_date == d(2026, 10, 31)
    assert item.history.filter(action="UPDATE").get().changes == {"due_date": ["2026-09-30", "2026-10-31"]}


def test_a_task_given_by_the_ministry_keeps_its_deadline(client_a, hanoi_dept, leader):
    plan = plan_get_or_create(unit=hanoi_dept, year=2026, by=leader)
    task_create(plan=plan, title="Triển khai nền tảng số dùng chung", number="2", due_date=d(2026, 9, 30), by=leader)
    moved = [list(r) for r in GOOD_ROWS]
    moved[3][5] = d(2026, 12, 31)
    result = confirm(client_a, upload(client_a, workbook(moved))).context["result"]
    assert [(p.row, p.column) for p in result.problems] == [(7, "")]
    assert "chỉ bên giao" in result.problems[0].reason
    assert Task.objects.filter(plan=plan).count() == 1
    assert Task.objects.get(plan=plan).item.due_date == d(2026, 9, 30)


def test_a_required_field_left_unmapped_and_a_column_chosen_twice_are_refused(client_a):
    response = upload(client_a, workbook(GOOD_ROWS))
    refused = confirm(client_a, response, map_due="", map_note="2")
    assert refused.status_code == 400
    assert any("Cột B" in e for e in refused.context["mapping_errors"])
    missing = confirm(client_a, response, map_due="")
    assert missing.status_code == 200
    assert "Hạn hoàn thành" in missing.context["result"].problems[0].reason
    assert not Plan.objects.exists()


def test_files_that_are_no_workbook_are_refused_without_error(client_a):
    for data in (b"", b"not a workbook", b"PK\x03\x04broken"):
        response = upload(client_a, data)
        assert response.status_code == 400
        assert response.context["upload_error"]


def test_another_province_plan_is_refused(client_a):
    response = upload(client_a, workbook(GOOD_ROWS), unit="SKHCN_08")
    assert response.status_code == 403
    assert not Plan.objects.exists()
    assert client_a.get("/plans/export/?unit=SKHCN_08&year=2026").status_code == 403


def test_the_template_has_vietnamese_headers_and_instructions(client_a):
    response = client_a.get("/plans/import/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Kế hoạch", "Hướng dẫn"]
    headers = [c.value for c in wb["Kế hoạch"][1]]
    assert headers[:2] == ["Số thứ tự", "Nội dung nhiệm vụ"] and "Hạn hoàn thành" in headers
    head = excel.sheet_head(response.content)
    assert set(head.guess) == set(excel.FIELD_KEYS)  # every field recognised from its header
    assert "Hướng dẫn điền kế hoạch" in wb["Hướng dẫn"]["A1"].value


def test_the_import_page_offers_the_users_units(client_a):
    response = client_a.get("/plans/import/")
    assert response.status_code == 200
    codes = {u.code for u in response.context["units"]}
    assert "SKHCN_01" in codes and "SKHCN_08" not in codes


def test_an_exported_plan_imports_back_unchanged(client_a, hanoi_dept, reporter, leader, monkeypatch):
    monkeypatch.setattr("giamsat.plans.import_views.today", lambda: TODAY)
    plan = plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter)
    document = document_get_or_create(number="06/NQ-CP", issued_on=d(2022, 1, 6), issuing_body="Chính phủ")
    parent = task_create(
        plan=plan, title="Ban hành kế hoạch", number="1", due_date=d(2026, 3, 31), by=reporter, document=document
    )
    task_create(
        plan=plan,
        title="Dự thảo",
        number="1.1",
        due_date=d(2026, 3, 15),
        start_date=d(2026, 1, 5),
        by=reporter,
        parent=parent,
        domain="IT_DX",
        deliverable="Dự thảo kế hoạch",
        description="Ghi chú\nhai dòng",
    )
    done = task_create(plan=plan, title="Báo cáo quý I", number="2", due_date=d(2026, 4, 10), by=reporter)
    work_progress_report(
        item=done.item, by=reporter, progress=100, completion=True, link="https://hanoi.gov.vn/bc", at=at(d(2026, 4, 8))
    )
    response = client_a.get("/plans/export/?unit=SKHCN_01&year=2026")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws["A1"].value == plan.title
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert list(rows) == ["1", "1.1", "2"]
    with override("vi"):
        overdue, on_time = str(WorkStatus.OVERDUE.label), str(WorkStatus.DONE_ON_TIME.label)
    assert rows["1"][11] == overdue  # 11/05/2026: overdue, status computed
    assert rows["2"][11] == on_time and rows["2"][14] == dt.datetime(2026, 4, 8) and rows["2"][16] == 1
    assert rows["1.1"][2] == "Công nghệ thông tin và chuyển đổi số" and rows["1"][3] == "06/NQ-CP"
    assert ws.cell(4, 8).number_format == "dd/mm/yyyy"

    head = excel.sheet_head(response.content)
    result = excel.plan_import(data=response.content, unit=hanoi_dept, year=2026, by=reporter, mapping=head.guess)
    assert result.problems == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    # And into another unit's empty plan, the same tasks, sub-task and document.
    result = excel.plan_import(data=response.content, unit=hanoi_dept.parent, year=2026, by=leader, mapping=head.guess)
    assert result.problems == [] and result.created == 3
    other = {t.number: t for t in Task.objects.filter(plan=result.plan).select_related("item")}
    assert other["1.1"].parent == other["1"] and other["1"].document == document
    assert other["1.1"].item.description == "Ghi chú\nhai dòng" and other["1.1"].item.start_date == d(2026, 1, 5)


def test_a_filtered_task_list_is_exported(client_a, hanoi_dept, reporter, monkeypatch):
    monkeypatch.setattr("giamsat.plans.import_views.today", lambda: TODAY)
    plan = plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter)
    task_create(plan=plan, title="Quá hạn", number="1", due_date=d(2026, 3, 31), by=reporter)
    task_create(plan=plan, title="Trong hạn", number="2", due_date=d(2026, 8, 31), by=reporter)
    response = client_a.get("/plans/export/?status=OVERDUE")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[1] for r in ws.iter_rows(min_row=4, values_only=True)] == ["Quá hạn"]
    assert client_a.get("/plans/export/?status=LATE").status_code == 400
    assert client_a.get("/plans/export/?due_from=31/02/2026").status_code == 400


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.datetime(2026, 3, 31), d(2026, 3, 31)),
        ("31/03/2026", d(2026, 3, 31)),
        ("1/4/2026", d(2026, 4, 1)),
        ("2026-04-01", d(2026, 4, 1)),
        (46112, d(2026, 3, 31)),  # an Excel serial number in a cell not formatted as a date
        ("31/02/2026", None),
        ("2026", None),
        (2026, None),
        ("Quý II", None),
    ],
)
def test_dates_read(value, expected):
    if expected is None:
        with pytest.raises(ValueError):
            parse_day(value)
    else:
        assert parse_day(value) == expected


@pytest.mark.parametrize(
    "header, field",
    [
        ("STT", "number"),
        ("Số TT", "number"),
        ("NỘI DUNG NHIỆM VỤ", "title"),
        ("Hạn hoàn thành (dd/mm/yyyy)", "due"),
        ("Thời hạn", "due"),
        ("Cơ quan ban hành", "issuing_body"),
        ("Sản phẩm", "deliverable"),
        ("Đơn vị", None),
    ],
)
def test_headers_guessed(header, field):
    assert excel._field_for(header) == field


def test_the_mapping_problems_and_result_pages_are_in_vietnamese(client_a):
    from giamsat.portal.tests.test_untranslated import english_phrases, visible_text

    phrases = english_phrases()
    bad = [*GOOD_ROWS, [9, "Nhiệm vụ không hạn", None, None, None, "31/02/2026", None]]
    pages = [upload(client_a, workbook(bad))]
    pages.append(confirm(client_a, pages[0]))
    pages.append(confirm(client_a, upload(client_a, workbook(GOOD_ROWS))))
    pages.append(upload(client_a, b"not a workbook"))
    for response in pages:
        text = visible_text(response.content.decode())
        assert [p for p in phrases if p in text] == [], text[:300]
