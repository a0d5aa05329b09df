"""Alert pages and API: scoped lists, actions, filters, rule configuration with a preview."""

import datetime as dt

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.alerts.models import Alert, AlertRule
from giamsat.alerts.services import rules_scan
from giamsat.catalog.models import DataSet

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def alerts(late_rule):
    rules_scan(rules=[late_rule], today=TODAY)
    return Alert.objects.filter(rule=late_rule)


def test_a_provincial_user_sees_only_its_provinces_alerts(alerts):
    page = client_for("a.reporter").get("/alerts/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('data-testid="alert-row"') == 1
    assert "Hà Nội" in body and "Tuyên Quang" not in body
    ministry = client_for("ministry.leader").get("/alerts/?state=OPEN&kind=REPORT_LATE")
    assert ministry.content.decode().count('data-testid="alert-row"') == 34
    api = client_for("a.reporter").get("/api/v1/alerts")
    assert api.status_code == 200 and api.json()["count"] == 1
    assert api.json()["results"][0]["orgUnit"] == "P01"


def test_the_list_speaks_vietnamese_and_bad_filters_get_a_message(alerts):
    body = client_for("ministry.leader").get("/alerts/?kind=NOPE&period=2026-13&severity=x").content.decode()
    assert "Không có loại cảnh báo" in body or "NOPE" in body
    assert 'data-testid="alert-row"' in body  # the other filters still apply
    assert "not submitted" not in body  # the summaries are translated
    assert client_for("ministry.leader").get("/api/v1/alerts?kind=NOPE").status_code == 400


def test_bulk_acknowledge_acts_only_on_alerts_in_scope(alerts):
    hanoi = alerts.get(org_unit__code="P01")
    other = alerts.get(org_unit__code="P08")
    response = client_for("a.reporter").post("/alerts/acknowledge/", {"alert": [hanoi.pk, other.pk]})
    assert response.status_code == 302
    hanoi.refresh_from_db()
    other.refresh_from_db()
    assert hanoi.state == "ACKNOWLEDGED" and other.state == "OPEN"


def test_the_alert_page_shows_evidence_history_and_actions(alerts):
    alert = alerts.get(org_unit__code="P01")
    client = client_for("a.reporter")
    body = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-testid="acknowledge"' in body and 'data-testid="alert-history"' in body
    client.post(f"/alerts/{alert.pk}/acknowledge/", {"comment": "Đang làm"})
    api = client.post(f"/api/v1/alerts/{alert.pk}/comments", {"comment": "Đã gửi"}, content_type="application/json")
    assert api.status_code == 200
    assert [e["action"] for e in api.json()["history"]] == ["OPENED", "ACKNOWLEDGED", "COMMENTED"]
    again = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge", {}, content_type="application/json")
    assert again.status_code == 409 and "error" in again.json() or "detail" in again.json()


def test_rules_are_configured_by_analysts_with_a_preview(alerts):
    assert client_for("a.reporter").get("/alerts/rules/").status_code == 403
    client = client_for("a.analyst")
    assert client.get("/alerts/rules/").status_code == 200
    data_set = DataSet.objects.get(code="BC_TINH_MONTHLY")
    form = {
        "code": "NEW_LATE",
        "name_vi": "Báo cáo tháng quá hạn (mới)",
        "kind": "REPORT_LATE",
        "severity": "CRITICAL",
        "enabled": "on",
        "data_set": data_set.pk,
        "params_text": '{"periods": 1}',
    }
    preview = client.post("/alerts/rules/new/", {**form, "preview": "1"}).content.decode()
    assert 'data-testid="rule-preview"' in preview
    assert not AlertRule.objects.filter(code="NEW_LATE").exists()
    bad = client.post("/alerts/rules/new/", {**form, "params_text": '{"z": 3'}).content.decode()
    assert "JSON" in bad and not AlertRule.objects.filter(code="NEW_LATE").exists()
    unknown = client.post("/alerts/rules/new/", {**form, "params_text": '{"zz": 3}'}).content.decode()
    assert "zz" in unknown
    assert client.post("/alerts/rules/new/", form).status_code == 302
    assert AlertRule.objects.get(code="NEW_LATE").params == {"periods": 1}


def test_an_analyst_changes_only_the_rules_of_their_domains(alerts):
    from giamsat.catalog.models import DataElement

    analyst = User.objects.get(username="phantich.vienthong")  # telecom and IT / digital transformation
    assert set(analyst.domains) == {"TELECOM", "IT_DX"}
    own = AlertRule.objects.create(
        code="T_OWN",
        name_vi="Số dự án",
        kind="CHANGE",
        data_element=DataElement.objects.filter(domain__code="IT_DX").first(),
    )
    other = AlertRule.objects.create(
        code="T_OTHER",
        name_vi="Báo chí",
        kind="CHANGE",
        data_element=DataElement.objects.exclude(domain__code__in=["TELECOM", "IT_DX"]).first(),
    )
    client = client_for("phantich.vienthong")
    assert client.get(f"/alerts/rules/{own.pk}/").status_code == 200
    assert client.get(f"/alerts/rules/{other.pk}/").status_code == 403
    listing = client.get("/alerts/rules/").content.decode()
    assert f"/alerts/rules/{own.pk}/" in listing and f"/alerts/rules/{other.pk}/" not in listing
    # A provincial data set spans every domain: its rules belong to analysts of all of them.
    assert client.get(f"/alerts/rules/{alerts.first().rule.pk}/").status_code == 403
    assert client_for("a.analyst").get(f"/alerts/rules/{alerts.first().rule.pk}/").status_code == 200
