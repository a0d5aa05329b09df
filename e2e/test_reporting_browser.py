"""The monthly reporting cycle in a browser: a reporter fills and submits, the leader approves,
the ministry accepts; and a return with a reason followed by a resubmission."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in, sign_out
from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement
from giamsat.core.dates import today
from giamsat.core.periods import Period
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue, DataValueAudit, Report
from giamsat.reporting.services import ValueInput, data_values_write, period_get

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
    yield {"this_month": this_month, "last_month": last_month, "quarter": quarter}
    periods = [this_month.code, last_month.code, quarter.code]
    Report.objects.filter(org_unit=hanoi, period__code__in=periods).delete()
    DataValue.objects.filter(org_unit=hanoi, period__code__in=periods).delete()
    DataValueAudit.objects.filter(org_unit=hanoi, period__code__in=periods).delete()


def open_report(page, data_set_name, period_label, unit_name="Thành phố Hà Nội"):
    page.goto(page.base_url + "/reports/")
    # The accessible name says which report: data set, unit and period.
    page.get_by_role("button", name=f"{data_set_name} — {unit_name} — {period_label}").first.click()
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

    # Fixed: the draft is saved figure by figure, then submitted after confirmation.
    fill(page, "DOSSIERS_ONLINE", "45.000")
    expect(page.get_by_test_id("rule-violation")).to_have_count(0)
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
    expect(history.locator("li")).to_have_count(4)
    assert re.search(r"/reports/\d+/$", page.url)
