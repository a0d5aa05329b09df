"""The alerts' part of `make run`'s demo: after the first scan, people have worked on some of
them — Hà Nội acknowledged and discussed its alerts, the ministry resolved a few with a note —
so the pages show alerts in every state with a history, through the real services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from giamsat.accounts.models import User

from .choices import AlertState
from .models import Alert
from .services import alert_acknowledge, alert_comment, alert_resolve

NOTES = [
    ("hanoi.baocao", "ack", "Đã tiếp nhận, đang rà soát số liệu với các sở, ngành."),
    ("hanoi.lanhdao", "comment", "Đề nghị hoàn thành rà soát trước ngày 15 và báo cáo lại."),
]


@transaction.atomic
def demo_alerts_load() -> dict[str, int]:
    """Idempotent: acts only on alerts still open, and only if no person has acted yet."""
    if Alert.objects.filter(history__by__isnull=False).exists():
        return {"acknowledged": 0, "resolved": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["hanoi.baocao", "hanoi.lanhdao", "lanhdao.bo"])}
    done = {"acknowledged": 0, "resolved": 0}
    hanoi = list(
        Alert.objects.filter(org_unit__code="P01", state=AlertState.OPEN).select_related("org_unit").order_by("pk")[:3]
    )
    if "hanoi.baocao" in users:
        for alert in hanoi:
            alert_acknowledge(alert=alert, by=users["hanoi.baocao"], comment=NOTES[0][2])
            done["acknowledged"] += 1
            if "hanoi.lanhdao" in users:
                alert_comment(alert=alert, by=users["hanoi.lanhdao"], text=NOTES[1][2])
    leader = users.get("lanhdao.bo")
    if leader:
        for alert in (
            Alert.objects.filter(kind="TARGET_OFF_TRACK", state=AlertState.OPEN, period__period_type="YEARLY")
            .exclude(org_unit__code="P01")
            .select_related("org_unit")
            .order_by("pk")[:3]
        ):
            alert_resolve(
                alert=alert,
                by=leader,
                comment="Đã làm việc với địa phương; chỉ tiêu năm 2025 được đánh giá lại trong báo cáo tổng kết.",
            )
            done["resolved"] += 1
    return done


# Provinces late with last month's report send it on the demo's first morning, each with one
# figure typed with an extra zero: the mistake the unusual-value rules are there to catch.
TYPOS = ("DOSSIERS_TOTAL", "GRDP")
LATE_REASON = "Sở Nội vụ chậm cung cấp số liệu hồ sơ thủ tục hành chính của tháng."


def demo_late_reports_submit(*, data_set_code: str = "BC_TINH_MONTHLY", on: dt.date | None = None) -> dict[str, int]:
    """The demo's first morning, through the real write path: the first provinces (by code)
    whose last month's report is still a draft, with a history of the figures, complete it
    from their previous month's figures and submit it late with a reason, each with one
    figure ten times too high (`TYPOS`).
    The domain events are then delivered as the worker would (results refreshed, the late
    alerts resolved, the unusual figure alerted). Idempotent: once a demo late report was
    sent, does nothing."""
    from giamsat.alerts.engine.outliers import MIN_HISTORY
    from giamsat.catalog.models import DataSet
    from giamsat.core.periods import Period as PeriodValue
    from giamsat.events.services import events_dispatch
    from giamsat.reporting.choices import Channel, ReportStatus
    from giamsat.reporting.demo import system_user
    from giamsat.reporting.models import DataValue, Report
    from giamsat.reporting.services import ReportStateError, ValueInput, data_values_write, period_get, report_submit

    data_set = DataSet.objects.filter(code=data_set_code).first()
    if data_set is None:
        return {"submitted": 0}
    month = PeriodValue.containing(data_set.period_type, on or timezone.localdate()).previous()
    if Report.objects.filter(data_set=data_set, period__code=month.code, events__late_reason=LATE_REASON).exists():
        return {"submitted": 0}
    by = system_user()
    period, previous = period_get(month), period_get(month.previous())
    # Senders with a history to judge the figure against (a province formed by the merger on
    # 01/07/2025 has none before it in the 2025 demo history).
    drafts = [
        report
        for report in Report.objects.filter(data_set=data_set, period=period, status=ReportStatus.DRAFT)
        .select_related("org_unit")
        .order_by("org_unit__code")
        if DataValue.objects.filter(
            org_unit=report.org_unit, data_element__code__in=TYPOS, period__end_date__lt=period.start_date
        ).count()
        >= len(TYPOS) * MIN_HISTORY
    ][: len(TYPOS)]
    elements = [m.data_element for m in data_set.members.select_related("data_element")]
    submitted = 0
    for number, report in enumerate(drafts):
        before = {
            v.data_element_id: v.value
            for v in DataValue.objects.filter(org_unit=report.org_unit, period=previous, data_element__in=elements)
        }
        now = {
            v.data_element_id
            for v in DataValue.objects.filter(org_unit=report.org_unit, period=period, data_element__in=elements)
        }
        inputs = []
        for element in elements:
            value = before.get(element.pk)
            if value is None or (element.pk in now and element.code != TYPOS[number]):
                continue
            if element.code == TYPOS[number]:
                value = value * 10
            inputs.append(ValueInput(data_element=element, org_unit=report.org_unit, period=period, value=value))
        if not data_values_write(inputs=inputs, by=by, channel=Channel.FORM).ok:
            continue
        try:
            report_submit(report=report, by=by, late_reason=LATE_REASON)
        except ReportStateError:
            continue
        submitted += 1
    events_dispatch()
    return {"submitted": submitted}


def demo_digest_send() -> dict[str, int]:
    """The demo's first morning: the alerts' notifications handed out now (the worker would do
    it within seconds) and today's daily digests made and sent (e-mail to the console under
    `make run`), so lanhdao.bo's digest of critical alerts can be read at once."""
    from django.utils import timezone

    from giamsat.events.services import events_dispatch
    from giamsat.notifications.choices import DigestFrequency
    from giamsat.notifications.services import deliveries_send_due, digests_make

    events_dispatch(only=["alerts.notify"])
    made = digests_make(frequency=DigestFrequency.DAILY, day=timezone.localdate())
    return {"digests": made, "sent": deliveries_send_due()}
