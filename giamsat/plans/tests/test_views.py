"""Plans' pages: the ministry's overview, a unit's plan, a task with its forms; scopes, errors in
Vietnamese that lose nothing, bounded queries."""

import datetime as dt
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit
from giamsat.plans.models import Plan
from giamsat.plans.services import document_get_or_create, plan_get_or_create, task_assign_many, task_create
from giamsat.tracking.choices import Review, WorkStatus
from giamsat.tracking.models import Attachment, Baseline
from giamsat.tracking.services import work_extension_request, work_progress_report

from .conftest import TODAY, at

pytestmark = pytest.mark.django_db
d = dt.date


@pytest.fixture(autouse=True)
def on_today(monkeypatch, settings, tmp_path):
    """Today is TODAY for the pages and for the services that stamp what is reported."""
    from types import SimpleNamespace

    from django.utils import timezone

    now = at(TODAY, 10)
    clock = SimpleNamespace(now=lambda: now, localtime=timezone.localtime, localdate=lambda *a: TODAY)
    monkeypatch.setattr("giamsat.plans.views.today", lambda: TODAY)
    monkeypatch.setattr("giamsat.tracking.services.timezone", clock)
    monkeypatch.setattr("giamsat.plans.services.timezone", clock)
    settings.MEDIA_ROOT = tmp_path


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def hanoi(db):
    return OrgUnit.objects.get(code="SKHCN_01")


@pytest.fixture
def other(db):
    return OrgUnit.objects.get(code="SKHCN_08")


@pytest.fixture
def plans(hanoi, other, reporter, leader):
    """Hà Nội's plan: an overdue task, one due soon with a sub-task, one completed, one given by
    the ministry to both departments (with its document)."""
    plan = plan_get_or_create(unit=hanoi, year=2026, by=reporter, at=at(d(2026, 1, 5)))
    document = document_get_or_create(
        number="01/NQ-CP", issued_on=d(2026, 1, 3), issuing_body="Chính phủ", title="Nghị quyết 01"
    )

    def add(title, due, **kw):
        return task_create(plan=plan, title=title, due_date=due, by=reporter, at=at(d(2026, 1, 5)), **kw)

    overdue = add("Ban hành kế hoạch chuyển đổi số", d(2026, 4, 30), number="1", domain="IT_DX")
    soon = add("Kết nối nền tảng dữ liệu", d(2026, 5, 14), number="2", domain="IT_DX", document=document)
    add("Khảo sát hạ tầng", d(2026, 5, 13), number="2.1", parent=soon)
    done = add("Báo cáo quý I", d(2026, 3, 31), number="3", domain="TELECOM")
    work_progress_report(item=done.item, by=reporter, progress=100, note="Xong", completion=True, at=at(d(2026, 3, 30)))
    given = task_assign_many(
        units=[hanoi, other],
        title="Phủ sóng vùng lõm",
        due_date=d(2026, 6, 30),
        by=leader,
        document=document,
        domain="TELECOM",
        at=at(d(2026, 1, 10)),
    )
    return {
        "plan": plan,
        "other_plan": Plan.objects.get(org_unit=other, year=2026),
        "overdue": overdue,
        "soon": soon,
        "done": done,
        "given": given.tasks.get(plan=plan),
        "given_other": given.tasks.exclude(plan=plan).get(),
        "document": document,
    }


# --- overview ------------------------------------------------------------------------------------


def test_the_ministry_sees_every_units_execution_overdue_first(plans, hanoi, other):
    response = _client("ministry.leader").get("/plans/?year=2026")
    assert response.status_code == 200
    rows = response.context["executions"]
    assert [r.plan.org_unit.code for r in rows][:2] == ["SKHCN_01", "SKHCN_08"]  # Hà Nội has the overdue task
    assert rows[0].overdue == 1 and rows[0].on_time_rate == 50.0
    text = _text(response)
    assert hanoi.name_vi in text and other.name_vi in text
    assert "Ban hành kế hoạch chuyển đổi số" in text  # the overdue tasks, by default
    assert "Quá hạn" in text
    assert "năm 2026" in text and "2.026" not in text  # a year is no number with a thousands dot


def test_overview_filters_and_reports_bad_input(plans):
    client = _client("ministry.leader")
    by_document = client.get(f"/plans/?year=2026&document={plans['document'].pk}&status=")
    titles = {t.item.title for t in by_document.context["page"].object_list}
    assert titles == {"Kết nối nền tảng dữ liệu", "Phủ sóng vùng lõm"}
    ranged = client.get("/plans/?year=2026&status=&due_from=2026-05-01&due_to=2026-05-31&unit=SKHCN_01")
    titles = {t.item.title for t in ranged.context["page"].object_list}
    assert titles == {"Kết nối nền tảng dữ liệu", "Khảo sát hạ tầng"}
    bad = client.get("/plans/?year=2026&due_from=31/13/2026&status=NOPE")
    assert bad.status_code == 200
    text = _text(bad)
    assert "30/06/2026" in text  # the date error says how to write one


def test_a_reporter_sees_only_his_provinces_plans(plans, other):
    response = _client("a.reporter").get("/plans/?year=2026&status=")
    assert [r.plan.org_unit.code for r in response.context["executions"]] == ["SKHCN_01"]
    assert other.name_vi not in response.content.decode()


def test_overview_queries_do_not_grow_with_units(plans, leader, django_assert_max_num_queries):
    client = _client("ministry.leader")
    with django_assert_max_num_queries(20) as first:
        assert client.get("/plans/?year=2026&status=").status_code == 200
    for code in ("SKHCN_02", "SKHCN_03", "SKHCN_04"):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is not None:
            task_assign_many(units=[unit], title="Thêm", due_date=d(2026, 4, 1), by=leader)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/plans/?year=2026&status=").status_code == 200


# --- a unit's plan -------------------------------------------------------------------------------


def test_plan_page_groups_tasks_with_subtasks_and_highlights_due_soon(plans):
    client = _client("a.reporter")
    response = client.get(f"/plans/{plans['plan'].pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Kết nối nền tảng dữ liệu") < page.index("Khảo sát hạ tầng")  # sub-task under its task
    assert 'class=" due-soon' in page or "due-soon" in page
    assert "Sắp đến hạn" in _text(response) or "sắp đến hạn" in _text(response)
    by_document = client.get(f"/plans/{plans['plan'].pk}/?group=document")
    text = _text(by_document)
    assert "01/NQ-CP · 03/01/2026 · Chính phủ" in text
    assert 'data-testid="task-form"' in page  # the unit's people add tasks


def test_another_province_never_sees_the_plan_or_its_tasks(plans):
    client = _client("b.reporter")
    assert client.get(f"/plans/{plans['plan'].pk}/").status_code == 404
    assert client.get(f"/plans/tasks/{plans['overdue'].pk}/").status_code == 404
    assert client.post(f"/plans/tasks/{plans['overdue'].pk}/comments/", {"text": "x"}).status_code == 404


def test_plan_page_queries_are_bounded(plans, reporter, django_assert_max_num_queries):
    client = _client("a.reporter")
    url = f"/plans/{plans['plan'].pk}/"
    with django_assert_max_num_queries(25) as first:
        assert client.get(url).status_code == 200
    for i in range(10):
        task_create(plan=plans["plan"], title=f"Nhiệm vụ {i}", due_date=d(2026, 8, 1), by=reporter)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_add_a_task_with_errors_keeps_what_was_typed(plans):
    client = _client("a.reporter")
    url = f"/plans/{plans['plan'].pk}/tasks/new/"
    response = client.post(url, {"title": "Số hóa hồ sơ", "due_date": "2030-01-01", "deliverable": "Kho dữ liệu"})
    assert response.status_code == 200
    text = _text(response)
    assert "Hạn hoàn thành nằm ngoài năm của kế hoạch" in text or "ngoài năm" in text
    assert "Số hóa hồ sơ" in response.content.decode() and "Kho dữ liệu" in response.content.decode()
    ok = client.post(
        url,
        {
            "title": "Số hóa hồ sơ",
            "due_date": "30/11/2026",
            "document_number": "15/KH-UBND",
            "document_date": "2026-02-01",
            "document_body": "UBND thành phố Hà Nội",
        },
    )
    assert ok.status_code == 302
    task = plans["plan"].tasks.get(item__title="Số hóa hồ sơ")
    assert task.document.number == "15/KH-UBND" and task.item.due_date == d(2026, 11, 30)


def test_a_baseline_taken_and_compared_lists_what_moved(plans, leader):
    client = _client("a.reporter")
    plan = plans["plan"]
    assert client.post(f"/plans/{plan.pk}/baselines/", {"name": "Mốc tháng 5"}).status_code == 302
    baseline = Baseline.objects.get(scope=f"plan:{plan.pk}")
    extension = work_extension_request(
        item=plans["given"].item, by=User.objects.get(username="a.reporter"), due_requested=d(2026, 7, 31), reason="Chờ"
    )
    from giamsat.tracking.services import work_extension_decide

    work_extension_decide(extension=extension, by=leader, approve=True)
    response = client.get(f"/plans/{plan.pk}/?baseline={baseline.pk}")
    changes = response.context["changes"]
    assert [c.title for c in changes] == ["Phủ sóng vùng lõm"]
    assert "30/06/2026 → 31/07/2026" in _text(response)


# --- a task --------------------------------------------------------------------------------------


def test_completion_with_evidence_changes_the_status(plans):
    client = _client("a.reporter")
    task = plans["soon"]
    page = client.get(f"/plans/tasks/{task.pk}/")
    assert page.status_code == 200 and "Đang thực hiện trong hạn" in _text(page)
    response = client.post(
        f"/plans/tasks/{task.pk}/report/",
        {
            "note": "Đã kết nối",
            "link": "https://hanoi.gov.vn/bc",
            "files": [SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test")],
            "complete": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/plans/tasks/{task.pk}/")
    text = _text(page)
    assert "Hoàn thành đúng hạn" in text
    assert "https://hanoi.gov.vn/bc" in text and "bien-ban.pdf" in text
    assert "11/05/2026" in text or page.context["item"].completed_on
    attachment = Attachment.objects.get(item=task.item)
    download = client.get(f"/plans/tasks/{task.pk}/files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]
    assert _client("b.reporter").get(f"/plans/tasks/{task.pk}/files/{attachment.pk}/").status_code == 404


def test_completion_without_evidence_is_refused_in_vietnamese_and_keeps_the_note(plans):
    client = _client("a.reporter")
    task = plans["soon"]
    response = client.post(f"/plans/tasks/{task.pk}/report/", {"complete": "1", "progress": "", "note": ""})
    assert response.status_code == 200
    assert "cần có kết quả" in _text(response)
    bad = client.post(
        f"/plans/tasks/{task.pk}/report/",
        {"progress": "150", "note": "Ghi chú dài đã gõ", "link": "không phải địa chỉ", "data_element": "NOPE"},
    )
    text = _text(bad)
    assert "Ghi chú dài đã gõ" in bad.content.decode()
    assert "từ 0 đến 100" in text and "NOPE" in text
    task.item.refresh_from_db()
    assert task.item.progress == 0


def test_progress_report_with_a_figure_of_the_catalogue(plans):
    from giamsat.catalog.models import DataElement

    element = DataElement.objects.first()
    client = _client("a.reporter")
    response = client.post(
        f"/plans/tasks/{plans['overdue'].pk}/report/",
        {"progress": "60", "data_element": element.code, "data_period": "2026Q1"},
    )
    assert response.status_code == 302
    page = _text(client.get(f"/plans/tasks/{plans['overdue'].pk}/"))
    assert element.code in page and "Tiến độ 60%" in page
    half = client.post(f"/plans/tasks/{plans['overdue'].pk}/report/", {"progress": "70", "data_element": element.code})
    assert half.status_code == 200 and "cần cả chỉ tiêu và kỳ báo cáo" in _text(half)


def test_extension_requested_and_approved_keeps_the_original_deadline(plans):
    task = plans["given"]
    reporter = _client("a.reporter")
    refused = reporter.post(f"/plans/tasks/{task.pk}/extension/", {"due_requested": "2026-06-01", "reason": ""})
    assert refused.status_code == 200
    assert "phải sau hạn hiện tại" in _text(refused)
    assert (
        reporter.post(
            f"/plans/tasks/{task.pk}/extension/", {"due_requested": "31/07/2026", "reason": "Chờ kinh phí"}
        ).status_code
        == 302
    )
    leader = _client("ministry.leader")
    page = leader.get(f"/plans/tasks/{task.pk}/")
    assert 'data-testid="decide"' in page.content.decode()
    no_reason = leader.post(f"/plans/tasks/{task.pk}/extension/decide/", {"decision": "refuse"})
    assert no_reason.status_code == 200 and "Cần nêu lý do" in _text(no_reason)
    assert leader.post(f"/plans/tasks/{task.pk}/extension/decide/", {"decision": "approve"}).status_code == 302
    text = _text(leader.get(f"/plans/tasks/{task.pk}/"))
    assert "31/07/2026" in text and "30/06/2026" in text  # the original deadline stays in sight
    assert "Hạn hoàn thành: 30/06/2026 → 31/07/2026" in text  # the history, in words


def test_the_assigner_returns_evidence_with_a_reason(plans):
    task = plans["given"]
    reporter = _client("a.reporter")
    reporter.post(f"/plans/tasks/{task.pk}/report/", {"note": "Đã phủ sóng", "complete": "1"})
    # The unit's people do not review their own evidence: a 403 page, never a 500.
    assert reporter.post(f"/plans/tasks/{task.pk}/review/", {"decision": "accept"}).status_code == 403
    leader = _client("ministry.leader")
    no_reason = leader.post(f"/plans/tasks/{task.pk}/review/", {"decision": "return", "note": " "})
    assert no_reason.status_code == 200 and "Cần nêu lý do" in _text(no_reason)
    returned = leader.post(f"/plans/tasks/{task.pk}/review/", {"decision": "return", "note": "Thiếu ảnh"})
    assert returned.status_code == 302
    task.item.refresh_from_db()
    assert task.item.review == Review.RETURNED and task.item.completed_on is None
    assert "Thiếu ảnh" in _text(reporter.get(f"/plans/tasks/{task.pk}/"))


def test_comments_and_the_history_in_words(plans):
    client = _client("a.reporter")
    task = plans["overdue"]
    empty = client.post(f"/plans/tasks/{task.pk}/comments/", {"text": ""})
    assert empty.status_code == 200
    assert client.post(f"/plans/tasks/{task.pk}/comments/", {"text": "Đang chờ ý kiến sở"}).status_code == 302
    text = _text(client.get(f"/plans/tasks/{task.pk}/"))
    assert "Đang chờ ý kiến sở" in text and "Giao nhiệm vụ" in text or "Đã giao" in text
    assert WorkStatus.OVERDUE.label  # the status shown is the computed one


def test_get_on_a_form_route_is_refused(plans):
    assert _client("a.reporter").get(f"/plans/tasks/{plans['soon'].pk}/report/").status_code == 405


# --- the landing page and the alerts -------------------------------------------------------------


def test_my_tasks_on_the_landing_page(plans, monkeypatch):
    for module in ("giamsat.portal.selectors", "giamsat.portal.views"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)
    reporter = _client("a.reporter").get("/")
    tasks = reporter.context["overview"].tasks
    assert [t.item.title for t in tasks][:2] == ["Ban hành kế hoạch chuyển đổi số", "Khảo sát hạ tầng"]
    text = _text(reporter)
    assert "Nhiệm vụ của tôi" in text and "Quá hạn chưa hoàn thành" in text
    assert f"/plans/tasks/{plans['overdue'].pk}/" in reporter.content.decode()
    assert "Phủ sóng vùng lõm" in text and "Tuyên Quang" not in text
    ministry = _client("ministry.leader").get("/")
    card = ministry.context["overview"].plans
    assert (card.overdue, card.on_time_rate) == (1, 50.0)
    assert 'data-testid="home-plans-overdue"' in ministry.content.decode()


def test_a_task_alert_links_to_the_task(plans):
    from giamsat.alerts.defaults import alert_rules_defaults_load
    from giamsat.alerts.models import Alert, AlertRule
    from giamsat.alerts.services import rules_scan
    from giamsat.plans.kinds import TASK_OVERDUE

    alert_rules_defaults_load()
    rules_scan(rules=AlertRule.objects.filter(kind=TASK_OVERDUE), today=TODAY)
    alert = Alert.objects.get(kind=TASK_OVERDUE, subject=f"task:{plans['overdue'].pk}")
    client = _client("a.reporter")
    link = f'href="/plans/tasks/{plans["overdue"].pk}/"'
    detail = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert link in detail and "Xem nhiệm vụ" in detail
    assert link in client.get("/alerts/").content.decode()


def test_the_history_names_people_and_dates_not_keys(plans, leader):
    from giamsat.tracking.services import work_item_update

    task = plans["given"]
    work_item_update(
        item=task.item, by=leader, assignee=User.objects.get(username="a.reporter"), due_date=d(2026, 7, 15)
    )
    text = _text(_client("a.reporter").get(f"/plans/tasks/{task.pk}/"))
    assert ": — → a.reporter" in text and "30/06/2026 → 15/07/2026" in text


def test_a_long_plan_is_paged_by_its_tasks_with_their_subtasks(plans, reporter, monkeypatch):
    """The status counts are the whole plan's; the list shows a page of top-level tasks, each
    with its sub-tasks."""
    monkeypatch.setattr("giamsat.plans.views.PLAN_TASKS_PER_PAGE", 2)
    client = _client("a.reporter")
    url = f"/plans/{plans['plan'].pk}/"
    first = client.get(url)
    text = _text(first)
    assert 'data-testid="plan-pager"' in first.content.decode()
    assert "Quá hạn chưa hoàn thành: 1" in text  # counted over the whole plan
    assert "&amp;page=2#plan-tasks-title" in first.content.decode()
    pages = [client.get(url, {"page": n}) for n in (1, 2)]
    assert _text(pages[0]) != _text(pages[1])
    shown = " ".join(_text(p) for p in pages)
    for title in ("Ban hành kế hoạch chuyển đổi số", "Kết nối nền tảng dữ liệu", "Báo cáo quý I", "Phủ sóng vùng lõm"):
        assert title in shown
    # The sub-task is on the page of its task, right after it.
    page_of_parent = next(p for p in pages if "Kết nối nền tảng dữ liệu" in _text(p))
    body = page_of_parent.content.decode()
    assert body.index("Kết nối nền tảng dữ liệu") < body.index("Khảo sát hạ tầng")
