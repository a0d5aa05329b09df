"""Alerts follow the changes as they happen: a changed value re-checks the value rules of its
unit and period; a report step re-checks the report rules (submitting resolves "late")."""

from giamsat.events.choices import EventKind
from giamsat.events.registry import subscribe

from .models import Alert
from .notify import alert_escalated_notify, alert_opened_notify
from .services import rules_scan

REPORT_STEPS = (
    EventKind.REPORT_OPENED,
    EventKind.REPORT_SUBMITTED,
    EventKind.REPORT_APPROVED,
    EventKind.REPORT_ACCEPTED,
    EventKind.REPORT_RETURNED,
    EventKind.REPORT_REOPENED,
)


@subscribe(EventKind.VALUES_CHANGED, name="alerts.values")
def values_rescan(events) -> None:
    pairs = {tuple(pair) for event in events for pair in event.payload.get("pairs", [])}
    if pairs:
        rules_scan(value_based=True, pairs=pairs)


@subscribe(*REPORT_STEPS, name="alerts.reports")
def reports_rescan(events) -> None:
    pairs = {(event.unit_id, event.period_id) for event in events if event.unit_id and event.period_id}
    if pairs:
        rules_scan(pairs=pairs)  # every kind, for these reports only: late resolves, validation speaks


@subscribe(EventKind.ALERT_OPENED, EventKind.ALERT_REOPENED, name="alerts.notify")
def alerts_notify(events) -> None:
    """Idempotent: each notification is keyed by the alert and how often it was reopened."""
    ids = {event.payload.get("alert") for event in events}
    for alert in Alert.objects.filter(pk__in=ids, state="OPEN").select_related("org_unit", "period", "rule"):
        alert_opened_notify(alert)


@subscribe(EventKind.ALERT_ESCALATED, name="alerts.escalation")
def alerts_escalation_notify(events) -> None:
    ids = {event.payload.get("alert") for event in events}
    for alert in Alert.objects.filter(pk__in=ids).select_related("org_unit", "org_unit__parent", "period", "rule"):
        alert_escalated_notify(alert)
