"""The alerts' part of `make run`'s demo: after the first scan, people have worked on some of
them — Hà Nội acknowledged and discussed its alerts, the ministry resolved a few with a note —
so the pages show alerts in every state with a history, through the real services."""

from __future__ import annotations

from django.db import transaction

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
