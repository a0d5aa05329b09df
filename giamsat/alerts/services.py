"""Alert writes: scans turned into states (open, reopen, resolve when the condition clears),
and the people's actions (acknowledge, resolve, comment). Every change is in the alert's
history and, for what others must hear about, a domain event in the same transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.accounts.models import User
from giamsat.accounts.selectors import ensure_can_view
from giamsat.events.choices import EventKind
from giamsat.events.services import event_record

from .choices import ACTIVE_STATES, AlertAction, AlertState
from .kinds import MISSING_REPORT_KINDS
from .models import Alert, AlertEvent, AlertRule, Silence
from .registry import Scan, ScanScope, kind_get

log = logging.getLogger(__name__)


class AlertActionError(ValueError):
    """An action that does not apply to the alert's state (a clear message for the user)."""


@dataclass
class SyncSummary:
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: SyncSummary) -> None:
        self.opened += other.opened
        self.reopened += other.reopened
        self.resolved += other.resolved
        self.updated += other.updated
        self.errors += other.errors


SYNCED_FIELDS = [
    "state",
    "resolved_at",
    "resolved_by",
    "acknowledged_at",
    "acknowledged_by",
    "reopened",
    "severity",
    "evidence",
    "changed_at",
]


def _flap_window() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "ALERTS_FLAP_MINUTES", 60))


@transaction.atomic
def alerts_sync(rule: AlertRule, scan: Scan, *, now: dt.datetime | None = None) -> SyncSummary:
    """Make the rule's alerts say what the scan found: new findings open an alert, findings of
    a resolved alert reopen it, active alerts the scan looked at and did not find resolve. A
    missing report mutes the value kinds for the same unit and period. Idempotent."""
    now = now or timezone.now()
    kind = kind_get(rule.kind)
    summary = SyncSummary()
    findings = {f.key: f for f in scan.findings}
    if kind is not None and kind.muted_by_missing_report and findings:
        muted = set(
            Alert.objects.filter(
                kind__in=MISSING_REPORT_KINDS,
                state__in=ACTIVE_STATES,
                org_unit_id__in={f.unit_id for f in findings.values()},
                period_id__in={f.period_id for f in findings.values()},
            ).values_list("org_unit_id", "period_id")
        )
        findings = {k: f for k, f in findings.items() if (f.unit_id, f.period_id) not in muted}
    existing = Alert.objects.filter(rule=rule)
    if scan.covered is not None:
        existing = existing.filter(org_unit_id__in={u for u, _p in scan.covered} | {k[0] for k in findings})
    by_key = {(a.org_unit_id, a.period_id, a.subject): a for a in existing}

    new, changed, history, events = [], [], [], []
    for key, finding in findings.items():
        severity = finding.severity or rule.severity
        alert = by_key.get(key)
        if alert is None:
            new.append(
                Alert(
                    rule=rule,
                    kind=rule.kind,
                    org_unit_id=finding.unit_id,
                    period_id=finding.period_id,
                    subject=finding.subject,
                    severity=severity,
                    state=AlertState.OPEN,
                    evidence=finding.evidence,
                    opened_at=now,
                    changed_at=now,
                )
            )
        elif alert.state == AlertState.RESOLVED and alert.resolved_by_id is not None:
            continue  # a person resolved it while the condition lasted: their judgement holds
        elif alert.state == AlertState.RESOLVED:
            # Back within the flap window: reopened, but nobody is told again.
            flapping = alert.resolved_at is not None and now - alert.resolved_at < _flap_window()
            alert.state, alert.resolved_at, alert.acknowledged_at, alert.acknowledged_by = (
                AlertState.OPEN,
                None,
                None,
                None,
            )
            alert.reopened += 1
            alert.severity, alert.evidence, alert.changed_at = severity, finding.evidence, now
            changed.append(alert)
            history.append(AlertEvent(alert=alert, action=AlertAction.REOPENED, at=now))
            if not flapping:
                events.append((EventKind.ALERT_REOPENED, alert))
            summary.reopened += 1
        elif alert.evidence != finding.evidence or alert.severity != severity:
            alert.severity, alert.evidence, alert.changed_at = severity, finding.evidence, now
            changed.append(alert)
            summary.updated += 1
    for key, alert in by_key.items():
        if alert.state == AlertState.RESOLVED and alert.resolved_by_id is not None and key not in findings:
            if scan.covered is None or (alert.org_unit_id, alert.period_id) in scan.covered:
                alert.resolved_by = None  # the condition cleared: should it return, the alert reopens
                changed.append(alert)
            continue
        if key in findings or alert.state == AlertState.RESOLVED:
            continue
        if scan.covered is not None and (alert.org_unit_id, alert.period_id) not in scan.covered:
            continue
        alert.state, alert.resolved_at, alert.changed_at = AlertState.RESOLVED, now, now
        changed.append(alert)
        history.append(AlertEvent(alert=alert, action=AlertAction.AUTO_RESOLVED, at=now))
        events.append((EventKind.ALERT_RESOLVED, alert))
        summary.resolved += 1

    created = Alert.objects.bulk_create(new, batch_size=500)
    summary.opened = len(created)
    history += [AlertEvent(alert=alert, action=AlertAction.OPENED, at=now) for alert in created]
    events += [(EventKind.ALERT_OPENED, alert) for alert in created]
    if changed:
        Alert.objects.bulk_update(changed, SYNCED_FIELDS, batch_size=500)
    AlertEvent.objects.bulk_create(history, batch_size=1000)
    for event_kind, alert in events:
        _event(event_kind, alert, by=None)
    return summary


def _event(kind: str, alert: Alert, *, by: User | None) -> None:
    event_record(
        kind=kind,
        unit=alert.org_unit_id,
        period=alert.period_id,
        subject=("alert", alert.pk),
        by=by,
        payload={"alert": alert.pk, "rule": alert.rule_id, "kind": alert.kind, "severity": alert.severity},
    )


def rules_scan(
    *,
    rules: Iterable[AlertRule] | None = None,
    pairs: set[tuple[int, int]] | None = None,
    today: dt.date | None = None,
    time_based: bool | None = None,
    value_based: bool | None = None,
) -> SyncSummary:
    """Scan enabled rules (all, or those given; only the time-based or value-based kinds when
    asked) over everything they cover, or over the (unit, period) pairs a change touched."""
    today = today or timezone.localdate()
    chosen = list(rules) if rules is not None else list(AlertRule.objects.filter(enabled=True))
    # Missing reports first: they mute the value kinds of the same unit and period. The rules
    # of an element next to each other: they share its values, read once (the scan's cache).
    chosen.sort(key=lambda r: (r.kind not in MISSING_REPORT_KINDS, r.data_element_id or 0, r.pk or 0))
    cache: dict = {
        "elements": {
            r.data_element_id for r in chosen if r.data_element_id and getattr(kind_get(r.kind), "value_based", False)
        }
    }
    summary = SyncSummary()
    for rule in chosen:
        kind = kind_get(rule.kind)
        if kind is None or not rule.enabled:
            continue
        if time_based is not None and kind.time_based != time_based:
            continue
        if value_based is not None and kind.value_based != value_based:
            continue
        if kind.applies_to and getattr(rule, f"{kind.applies_to}_id") is None and kind.applies_to != "indicator":
            summary.errors.append(f"{rule.code}: {kind.applies_to} missing")
            continue
        try:
            summary.add(alerts_sync(rule, kind.scan(rule, ScanScope(today=today, pairs=pairs, cache=cache))))
        except Exception as exc:  # one broken rule must not stop the others' alerts
            log.exception("alert rule %s failed", rule.code)
            summary.errors.append(f"{rule.code}: {exc}")
    return summary


def rule_preview(rule: AlertRule, *, today: dt.date | None = None) -> int:
    """How many alerts the rule would raise now (nothing is written)."""
    kind = kind_get(rule.kind)
    if kind is None:
        return 0
    return len(kind.scan(rule, ScanScope(today=today or timezone.localdate())).findings)


# --- what people do ----------------------------------------------------------------------------


def _act(alert: Alert, by: User, action: str, comment: str = "") -> None:
    AlertEvent.objects.create(alert=alert, action=action, by=by, at=timezone.now(), comment=comment)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, by: User, comment: str = "") -> Alert:
    """Someone has seen it and works on it: escalation stops."""
    ensure_can_view(by, alert.org_unit)
    if alert.state != AlertState.OPEN:
        raise AlertActionError(_("Only an open alert can be acknowledged."))
    alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED, timezone.now(), by
    alert.changed_at = alert.acknowledged_at
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "changed_at"])
    _act(alert, by, AlertAction.ACKNOWLEDGED, comment)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, by: User, comment: str = "") -> Alert:
    """Closed by hand: it stays closed while the same condition lasts; if the condition clears
    and later returns, the alert reopens."""
    ensure_can_view(by, alert.org_unit)
    if alert.state == AlertState.RESOLVED:
        raise AlertActionError(_("The alert is already resolved."))
    alert.state, alert.resolved_at, alert.resolved_by = AlertState.RESOLVED, timezone.now(), by
    alert.changed_at = alert.resolved_at
    alert.save(update_fields=["state", "resolved_at", "resolved_by", "changed_at"])
    _act(alert, by, AlertAction.RESOLVED, comment)
    _event(EventKind.ALERT_RESOLVED, alert, by=by)
    return alert


@transaction.atomic
def alert_comment(*, alert: Alert, by: User, text: str) -> AlertEvent:
    ensure_can_view(by, alert.org_unit)
    text = (text or "").strip()
    if not text:
        raise AlertActionError(_("Write a comment first."))
    if len(text) > 4000:
        raise AlertActionError(_("A comment has at most 4,000 characters."))
    event = AlertEvent.objects.create(alert=alert, action=AlertAction.COMMENTED, by=by, at=timezone.now(), comment=text)
    return event


def alerts_acknowledge_many(*, alerts: Iterable[Alert], by: User, comment: str = "") -> int:
    """Bulk acknowledge from the list: the open ones in the user's scope; returns how many."""
    done = 0
    for alert in alerts:
        if alert.state == AlertState.OPEN:
            alert_acknowledge(alert=alert, by=by, comment=comment)
            done += 1
    return done


# --- silences ------------------------------------------------------------------------------------

SILENCERS = {"MINISTRY_LEADER", "PROVINCE_LEADER", "ADMIN"}
MAX_SILENCE_DAYS = 90


def silence_create(
    *,
    by: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    kind: str = "",
    rule: AlertRule | None = None,
    org_unit=None,
    severity: str = "",
) -> Silence:
    """A leader silences matching alerts for a while; within their own units only (a
    provincial leader must name a unit of theirs)."""
    from giamsat.accounts.selectors import user_scope

    if not (by.is_superuser or by.role in SILENCERS):
        raise AlertActionError(_("Only leaders silence alerts."))
    scope = user_scope(by)
    if org_unit is None and not scope.everything and by.role != "MINISTRY_LEADER":
        raise AlertActionError(_("Choose one of your units: you may silence only their alerts."))
    if org_unit is not None and not scope.contains(org_unit):
        raise AlertActionError(_("This unit is outside your scope."))
    if ends_at <= starts_at:
        raise AlertActionError(_("The end must come after the start."))
    if ends_at - starts_at > dt.timedelta(days=MAX_SILENCE_DAYS):
        raise AlertActionError(_("A silence lasts at most %(days)s days.") % {"days": MAX_SILENCE_DAYS})
    if not (reason or "").strip():
        raise AlertActionError(_("Say why the alerts are silenced."))
    return Silence.objects.create(
        kind=kind,
        rule=rule,
        org_unit=org_unit,
        severity=severity,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        created_by=by,
    )


def silence_end(*, silence: Silence, by: User) -> Silence:
    from giamsat.accounts.selectors import user_scope

    if not (by.is_superuser or by.role in SILENCERS) or (
        silence.org_unit_id and not user_scope(by).contains(silence.org_unit)
    ):
        raise AlertActionError(_("Only leaders end the silences of their units."))
    now = timezone.now()
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at)
        silence.save(update_fields=["ends_at"])
    return silence


# --- escalation ----------------------------------------------------------------------------------


@transaction.atomic
def alerts_escalate(*, today: dt.date | None = None) -> int:
    """Open alerts nobody acknowledged within their rule's working days go one level up (and
    again after as many more days); a silenced alert waits. Returns how many were escalated."""
    from giamsat.core.workdays import working_days_between

    from .selectors import alert_silenced, silences_active

    today = today or timezone.localdate()
    now = timezone.now()
    silences = silences_active(now)
    escalated = 0
    candidates = Alert.objects.filter(state=AlertState.OPEN, rule__escalate_after_days__isnull=False).select_related(
        "rule", "org_unit"
    )
    for alert in candidates.select_for_update(of=("self",)) if _supports_for_update() else candidates:
        days = alert.rule.escalate_after_days
        waited = working_days_between(timezone.localtime(alert.opened_at).date(), today)
        if not days or waited < days * (alert.escalation_level + 1):
            continue
        if alert_silenced(alert, now, silences):
            continue
        alert.escalation_level += 1
        alert.changed_at = now
        alert.save(update_fields=["escalation_level", "changed_at"])
        AlertEvent.objects.create(
            alert=alert,
            action=AlertAction.ESCALATED,
            at=now,
            comment=_("Not acknowledged after %(days)s working days.") % {"days": waited},
        )
        _event(EventKind.ALERT_ESCALATED, alert, by=None)
        escalated += 1
    return escalated


def _supports_for_update() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_of
