"""Alert reads, always within the user's view scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Q, QuerySet, Value, When

from giamsat.accounts.models import User
from giamsat.accounts.selectors import scope_filter, user_scope
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue

from .choices import ACTIVE_STATES, SEVERITY_ORDER, AlertState, Severity
from .models import Alert, AlertEvent, Silence
from .registry import KINDS, kind_get


@dataclass
class AlertFilters:
    unit: str = ""  # a unit code: the unit and every unit below it
    kind: str = ""
    severity: str = ""
    state: str = "ACTIVE"  # ACTIVE (open or acknowledged), a state, or "" for all
    domain: str = ""
    period: str = ""

    @classmethod
    def from_query(cls, query) -> tuple[AlertFilters, list[str]]:
        """Filters from a query string; unknown values are dropped with a message, never a 500."""
        from django.utils.translation import gettext as _

        errors = []
        filters = cls(
            unit=(query.get("unit") or "").strip()[:60],
            kind=(query.get("kind") or "").strip().upper()[:40],
            severity=(query.get("severity") or "").strip().upper()[:10],
            state=(query.get("state", "ACTIVE") or "").strip().upper()[:14],
            domain=(query.get("domain") or "").strip().upper()[:40],
            period=(query.get("period") or "").strip()[:10],
        )
        if filters.kind and filters.kind not in KINDS:
            errors.append(_("Unknown alert kind “%(kind)s”.") % {"kind": filters.kind})
            filters.kind = ""
        if filters.severity and filters.severity not in Severity.values:
            errors.append(_("Unknown severity “%(severity)s”.") % {"severity": filters.severity})
            filters.severity = ""
        if filters.state not in ("", "ACTIVE", *AlertState.values):
            errors.append(_("Unknown state “%(state)s”.") % {"state": filters.state})
            filters.state = "ACTIVE"
        if filters.period:
            try:
                filters.period = PeriodValue.parse(filters.period).code
            except InvalidPeriod as exc:
                errors.append(str(exc))
                filters.period = ""
        return filters, errors


def alerts_visible(user: User) -> QuerySet[Alert]:
    return scope_filter(Alert.objects.all(), user, unit_field="org_unit")


def alerts_list(user: User, filters: AlertFilters) -> QuerySet[Alert]:
    rows = alerts_visible(user).select_related(
        "org_unit", "period", "rule", "rule__data_set", "rule__data_element", "rule__indicator"
    )
    if filters.unit:
        rows = rows.filter(Q(org_unit__code=filters.unit) | Q(org_unit__path__contains=f"/{filters.unit}/"))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.state == "ACTIVE":
        rows = rows.filter(state__in=ACTIVE_STATES)
    elif filters.state:
        rows = rows.filter(state=filters.state)
    if filters.domain:
        rows = rows.filter(
            Q(rule__data_set__members__data_element__domain__code=filters.domain)
            | Q(rule__data_element__domain__code=filters.domain)
            | Q(rule__indicator__domain__code=filters.domain)
        ).distinct()
    if filters.period:
        rows = rows.filter(period__code=filters.period)
    # Open first, then acknowledged, resolved last; the most severe first; the newest first.
    state_rank = Case(*(When(state=s, then=Value(i)) for i, s in enumerate(AlertState.values)), default=Value(9))
    severity_rank = Case(*(When(severity=s, then=Value(-n)) for s, n in SEVERITY_ORDER.items()), default=Value(0))
    return rows.annotate(state_rank=state_rank, severity_rank=severity_rank).order_by(
        "state_rank", "severity_rank", "-opened_at", "-pk"
    )


def alert_counts(user: User) -> dict[str, int]:
    """Active alerts by severity, for headers and overviews."""
    rows = alerts_visible(user).filter(state__in=ACTIVE_STATES).values("severity").annotate(n=Count("pk"))
    return {row["severity"]: row["n"] for row in rows}


def alert_history(alert: Alert) -> QuerySet[AlertEvent]:
    return alert.history.select_related("by")


def alert_summary(alert: Alert) -> str:
    kind = kind_get(alert.kind)
    return kind.describe(alert) if kind else alert.kind


def alert_links(alert: Alert) -> list[tuple[str, str]]:
    """Where the evidence lives: the report, the scorecard, the explanation."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    links = []
    evidence = alert.evidence or {}
    if evidence.get("report_id"):
        links.append((_("Open the report"), reverse("reporting:detail", args=[evidence["report_id"]])))
    if evidence.get("indicator"):
        links.append(
            (
                _("How was this computed?"),
                reverse("evaluation:explain", args=[evidence["indicator"], alert.org_unit.code, evidence["period"]]),
            )
        )
    links.append((_("Scorecard of the unit"), reverse("evaluation:unit_scorecard", args=[alert.org_unit.code])))
    return links


def silences_active(at=None) -> list[Silence]:
    from django.utils import timezone

    at = at or timezone.now()
    return list(Silence.objects.filter(starts_at__lte=at, ends_at__gt=at).select_related("org_unit"))


def alert_silenced(alert: Alert, at=None, silences: list[Silence] | None = None) -> Silence | None:
    """The active silence that covers the alert, if any: it tells nobody while silenced."""
    from django.utils import timezone

    at = at or timezone.now()
    for silence in silences if silences is not None else silences_active(at):
        if silence.matches(alert, at):
            return silence
    return None


def silences_visible(user: User) -> QuerySet[Silence]:
    """Silences the user may see: those over units in their scope, and the unit-less ones."""
    scope = user_scope(user)
    if scope.everything:
        return Silence.objects.select_related("org_unit", "rule", "created_by")
    return Silence.objects.filter(Q(org_unit__isnull=True) | scope.q("org_unit")).select_related(
        "org_unit", "rule", "created_by"
    )


def rule_domains(rule) -> set[str]:
    """The domains a rule watches: its element's or indicator's, or its data set's elements'
    (empty: every domain, a rule over all indicators)."""
    if rule.data_element_id:
        return {rule.data_element.domain.code}
    if rule.indicator_id:
        return {rule.indicator.domain.code}
    if rule.data_set_id:
        return {member.data_element.domain.code for member in rule.data_set.members.all()}
    return set()


def can_edit_rule(user: User, rule) -> bool:
    """Administrators, and the ministry's analysts of every domain the rule watches (an analyst
    without listed domains owns them all; a rule over every domain needs one of those)."""
    if user.is_superuser or user.role == "ADMIN":
        return True
    if user.role != "MINISTRY_ANALYST":
        return False
    if not user.domains:
        return True
    domains = rule_domains(rule)
    return bool(domains) and domains <= set(user.domains)
