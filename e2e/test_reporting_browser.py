"""The monthly reporting cycle in a browser: a reporter fills and submits, the leader approves,
the ministry accepts; and a return with a reason followed by a resubmission."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in, sign_out
from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, DataSet
from giamsat.core.dates import today
from giamsat.core.periods import Period
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue, DataValueAudit, Report
from giamsat.reporting.services import (
    ValueInput,
    data_values_write,
    period_get,
    report_no_figure_mark,
    report_open,
)

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def hanoi_history(live_url):
    """Last month's figures of Hà Nội, entered by its reporter; removed afterwards."""
    hanoi = OrgUnit.objects.get(code="P01")
    this_month = Period.containing("MONTHLY", today())
    last_month = period_get(this_month.previous())
    quarter = Period.containing("QUARTERLY", today())
    data_values_write(
        inputs=[
            ValueInput(DataElement.objects.get(code=code), hanoi, last_month, value)
            for code, value in [
                ("DOSSIERS_TOTAL", 52340),
                ("DOSSIERS_ONLINE", 41002),
                ("DOSSIERS_DIGITISED_RATE", 78.5),
            ]
        ],
        by=User.objects.get(username="hanoi.baocao"),
        channel=Channel.FORM,
    )
    # Every figure of a provincial report is required: the ones these tests do not fill are
    # marked "no figure" beforehand (the monthly test marks one more in the page).
    reporter = User.objects.get(username="hanoi.baocao")
    filled = {
        "DOSSIERS_TOTAL",
        "DOSSIERS_ONLINE",
        "DOSSIERS_DIGITISED_RATE",
        "HH_TOTAL",
        "HH_FIBER",
        "DX_TASKS_ASSIGNED",
    }
    marks = {}
    for code, period in [("BC_TINH_MONTHLY", this_month), ("BC_TINH_QUARTERLY", quarter)]:
        data_set = DataSet.objects.get(code=code)
        report = report_open(data_set=data_set, org_unit=hanoi, period=period_get(period), by=reporter)
        members = data_set.members.filter(compulsory=True).exclude(data_element__code__in=filled)
        for member in members.select_related("data_element"):
            report_no_figure_mark(
                report=report, data_element=member.data_element, reason="Chưa có số liệu (thử nghiệm)", by=reporter
            )
        marks[code] = members.count()
    yield {"this_month": this_month, "last_month": last_month, "quarter": quarter, "marks": marks}
    periods = [this_month.code, last_month.code, quarter.code]
    Report.objects.filter(org_unit=hanoi, period__code__in=periods).delete()
    DataValue.objects.filter(org_unit=hanoi, period__code__in=periods).delete()
    DataValueAudit.objects.filter(org_unit=hanoi, period__code__in=periods).delete()


def open_report(page, data_set_name, period_label, unit_name="Thành phố Hà Nội"):
    page.goto(page.base_url + "/reports/")
    # The accessible name says which report: data set, unit and period.
    # A button opens a new report, a link one already opened (its figures marked beforehand).
    page.locator(f'[aria-label="{data_set_name} — {unit_name} — {period_label}"]').first.click()
    expect(page.get_by_role("heading", name=data_set_name)).to_be_visible()


def fill(page, code, value):
    box = page.locator(f"#in-{code}")
    box.fill(value)
    box.press("Tab")


def test_monthly_report_from_entry_to_acceptance(page, hanoi_history):
    page.on("dialog", lambda dialog: dialog.accept())
    month = hanoi_history["this_month"]
    sign_in(page, "hanoi.baocao")
    open_report(page, "Báo cáo tháng của Sở Khoa học và Công nghệ", f"Tháng {month.code[4:]}/{month.code[:4]}")

    # Last month's figure stands beside each box.
    expect(page.locator("#prev-DOSSIERS_TOTAL")).to_contain_text("52.340")

    # 120 % is refused inline, in Vietnamese, and nothing is saved.
    fill(page, "DOSSIERS_DIGITISED_RATE", "120")
    expect(page.locator("#err-DOSSIERS_DIGITISED_RATE")).to_contain_text("không được vượt quá 100 %")
    fill(page, "DOSSIERS_DIGITISED_RATE", "81,5")
    expect(page.locator("#f-DOSSIERS_DIGITISED_RATE")).to_contain_text("Đã lưu")

    # More online dossiers than dossiers breaks a rule: shown in the checks panel, submission refused.
    fill(page, "DOSSIERS_TOTAL", "50.000")
    fill(page, "DOSSIERS_ONLINE", "60.000")
    expect(page.get_by_test_id("rule-violation")).to_contain_text("trực tuyến")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".alert.error")).to_contain_text("trực tuyến")

    # Fixed; but one required figure is still empty: refused, naming it.
    fill(page, "DOSSIERS_ONLINE", "45.000")
    expect(page.get_by_test_id("rule-violation")).to_have_count(0)
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".alert.error")).to_contain_text("còn 1 chỉ tiêu bắt buộc chưa nhập")
    expect(page.get_by_test_id("missing-figures")).to_contain_text("Số nhiệm vụ được giao")
    # The unit has no figure for it this month: marked so, with the reason.
    page.locator("#f-DX_TASKS_ASSIGNED details.no-figure summary").click()
    page.locator("#nf-DX_TASKS_ASSIGNED").fill("Kế hoạch năm chưa được ban hành")
    page.get_by_test_id("mark-no-figure-DX_TASKS_ASSIGNED").click()
    expect(page.get_by_test_id("no-figure-DX_TASKS_ASSIGNED")).to_contain_text("Kế hoạch năm chưa được ban hành")
    expect(page.get_by_test_id("fill-rate")).to_contain_text("3/29 chỉ tiêu đã nhập, 26 đánh dấu không có số liệu")

    # Now the draft, saved figure by figure, is submitted after confirmation.
    # The change history names the figure; its code is on hover.
    expect(page.get_by_test_id("audit")).to_contain_text("Số hồ sơ nộp trực tuyến")
    expect(page.get_by_test_id("audit").locator('[title="DOSSIERS_ONLINE"]').first).to_be_visible()
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".badge.status-SUBMITTED")).to_be_visible()
    sign_out(page)

    # The provincial leader approves from the review queue, seeing what changed since last month.
    sign_in(page, "hanoi.lanhdao")
    page.goto(page.base_url + "/reports/")
    page.get_by_test_id("review-queue").get_by_role("link").first.click()
    expect(page.locator("#f-DOSSIERS_TOTAL.changed")).to_contain_text("-4,5 %")
    page.get_by_test_id("approve-report").click()
    expect(page.locator(".badge.status-APPROVED")).to_be_visible()
    sign_out(page)

    # The ministry's analyst accepts; the history shows every step with who and when.
    sign_in(page, "phantich.vienthong")
    page.goto(page.base_url + "/reports/")
    page.get_by_test_id("review-queue").get_by_role("link").first.click()
    page.get_by_test_id("accept-report").click()
    expect(page.locator(".badge.status-ACCEPTED")).to_be_visible()
    history = page.get_by_test_id("history")
    for step in ["Khởi tạo báo cáo", "Đã gửi báo cáo", "Lãnh đạo đơn vị đã phê duyệt", "Bộ đã tiếp nhận"]:
        expect(history).to_contain_text(step)
    expect(history).to_contain_text("Phạm Quốc Dũng")


def test_return_with_a_reason_and_resubmission(page, hanoi_history):
    page.on("dialog", lambda dialog: dialog.accept())
    quarter = hanoi_history["quarter"]
    label = f"Quý {['I', 'II', 'III', 'IV'][int(quarter.code[-1]) - 1]}/{quarter.code[:4]}"
    sign_in(page, "hanoi.baocao")
    open_report(page, "Báo cáo quý của Sở Khoa học và Công nghệ", label)
    fill(page, "HH_TOTAL", "2.600.000")
    fill(page, "HH_FIBER", "2.700.000")
    expect(page.get_by_test_id("rule-violation")).to_contain_text("cáp quang")
    fill(page, "HH_FIBER", "2.350.000")
    expect(page.get_by_test_id("rule-violation")).to_have_count(0)
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".badge.status-SUBMITTED")).to_be_visible()
    report_url = page.url
    sign_out(page)

    sign_in(page, "hanoi.lanhdao")
    page.goto(report_url)
    page.get_by_label("Lý do trả lại").fill("Số hộ có cáp quang tăng bất thường, đề nghị rà soát")
    page.get_by_test_id("return-report").click()
    expect(page.locator(".badge.status-RETURNED")).to_be_visible()
    sign_out(page)

    sign_in(page, "hanoi.baocao")
    page.goto(page.base_url + "/reports/")
    returned = page.get_by_test_id("returned")
    expect(returned).to_contain_text("đề nghị rà soát")
    returned.get_by_role("link").first.click()
    fill(page, "HH_FIBER", "2.300.000")
    expect(page.locator("#f-HH_FIBER")).to_contain_text("Đã lưu")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".badge.status-SUBMITTED")).to_be_visible()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Đã trả lại đơn vị")
    expect(history).to_contain_text("đề nghị rà soát")
    marks = hanoi_history["marks"]["BC_TINH_QUARTERLY"]  # each "no figure" mark is in the history too
    expect(history.locator("li")).to_have_count(4 + marks)
    assert re.search(r"/reports/\d+/$", page.url)


def test_on_a_desktop_the_reports_page_uses_its_width(new_context, live_url):
    """At 1366 px the lists sit side by side and the submitted reports span the whole width, in
    columns, instead of one long narrow column; the period to open is picked from a list (issue 20)."""
    context = new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.base_url = live_url
    sign_in(page)
    page.goto(live_url + "/reports/")
    box = lambda testid: page.get_by_test_id(testid).locator("xpath=ancestor::section[1]").bounding_box()  # noqa: E731
    due, overdue, submitted = box("due-soon"), box("overdue"), box("submitted")
    assert abs(due["y"] - overdue["y"]) < 2 and overdue["x"] > due["x"] + due["width"] - 1, (due, overdue)
    span = overdue["x"] + overdue["width"] - due["x"]
    assert submitted["width"] >= span - 2, (submitted, span)
    assert page.get_by_test_id("submitted").evaluate("(ul) => getComputedStyle(ul).columnCount") != "auto"
    picker = page.get_by_label("Kỳ báo cáo")
    assert picker.evaluate("(el) => el.tagName") == "SELECT"
    expect(picker.locator("option:checked")).to_have_text(Period.containing("MONTHLY", today()).previous().label)
