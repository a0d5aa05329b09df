"""Reporting pages: the form autosaves with inline errors, reviewers act, lists and completeness."""

from decimal import Decimal

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.reporting.choices import Channel, ReportStatus
from giamsat.reporting.models import DataValue, Report
from giamsat.reporting.services import data_values_write, report_submit

from .conftest import LATE

pytestmark = pytest.mark.django_db


def client_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_form_shows_sections_units_and_last_period(report_a, users, value_input):
    data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "4321", "202509")], by=users["a.reporter"], channel=Channel.FORM
    )
    html = client_for("a.reporter").get(f"/reports/{report_a.pk}/").content.decode()
    assert "Công nghệ thông tin, chuyển đổi số, chính phủ số" in html  # a section
    assert "hồ sơ" in html  # a unit of measure
    assert "4.321" in html  # September's figure beside October's box
    assert 'hx-post="/reports/' in html


def test_autosave_inline_error_for_120_percent(report_a):
    client = client_for("a.reporter")
    url = f"/reports/{report_a.pk}/values/DOSSIERS_DIGITISED_RATE/"
    response = client.post(url, {"value": "120"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "has-error" in html and "100" in html
    assert 'id="rule-panel"' in html and 'hx-swap-oob="true"' in html
    assert not DataValue.objects.filter(
        org_unit=report_a.org_unit, data_element__code="DOSSIERS_DIGITISED_RATE"
    ).exists()
    ok = client.post(url, {"value": "85,5", "comment": "Theo cổng DVC"}).content.decode()
    assert "has-error" not in ok
    stored = DataValue.objects.get(org_unit=report_a.org_unit, data_element__code="DOSSIERS_DIGITISED_RATE")
    assert stored.value == Decimal("85.5") and stored.comment == "Theo cổng DVC"


def test_rule_violation_shows_in_the_checks_panel(quarterly, hanoi, users):
    from giamsat.reporting.services import period_get, report_open

    report = report_open(data_set=quarterly, org_unit=hanoi, period=period_get("2025Q3"), by=users["a.reporter"])
    client = client_for("a.reporter")
    client.post(f"/reports/{report.pk}/values/HH_TOTAL/", {"value": "1000"})
    html = client.post(f"/reports/{report.pk}/values/HH_FIBER/", {"value": "1200"}).content.decode()
    assert 'data-testid="rule-violation"' in html
    assert "cáp quang" in html


def test_unknown_element_and_locked_report(report_a, users):
    client = client_for("a.reporter")
    assert client.post(f"/reports/{report_a.pk}/values/NOPE/", {"value": "1"}).status_code == 404
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    html = client.post(f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/", {"value": "1"}).content.decode()
    assert "has-error" in html
    page = client.get(f"/reports/{report_a.pk}/").content.decode()
    assert 'hx-post="/reports/' not in page  # read-only now


def test_reviewer_sees_read_only_with_differences_and_acts(report_a, users, value_input):
    data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "100", "202509"), value_input("DOSSIERS_TOTAL", "150")],
        by=users["a.reporter"],
        channel=Channel.FORM,
    )
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    leader = client_for("a.leader")
    html = leader.get(f"/reports/{report_a.pk}/").content.decode()
    assert "form-row changed" in html and "+50,0 %" in html
    assert 'data-testid="approve-report"' in html and 'data-testid="return-report"' in html
    response = leader.post(f"/reports/{report_a.pk}/return/", {"reason": ""})
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.SUBMITTED  # no reason, nothing done
    leader.post(f"/reports/{report_a.pk}/approve/")
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED
    analyst = client_for("phantich.vienthong")
    assert f"/reports/{report_a.pk}/" in analyst.get("/reports/").content.decode()  # in the review queue
    analyst.post(f"/reports/{report_a.pk}/accept/")
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.ACCEPTED
    history = analyst.get(f"/reports/{report_a.pk}/").content.decode()
    assert history.count("<li><strong>") >= 4


def test_submit_through_the_page(report_a):
    client = client_for("a.reporter")
    response = client.post(f"/reports/{report_a.pk}/submit/", {"comment": "Xin gửi", "late_reason": LATE})
    assert response.status_code == 302
    assert Report.objects.get(pk=report_a.pk).status == ReportStatus.SUBMITTED


def test_open_report_from_the_list(client_a):
    response = client_a.post("/reports/open/", {"data_set": "BC_TINH_MONTHLY", "org_unit": "P01", "period": "202510"})
    assert response.status_code == 302
    assert Report.objects.filter(org_unit__code="P01", period__code="202510").exists()
    bad = client_a.post("/reports/open/", {"data_set": "BC_TINH_MONTHLY", "org_unit": "P01", "period": "2025-10"})
    assert bad.status_code == 400
    assert (
        client_a.post("/reports/open/", {"data_set": "NOPE", "org_unit": "P01", "period": "202510"}).status_code == 404
    )


def test_home_lists_and_completeness_page(client_a, client_leader):
    html = client_a.get("/reports/").content.decode()
    assert 'data-testid="overdue"' in html and 'data-testid="due-soon"' in html
    page = client_leader.get("/reports/completeness/", {"period": "202510"})
    assert page.status_code == 200 and 'data-testid="completeness"' in page.content.decode()
    assert client_leader.get("/reports/completeness/", {"period": "2025-10"}).status_code == 400
    by_unit = client_leader.get("/reports/completeness/", {"period": "202510", "data_set": "BC_TINH_MONTHLY"})
    html = by_unit.content.decode()
    assert html.count("<tr>") >= 34 + 2 and "Thành phố Hà Nội" in html


def test_completeness_by_unit_is_scoped(client_a):
    html = client_a.get("/reports/completeness/", {"period": "202510", "data_set": "BC_TINH_MONTHLY"}).content.decode()
    units = html[html.index('data-testid="completeness-units"') :]
    assert "Thành phố Hà Nội" in units and "Tỉnh Tuyên Quang" not in units


def test_report_pages_query_count_is_bounded(report_a, django_assert_max_num_queries):
    client = client_for("a.reporter")
    with django_assert_max_num_queries(40):
        client.get(f"/reports/{report_a.pk}/")


def test_reviewer_flags_a_figure_for_follow_up(report_a, users, value_input):
    data_values_write(inputs=[value_input("DOSSIERS_TOTAL", "150")], by=users["a.reporter"], channel=Channel.FORM)
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    leader = client_for("a.leader")
    html = leader.post(f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/follow-up/", {"follow_up": "1"}).content.decode()
    assert 'aria-pressed="true"' in html
    assert DataValue.objects.get(
        org_unit=report_a.org_unit, period=report_a.period, data_element__code="DOSSIERS_TOTAL"
    ).follow_up
    assert (
        leader.post(f"/reports/{report_a.pk}/values/DOSSIERS_ONLINE/follow-up/", {"follow_up": "1"}).status_code == 404
    )


def test_a_reporter_cannot_flag_their_own_figures(report_a, users, value_input):
    """The follow-up flag is the reviewers': the reporter sees it, cannot set or clear it."""
    data_values_write(inputs=[value_input("DOSSIERS_TOTAL", "150")], by=users["a.reporter"], channel=Channel.FORM)
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    reporter = client_for("a.reporter")
    assert 'data-testid="follow-up-DOSSIERS_TOTAL"' not in reporter.get(f"/reports/{report_a.pk}/").content.decode()
    url = f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/follow-up/"
    assert reporter.post(url, {"follow_up": "1"}).status_code == 403
    stored = DataValue.objects.get(
        org_unit=report_a.org_unit, period=report_a.period, data_element__code="DOSSIERS_TOTAL"
    )
    assert not stored.follow_up
    client_for("a.leader").post(url, {"follow_up": "1"})
    assert "⚑ Đã đánh dấu cần xem lại" in reporter.get(f"/reports/{report_a.pk}/").content.decode()


def test_reporter_picks_any_period_of_their_units(client_a):
    html = client_a.get("/reports/").content.decode()
    picker = html[html.index('id="pick-unit"') :]
    picker = picker[: picker.index("</select>")]
    assert "Thành phố Hà Nội" in picker and "Tuyên Quang" not in picker
    assert (
        client_a.post("/reports/open/", {"data_set": "BC_TINH_YEARLY", "org_unit": "P01", "period": "2025"}).status_code
        == 302
    )
    wrong_type = client_a.post("/reports/open/", {"data_set": "BC_TINH_YEARLY", "org_unit": "P01", "period": "202510"})
    assert wrong_type.status_code == 400


@pytest.mark.parametrize(
    "url", ["/reports/", "/reports/completeness/?data_set=BC_TINH_MONTHLY&period=202510", "/reports/excel/"]
)
def test_page_titles_are_plain_text(client_leader, url):
    import re

    html = client_leader.get(url).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and len(title) < 120


def test_change_history_names_the_figures_with_their_code_on_hover(report_a):
    client = client_for("a.reporter")
    client.post(f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/", {"value": "50.000"})
    html = client.get(f"/reports/{report_a.pk}/").content.decode()
    audit = html[html.index('data-testid="audit"') :]
    audit = audit[: audit.index("</ul>")]
    assert '<span class="element" title="DOSSIERS_TOTAL">Tổng số hồ sơ' in audit
    assert "— → 50.000" in audit
    assert "<code>DOSSIERS_TOTAL</code>" not in audit


def _report_links(html):
    """(accessible name, target) of every link or button that opens a report."""
    import re

    links = []
    for tag in re.finditer(r"<(a|button)\b([^>]*)>(.*?)</\1>", html, flags=re.S):
        attrs, text = tag.group(2), tag.group(3)
        href = re.search(r'href="(/reports/\d+/)"', attrs)
        if not href and 'class="linklike"' not in attrs:
            continue
        label = re.search(r'aria-label="([^"]*)"', attrs)
        links.append((label.group(1) if label else re.sub(r"<[^>]+>", "", text).strip(), attrs))
    return links


def test_report_links_say_which_report(report_a):
    import datetime as dt
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    client = client_for("a.reporter")
    client.post(f"/reports/{report_a.pk}/values/DOSSIERS_TOTAL/", {"value": "50.000"})
    entry = {"data_set": report_a.data_set, "org_unit": report_a.org_unit, "period": report_a.period}
    items = [
        SimpleNamespace(**entry, report=report_a, deadline=dt.date(2025, 11, 10), days_left=-3, days_late=3),
        SimpleNamespace(**entry, report=None, deadline=dt.date(2025, 11, 10), days_left=2, days_late=0),
    ]
    with translation.override("vi"):
        page = render_to_string("reporting/_expected_list.html", {"items": items, "title": "", "testid": "x"})
    links = _report_links(page)
    assert len(links) == 2
    for name, _attrs in links:
        assert name == f"{report_a.data_set.name_vi} — {report_a.org_unit.name_vi} — {report_a.period.label}"
    audit = client.get("/reports/audit/").content.decode()
    names = [name for name, attrs in _report_links(audit) if "audit-report" in attrs]
    assert names and names[0].startswith(f"Mở báo cáo của {report_a.org_unit.name_vi}, ")


def test_completeness_links_to_the_units_reports(report_a, client_a):
    html = client_a.get("/reports/completeness/", {"period": "202510", "data_set": "BC_TINH_MONTHLY"}).content.decode()
    units = html[html.index('data-testid="completeness-units"') :]
    assert f'<a href="/reports/{report_a.pk}/">{report_a.org_unit.name_vi}</a>' in units


def test_completeness_period_is_chosen_with_the_shared_picker(client_a):
    html = client_a.get("/reports/completeness/", {"data_set": "BC_TINH_MONTHLY", "period": "202510"}).content.decode()
    picker = html[html.index('<select id="period"') :].split("</select>")[0]
    assert '<option value="202510" selected>' in picker and "<optgroup" in picker and "Quý" not in picker


def test_periods_are_picked_from_a_list_not_typed(client_a, monkeypatch):
    """Opening a report, the Excel template and export and the audit filter offer the periods in a
    list; opening a report preselects the last month that has ended (issue 20)."""
    import datetime as dt

    from giamsat.reporting import excel_views, views

    monkeypatch.setattr(views, "today", lambda: dt.date(2026, 12, 7))
    monkeypatch.setattr(excel_views, "today", lambda: dt.date(2026, 12, 7))
    home = client_a.get("/reports/").content.decode()
    picker = home[home.index('id="pick-period"') : home.index("</select>", home.index('id="pick-period"'))]
    assert '<option value="202611" selected>' in picker and 'value="202612"' in picker
    excel = client_a.get("/reports/excel/").content.decode()
    for field in ("tpl-period", "tpl-end", "exp-period", "exp-end"):
        assert f'<select id="{field}"' in excel
    assert "Kỳ gần nhất đã kết thúc" in excel
    audit = client_a.get("/reports/audit/", {"period": "202510"}).content.decode()
    assert '<select id="audit-period" name="period">' in audit and '<option value="202510" selected>' in audit
