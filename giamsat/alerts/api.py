"""Alerts in the API: the list (filters as the page, paged), one alert, and the actions."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from giamsat.accounts.selectors import ensure_can_view

from . import selectors, services
from .models import Alert

router = Router(tags=["alerts"])
MAX_PAGE = 500
MAX_OFFSET = 1_000_000_000


class AlertOut(Schema):
    id: int
    kind: str
    rule: str
    severity: str
    state: str
    orgUnit: str
    orgUnitName: str
    period: str
    subject: str
    summary: str
    evidence: dict
    opened: str
    acknowledged: str | None
    resolved: str | None
    reopened: int
    escalationLevel: int


class AlertEventOut(Schema):
    action: str
    by: str | None
    at: str
    comment: str


class AlertDetailOut(AlertOut):
    history: list[AlertEventOut]


class AlertPage(Schema):
    count: int
    results: list[AlertOut]


class AlertQuery(Schema):
    unit: str = Field("", description="A unit code: the unit and every unit below it.")
    kind: str = Field("", description="REPORT_LATE, REPORT_MISSING, TARGET_OFF_TRACK, OUTLIER, CHANGE, …")
    severity: str = Field("", description="INFO, WARNING or CRITICAL.")
    state: str = Field("ACTIVE", description="ACTIVE (open or acknowledged), OPEN, ACKNOWLEDGED, RESOLVED or empty.")
    domain: str = ""
    period: str = Field("", description="202611, 2026Q3 or 2026.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CommentIn(Schema):
    comment: str = ""


def _out(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "rule": alert.rule.code,
        "severity": alert.severity,
        "state": alert.state,
        "orgUnit": alert.org_unit.code,
        "orgUnitName": alert.org_unit.name,
        "period": alert.period.code,
        "subject": alert.subject,
        "summary": selectors.alert_summary(alert),
        "evidence": alert.evidence,
        "opened": alert.opened_at.isoformat(),
        "acknowledged": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "resolved": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "reopened": alert.reopened,
        "escalationLevel": alert.escalation_level,
    }


def _get(request, alert_id: int) -> Alert:
    alert = (
        Alert.objects.select_related("org_unit", "period", "rule", "rule__data_set", "rule__data_element")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404(_("No alert has this identifier."))
    ensure_can_view(request.user, alert.org_unit)
    return alert


def _detail(alert: Alert) -> dict:
    history = [
        {"action": e.action, "by": e.by.username if e.by else None, "at": e.at.isoformat(), "comment": e.comment}
        for e in selectors.alert_history(alert)
    ]
    return {**_out(alert), "history": history}


@router.get("/alerts", response=AlertPage, summary="Alerts in the caller's scope (filters as the alerts page)")
def alert_list(request, filters: Query[AlertQuery]):
    parsed, errors = selectors.AlertFilters.from_query(filters.dict())
    if errors:
        raise HttpError(400, " ".join(errors))
    rows = selectors.alerts_list(request.user, parsed)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "results": [_out(a) for a in page]}


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="One alert with its evidence and history")
def alert_get(request, alert_id: int):
    return _detail(_get(request, alert_id))


def _action(request, alert_id: int, act) -> dict:
    alert = _get(request, alert_id)
    try:
        act(alert)
    except services.AlertActionError as exc:
        raise HttpError(409, str(exc)) from None
    alert.refresh_from_db()
    return _detail(alert)


@router.post("/alerts/{alert_id}/acknowledge", response=AlertDetailOut, summary="Acknowledge an open alert")
def alert_acknowledge(request, alert_id: int, body: CommentIn | None = None):
    comment = body.comment if body else ""
    return _action(request, alert_id, lambda a: services.alert_acknowledge(alert=a, by=request.user, comment=comment))


@router.post("/alerts/{alert_id}/resolve", response=AlertDetailOut, summary="Resolve an alert by hand")
def alert_resolve(request, alert_id: int, body: CommentIn | None = None):
    comment = body.comment if body else ""
    return _action(request, alert_id, lambda a: services.alert_resolve(alert=a, by=request.user, comment=comment))


@router.post("/alerts/{alert_id}/comments", response=AlertDetailOut, summary="Comment on an alert")
def alert_comment(request, alert_id: int, body: CommentIn):
    return _action(request, alert_id, lambda a: services.alert_comment(alert=a, by=request.user, text=body.comment))
