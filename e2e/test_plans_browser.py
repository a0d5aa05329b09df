"""Plans in a browser, on a 360 px phone: Hà Nội's reporter opens a task from "my tasks",
is told in Vietnamese what a completion report lacks, reports completion with a note, a link and
a file, and sees the status computed from it. A screenshot is kept as an artifact."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .helpers import screenshot, sign_in

pytestmark = pytest.mark.xdist_group("browser")

TITLE = "Kiểm thử trình duyệt: triển khai nền tảng họp trực tuyến"


@pytest.fixture
def hanoi_task(django_db_blocker):
    """An open task of Hà Nội's department, given by its leader (committed for the live server)."""
    from django.utils import timezone

    from giamsat.accounts.models import User
    from giamsat.orgunits.models import OrgUnit
    from giamsat.plans.services import plan_get_or_create, task_create
    from giamsat.tracking.models import Attachment

    with django_db_blocker.unblock():
        today = timezone.localdate()
        unit = OrgUnit.objects.get(code="SKHCN_01")
        leader = User.objects.get(username="hanoi.lanhdao")
        plan = plan_get_or_create(unit=unit, year=today.year, by=leader)
        task = task_create(
            plan=plan,
            title=TITLE,
            start_date=today - dt.timedelta(days=10),
            due_date=today + dt.timedelta(days=3),
            deliverable="Nền tảng họp trực tuyến đến cấp xã",
            by=leader,
        )
    yield task
    with django_db_blocker.unblock():
        for attachment in Attachment.objects.filter(item_id=task.pk):
            attachment.file.delete(save=False)
        task.item.delete()


def test_a_reporter_reports_completion_with_evidence_on_a_phone(new_context, live_url, hanoi_task):
    context = new_context(viewport={"width": 360, "height": 760}, locale="vi-VN")
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "hanoi.baocao")
    panel = page.get_by_test_id("home-tasks")
    expect(panel).to_contain_text("Nhiệm vụ của tôi")
    panel.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_test_id("task-status")).to_have_text("Đang thực hiện trong hạn")
    # Completion without evidence: refused in Vietnamese, what was typed is kept.
    form = page.get_by_test_id("progress-form")
    form.get_by_test_id("report-completion").click()
    expect(page.get_by_text(re.compile("Báo cáo hoàn thành cần có kết quả"))).to_be_visible()
    expect(page.get_by_test_id("task-status")).to_have_text("Đang thực hiện trong hạn")
    form = page.get_by_test_id("progress-form")
    form.locator("input[name=link]").fill("https://hanoi.gov.vn/hop-truc-tuyen")
    form.locator("textarea[name=note]").fill("Đã triển khai đến 126 xã, phường")
    form.locator("input[name=files]").set_input_files(
        {"name": "bien-ban-nghiem-thu.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 nghiem thu"}
    )
    form.get_by_test_id("report-completion").click()
    expect(page.get_by_text("Đã báo cáo hoàn thành: cơ quan giao sẽ xem xét kết quả.")).to_be_visible()
    expect(page.get_by_test_id("task-status")).to_have_text("Hoàn thành đúng hạn")
    expect(page.get_by_test_id("task-review")).to_have_text("Kết quả chờ đánh giá")
    evidence = page.get_by_test_id("evidence")
    expect(evidence).to_contain_text("Đã triển khai đến 126 xã, phường")
    expect(evidence.get_by_test_id("attachment")).to_have_text("bien-ban-nghiem-thu.pdf")
    expect(page.get_by_test_id("task-history")).to_contain_text("Báo cáo hoàn thành")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "plans-task-completed-360px", full_page=True)
    # The file comes back through the scoped download, not a public address.
    with page.expect_download() as download:
        evidence.get_by_test_id("attachment").click()
    assert download.value.suggested_filename == "bien-ban-nghiem-thu.pdf"


def test_the_ministry_sees_every_units_execution_on_a_timeline(page, hanoi_task):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "lanhdao.bo")
    page.get_by_role("navigation", name=re.compile(".")).first.get_by_role("link", name="Kế hoạch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tình hình thực hiện kế hoạch")
    row = page.get_by_test_id("plan-unit-row").filter(has_text="Sở Khoa học và Công nghệ thành phố Hà Nội")
    expect(row).to_be_visible()
    page.get_by_label("Trạng thái").select_option("")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("plan-tasks")).to_contain_text(TITLE)
    expect(page.locator("[data-gantt] canvas")).to_be_visible()
    row = page.get_by_test_id("plan-unit-row").filter(has_text="Sở Khoa học và Công nghệ thành phố Hà Nội")
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("plan-task-table")).to_contain_text(TITLE)
    expect(page.locator("[data-gantt] canvas")).to_be_visible()
    assert errors == []


def test_the_plan_pages_fit_a_phone(new_context, live_url, hanoi_task):
    context = new_context(viewport={"width": 360, "height": 760}, locale="vi-VN")
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "hanoi.baocao")
    page.goto(live_url + "/plans/?status=")
    expect(page.get_by_test_id("plan-tasks")).to_contain_text(TITLE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "plans-overview-360px", full_page=True)
    page.get_by_test_id("plan-unit-row").get_by_role("link").first.click()
    expect(page.get_by_test_id("task-form")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "plans-plan-360px", full_page=True)
