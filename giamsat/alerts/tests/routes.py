"""Alert routes, for the shared scope tests: an alert belongs to its unit."""

import datetime as dt

from django.utils import timezone

from giamsat.alerts.models import Alert, AlertRule
from giamsat.catalog.models import DataSet
from giamsat.reporting.services import period_get
from giamsat.testing.scoping import RouteInventory, ScopedRoute


def alert_for(unit) -> Alert:
    """An open alert of the unit, as a scan leaves it (test scaffolding)."""
    rule, _created = AlertRule.objects.get_or_create(
        code="ROUTES_LATE",
        defaults={
            "name_vi": "Báo cáo tháng quá hạn",
            "kind": "REPORT_LATE",
            "data_set": DataSet.objects.get(code="BC_TINH_MONTHLY"),
        },
    )
    now = timezone.now()
    alert, _created = Alert.objects.get_or_create(
        rule=rule,
        org_unit=unit,
        period=period_get("202611"),
        subject="",
        defaults={
            "kind": rule.kind,
            "severity": "WARNING",
            "evidence": {"data_set": "BC_TINH_MONTHLY", "period": "202611", "deadline": "2026-12-05", "days_late": 2},
            "opened_at": now - dt.timedelta(days=2),
            "changed_at": now,
        },
    )
    return alert


def _alert_url(suffix: str = "", api: bool = False):
    def url(unit):
        alert = alert_for(unit)
        return f"/api/v1/alerts/{alert.pk}{suffix}" if api else f"/alerts/{alert.pk}/{suffix}"

    return url


def _silence_url(unit):
    from giamsat.accounts.models import User
    from giamsat.alerts.services import silence_create

    now = timezone.now()
    silence = silence_create(
        by=User.objects.get(username="admin"),
        starts_at=now,
        ends_at=now + dt.timedelta(days=1),
        reason="Bảo trì hệ thống",
        org_unit=unit,
    )
    return f"/alerts/silences/{silence.pk}/end/"


def _comment(unit):
    return {"comment": "Đã kiểm tra"}


ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("alert page", "/alerts/<int:pk>/", _alert_url()),
        ScopedRoute(
            "acknowledge an alert",
            "/alerts/<int:pk>/acknowledge/",
            _alert_url("acknowledge/"),
            method="POST",
            data=_comment,
            ok_status=frozenset({302}),
        ),
        ScopedRoute(
            "resolve an alert",
            "/alerts/<int:pk>/resolve/",
            _alert_url("resolve/"),
            method="POST",
            data=_comment,
            ok_status=frozenset({302}),
        ),
        ScopedRoute(
            "comment on an alert",
            "/alerts/<int:pk>/comments/",
            _alert_url("comments/"),
            method="POST",
            data=_comment,
            ok_status=frozenset({302}),
        ),
        ScopedRoute("api alert", "GET /api/v1/alerts/{alert_id}", _alert_url(api=True), api=True),
        ScopedRoute(
            "end a silence",
            "/alerts/silences/<int:pk>/end/",
            _silence_url,
            method="POST",
            ok_status=frozenset({302}),
            user="a.leader",
        ),
        ScopedRoute(
            "api acknowledge",
            "POST /api/v1/alerts/{alert_id}/acknowledge",
            _alert_url("/acknowledge", api=True),
            method="POST",
            data=_comment,
            api=True,
        ),
        ScopedRoute(
            "api resolve",
            "POST /api/v1/alerts/{alert_id}/resolve",
            _alert_url("/resolve", api=True),
            method="POST",
            data=_comment,
            api=True,
        ),
        ScopedRoute(
            "api comment",
            "POST /api/v1/alerts/{alert_id}/comments",
            _alert_url("/comments", api=True),
            method="POST",
            data=_comment,
            api=True,
        ),
    ),
    # Lists of many units' alerts, filtered by the user's view scope (test_views, test_api).
    listed=("/alerts/", "/alerts/acknowledge/", "/alerts/silences/", "GET /api/v1/alerts"),
    unscoped={
        "/alerts/rules/": "rule configuration: no unit data; the ministry's analysts only",
        "/alerts/rules/new/": "rule configuration: no unit data; the ministry's analysts only",
        "/alerts/rules/<int:pk>/": "rule configuration: no unit data; the ministry's analysts only",
    },
)
