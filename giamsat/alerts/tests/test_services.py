"""Alert states from the scans: open, resolve when the condition clears, reopen, mute; and the
kinds at their boundaries."""

import datetime as dt

import pytest

from giamsat.accounts.models import User
from giamsat.alerts.choices import AlertAction, AlertState
from giamsat.alerts.models import Alert, AlertRule
from giamsat.alerts.services import AlertActionError, alert_acknowledge, alert_comment, alert_resolve, rules_scan
from giamsat.events.models import Event
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import period_get

from .conftest import put_report, put_values

pytestmark = pytest.mark.django_db
# November's monthly report is due on 5 December (deadline_days 5).
DEADLINE = dt.date(2026, 12, 5)


@pytest.fixture
def hanoi():
    return OrgUnit.objects.get(code="P01")


def test_a_report_is_late_the_day_after_its_deadline_not_on_it(late_rule, hanoi):
    rules_scan(rules=[late_rule], today=DEADLINE)
    assert not Alert.objects.filter(rule=late_rule, period__code="202611").exists()
    rules_scan(rules=[late_rule], today=DEADLINE + dt.timedelta(days=1))
    alert = Alert.objects.get(rule=late_rule, org_unit=hanoi, period__code="202611")
    assert alert.state == AlertState.OPEN and alert.evidence["days_late"] == 1
    assert Alert.objects.filter(rule=late_rule, period__code="202611").count() == 34  # every province
    assert Event.objects.filter(kind="ALERT_OPENED", unit_id=hanoi.pk).exists()


def test_submitting_a_late_report_resolves_its_alert_and_returning_it_reopens_it(late_rule, hanoi):
    today = DEADLINE + dt.timedelta(days=2)
    put_report("BC_TINH_MONTHLY", hanoi, "202611", "DRAFT")
    rules_scan(rules=[late_rule], today=today)
    alert = Alert.objects.get(rule=late_rule, org_unit=hanoi, period__code="202611")
    assert alert.evidence["report_status"] == "DRAFT"
    put_report("BC_TINH_MONTHLY", hanoi, "202611", "SUBMITTED")
    period = period_get("202611")
    summary = rules_scan(rules=[late_rule], today=today, pairs={(hanoi.pk, period.pk)})
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and summary.resolved == 1
    assert list(alert.history.values_list("action", flat=True)) == [AlertAction.OPENED, AlertAction.AUTO_RESOLVED]
    # Only Hà Nội was looked at: the other provinces' alerts stay open.
    assert Alert.objects.filter(rule=late_rule, state=AlertState.OPEN).count() == 33
    put_report("BC_TINH_MONTHLY", hanoi, "202611", "RETURNED")
    rules_scan(rules=[late_rule], today=today)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and alert.reopened == 1
    assert Alert.objects.filter(rule=late_rule, org_unit=hanoi).count() == 1  # one alert per key, ever


def test_scans_are_idempotent(late_rule):
    today = DEADLINE + dt.timedelta(days=3)
    first = rules_scan(rules=[late_rule], today=today)
    second = rules_scan(rules=[late_rule], today=today)
    assert first.opened == 34
    assert (second.opened, second.reopened, second.resolved) == (0, 0, 0)


HISTORY = {f"2025{m:02d}": 1000 + (m % 3) * 10 for m in range(1, 13)}  # median 1010, MAD 10


@pytest.mark.parametrize(
    ("value", "flagged"),
    [
        (10_000, True),  # ten times the usual
        (1010 + 3.5 * 10 * 1.4826, False),  # |z| exactly at the threshold (and not far): not flagged
        (1516, True),  # just over 50 % above the usual, far beyond the spread
        (1515, False),  # exactly 50 % above: not beyond the departure threshold
        (400, True),
    ],
)
def test_an_outlier_is_a_value_far_from_the_units_own_history(outlier_rule, hanoi, value, flagged):
    put_values("DOSSIERS_TOTAL", hanoi, {**HISTORY, "202601": value})
    rules_scan(rules=[outlier_rule], today=dt.date(2026, 2, 10))
    found = Alert.objects.filter(rule=outlier_rule, org_unit=hanoi, period__code="202601")
    assert found.exists() is flagged
    if flagged:
        assert found.get().evidence["value"] == pytest.approx(value)


@pytest.mark.parametrize(("value", "flagged"), [(1500, False), (1501, True), (500, False), (499, True)])
def test_a_change_beyond_the_threshold_against_last_period(change_rule, hanoi, value, flagged):
    put_values("DOSSIERS_TOTAL", hanoi, {"202512": 1000, "202601": value})
    rules_scan(rules=[change_rule], today=dt.date(2026, 2, 10))
    assert Alert.objects.filter(rule=change_rule, org_unit=hanoi, period__code="202601").exists() is flagged


def test_a_missing_report_mutes_the_value_alerts_of_the_same_unit_and_period(late_rule, outlier_rule, hanoi):
    put_values("DOSSIERS_TOTAL", hanoi, {**HISTORY, "202601": 10_000})
    summary = rules_scan(rules=[outlier_rule, late_rule], today=dt.date(2026, 2, 10))
    assert Alert.objects.filter(rule=late_rule, org_unit=hanoi, period__code="202601", state="OPEN").exists()
    assert not Alert.objects.filter(rule=outlier_rule, org_unit=hanoi).exists()
    assert summary.opened == 34
    # The report arrives: the late alert resolves and the outlier speaks.
    put_report("BC_TINH_MONTHLY", hanoi, "202601", "SUBMITTED")
    rules_scan(rules=[outlier_rule, late_rule], today=dt.date(2026, 2, 10))
    assert Alert.objects.get(rule=outlier_rule, org_unit=hanoi).state == AlertState.OPEN


def test_acknowledge_resolve_and_comment_keep_a_history(late_rule, hanoi):
    rules_scan(rules=[late_rule], today=DEADLINE + dt.timedelta(days=1))
    alert = Alert.objects.get(rule=late_rule, org_unit=hanoi)
    reporter = User.objects.get(username="a.reporter")
    alert_acknowledge(alert=alert, by=reporter, comment="Đang hoàn thiện")
    with pytest.raises(AlertActionError):
        alert_acknowledge(alert=alert, by=reporter)
    alert_comment(alert=alert, by=reporter, text="Sẽ gửi trong ngày")
    with pytest.raises(AlertActionError):
        alert_comment(alert=alert, by=reporter, text="   ")
    alert_resolve(alert=alert, by=reporter, comment="Đã gửi")
    assert list(alert.history.values_list("action", "by__username")) == [
        ("OPENED", None),
        ("ACKNOWLEDGED", "a.reporter"),
        ("COMMENTED", "a.reporter"),
        ("RESOLVED", "a.reporter"),
    ]


def test_nobody_acts_on_another_provinces_alert(late_rule):
    rules_scan(rules=[late_rule], today=DEADLINE + dt.timedelta(days=1))
    other = Alert.objects.get(rule=late_rule, org_unit__code="P08")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=other, by=User.objects.get(username="a.reporter"))


@pytest.mark.parametrize(("value", "flagged"), [(1350, False), (1351, True), (650, False), (649, True)])
def test_the_z_threshold_alone_at_its_boundary(outlier_rule, hanoi, value, flagged):
    # A flat history of 1,000: the spread is a tenth of it (100), so 1,350 is z = 3.5 exactly.
    outlier_rule.params = {"periods": 1, "departure": 0}
    outlier_rule.save()
    put_values("DOSSIERS_TOTAL", hanoi, {**dict.fromkeys(HISTORY, 1000), "202601": value})
    rules_scan(rules=[outlier_rule], today=dt.date(2026, 2, 10))
    assert Alert.objects.filter(rule=outlier_rule, org_unit=hanoi).exists() is flagged


def test_a_leader_silences_the_alerts_of_their_units_only(late_rule, hanoi):
    from django.utils import timezone

    from giamsat.alerts.selectors import alert_silenced
    from giamsat.alerts.services import silence_create, silence_end

    rules_scan(rules=[late_rule], today=DEADLINE + dt.timedelta(days=1))
    leader = User.objects.get(username="a.leader")
    now = timezone.now()
    with pytest.raises(AlertActionError):
        silence_create(by=leader, starts_at=now, ends_at=now + dt.timedelta(days=1), reason="x", org_unit=None)
    with pytest.raises(AlertActionError):
        silence_create(
            by=leader,
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
            reason="x",
            org_unit=OrgUnit.objects.get(code="P08"),
        )
    with pytest.raises(AlertActionError):
        silence_create(by=User.objects.get(username="a.reporter"), starts_at=now, ends_at=now, reason="x")
    silence = silence_create(
        by=leader,
        starts_at=now,
        ends_at=now + dt.timedelta(days=1),
        reason="Mất điện",
        kind="REPORT_LATE",
        org_unit=hanoi,
    )
    assert alert_silenced(Alert.objects.get(rule=late_rule, org_unit=hanoi)) == silence
    assert alert_silenced(Alert.objects.get(rule=late_rule, org_unit__code="P08")) is None
    silence_end(silence=silence, by=leader)
    assert alert_silenced(Alert.objects.get(rule=late_rule, org_unit=hanoi)) is None


def test_the_demo_leaves_alerts_in_every_state_with_a_history(late_rule):
    from giamsat.alerts.demo import demo_alerts_load

    rules_scan(rules=[late_rule], today=DEADLINE + dt.timedelta(days=1))
    done = demo_alerts_load()
    assert done["acknowledged"] == 1  # Hà Nội's one late report
    hanoi = Alert.objects.get(rule=late_rule, org_unit__code="P01")
    assert hanoi.state == AlertState.ACKNOWLEDGED
    assert list(hanoi.history.values_list("action", "by__username")) == [
        ("OPENED", None),
        ("ACKNOWLEDGED", "hanoi.baocao"),
        ("COMMENTED", "hanoi.lanhdao"),
    ]
    assert demo_alerts_load() == {"acknowledged": 0, "resolved": 0}  # once


def test_a_broken_validation_rule_in_a_submitted_report_is_alerted_until_corrected(hanoi):
    from giamsat.catalog.models import DataSet

    rule = AlertRule.objects.create(
        code="T_VALID",
        name_vi="Vi phạm quy tắc kiểm tra",
        kind="VALIDATION",
        data_set=DataSet.objects.get(code="BC_TINH_QUARTERLY"),
        params={"periods": 1},
    )
    today = dt.date(2026, 11, 20)  # 2026Q3 is due on 10/10 (deadline_days 10)
    put_values("HH_FIBER", hanoi, {"2026Q3": 120})
    put_values("HH_TOTAL", hanoi, {"2026Q3": 100})
    put_report("BC_TINH_QUARTERLY", hanoi, "2026Q3", "DRAFT")
    rules_scan(rules=[rule], today=today)
    assert not Alert.objects.filter(rule=rule).exists()  # a draft is the reporter's business
    put_report("BC_TINH_QUARTERLY", hanoi, "2026Q3", "SUBMITTED")
    rules_scan(rules=[rule], today=today)
    alert = Alert.objects.get(rule=rule, org_unit=hanoi)
    assert alert.subject.startswith("validation:") and alert.evidence["left"] == 120
    assert "Validation rule" not in alert_summary_vi(alert)
    put_values("HH_FIBER", hanoi, {"2026Q3": 90})
    rules_scan(rules=[rule], today=today)
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED


def alert_summary_vi(alert) -> str:
    from django.utils import translation

    from giamsat.alerts.selectors import alert_summary

    with translation.override("vi"):
        return alert_summary(alert)


@pytest.mark.parametrize(("last", "stale"), [("202609", False), ("202608", True)])
def test_a_figure_not_updated_for_n_periods_is_stale(hanoi, last, stale):
    from giamsat.catalog.models import DataElement

    rule = AlertRule.objects.create(
        code="T_STALE",
        name_vi="Chưa cập nhật",
        kind="STALE",
        data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
        params={"periods": 3},
    )
    put_values("DOSSIERS_TOTAL", hanoi, {"202606": 1000, last: 1000})
    rules_scan(rules=[rule], today=dt.date(2026, 12, 7))  # the last 3 months: Sep, Oct, Nov
    assert Alert.objects.filter(rule=rule, org_unit=hanoi).exists() is stale


@pytest.mark.parametrize(("value", "flagged"), [(10, True), (40, False), (51, False)])
def test_a_value_far_from_its_peers_in_the_same_period(value, flagged):
    from giamsat.catalog.models import DataElement

    rule = AlertRule.objects.create(
        code="T_PEERS",
        name_vi="Tỷ lệ số hóa khác xa các tỉnh",
        kind="PEER_OUTLIER",
        data_element=DataElement.objects.get(code="DOSSIERS_DIGITISED_RATE"),
        params={"periods": 1, "departure": 50},
    )
    provinces = list(OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("code")[:10])
    for unit, rate in zip(provinces, [value, 50, 51, 49, 50, 52, 48, 50, 51, 49], strict=True):
        put_values("DOSSIERS_DIGITISED_RATE", unit, {"202611": rate})
    rules_scan(rules=[rule], today=dt.date(2026, 12, 7))
    found = Alert.objects.filter(rule=rule, org_unit=provinces[0])
    assert found.exists() is flagged
    assert Alert.objects.filter(rule=rule).count() == int(flagged)  # the peers are not the outliers
    if flagged:
        assert found.get().evidence["peers"] == 10 and found.get().evidence["peer_median"] == 50


def test_an_alert_resolved_by_hand_stays_resolved_while_its_condition_lasts(late_rule, hanoi):
    today = DEADLINE + dt.timedelta(days=1)
    rules_scan(rules=[late_rule], today=today)
    alert = Alert.objects.get(rule=late_rule, org_unit=hanoi)
    alert_resolve(alert=alert, by=User.objects.get(username="a.leader"), comment="Đã làm việc với Sở")
    rules_scan(rules=[late_rule], today=today)  # still late: the leader's judgement holds
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by.username == "a.leader"
    put_report("BC_TINH_MONTHLY", hanoi, "202611", "SUBMITTED")
    rules_scan(rules=[late_rule], today=today)  # the condition clears
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by is None
    put_report("BC_TINH_MONTHLY", hanoi, "202611", "RETURNED")
    rules_scan(rules=[late_rule], today=today)  # and returns: the alert reopens
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and alert.reopened == 1
