"""The alerts in a browser: a provincial reporter sees only its province's, acknowledges one from
its page; the ministry's leader sees every province's, at 360 px too, without scrolling sideways."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from giamsat.alerts.models import Alert, AlertRule
from giamsat.alerts.services import rules_scan
from giamsat.catalog.models import DataSet

from .helpers import sign_in

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def late_alerts(django_db_blocker):
    """Every province's November report late, as the minute's scan leaves it (committed: the
    live server sees it), removed afterwards."""
    with django_db_blocker.unblock():
        rule = AlertRule.objects.create(
            code="E2E_LATE",
            name_vi="Báo cáo tháng quá hạn",
            kind="REPORT_LATE",
            data_set=DataSet.objects.get(code="BC_TINH_MONTHLY"),
            params={"periods": 1},
        )
        rules_scan(rules=[rule], today=dt.date(2026, 12, 7))
        try:
            yield rule
        finally:
            Alert.objects.filter(rule=rule).delete()
            rule.delete()


def test_a_provincial_reporter_sees_and_acknowledges_only_its_provinces_alerts(page, late_alerts):
    sign_in(page, "hanoi.baocao")
    page.goto(page.base_url + "/alerts/")
    rows = page.get_by_test_id("alert-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Hà Nội")
    expect(rows.first).to_contain_text("chưa được gửi")
    rows.first.get_by_role("link").click()
    page.locator("#ack-comment").fill("Đang hoàn thiện, gửi trong ngày")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("Đã tiếp nhận xử lý")
    expect(page.get_by_test_id("alert-history")).to_contain_text("Đang hoàn thiện, gửi trong ngày")


def test_the_ministrys_leader_sees_every_province_even_on_a_phone(new_context, live_url, late_alerts):
    context = new_context(viewport={"width": 360, "height": 760}, locale="vi-VN")
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "lanhdao.bo")
    page.goto(page.base_url + "/alerts/?kind=REPORT_LATE")
    expect(page.get_by_test_id("alert-row")).to_have_count(34)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
