"""Writes for reporting: one service writes data values for every channel (form, Excel, API,
import), with permissions, approval locks, type and range checks and an audit row per change;
and the report workflow (submit, approve, accept, return), each step recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.accounts.choices import Role
from giamsat.accounts.models import User
from giamsat.accounts.selectors import ScopeDenied, ensure_can_capture, ensure_can_view, user_scope
from giamsat.catalog.models import DataElement, DataSet
from giamsat.core.periods import Period as PeriodValue
from giamsat.events.choices import EventKind
from giamsat.events.services import event_record
from giamsat.orgunits.models import OrgUnit

from . import checks
from .choices import EDITABLE_STATUSES, AuditAction, ReportAction, ReportStatus
from .models import DataValue, DataValueAudit, NoFigureMark, Period, Report, ReportEvent
from .validation import report_rule_violations
from .values import ValueRejected, parse_value


class ReportStateError(ValueError):
    """A workflow step that does not apply to the report as it stands; the message says why."""


# --- periods -----------------------------------------------------------------------------


def period_get(code: str | PeriodValue) -> Period:
    """The stored period for an identifier (created on first use); InvalidPeriod if unreadable."""
    value = code if isinstance(code, PeriodValue) else PeriodValue.parse(code)
    period, _created = Period.objects.get_or_create(
        code=value.code,
        defaults={"period_type": value.type, "start_date": value.start, "end_date": value.end},
    )
    return period


def periods_get(values: Iterable[PeriodValue]) -> dict[str, Period]:
    """Stored periods for many identifiers in two queries."""
    wanted = {v.code: v for v in values}
    existing = {p.code: p for p in Period.objects.filter(code__in=wanted)}
    missing = [
        Period(code=v.code, period_type=v.type, start_date=v.start, end_date=v.end)
        for code, v in wanted.items()
        if code not in existing
    ]
    if missing:
        Period.objects.bulk_create(missing, ignore_conflicts=True)
        existing.update({p.code: p for p in Period.objects.filter(code__in=[m.code for m in missing])})
    return existing


# --- values ------------------------------------------------------------------------------


@dataclass
class ValueInput:
    """One value to write, as received from any channel. `row` locates it for error messages."""

    data_element: DataElement
    org_unit: OrgUnit
    period: Period
    value: object = None
    comment: str | None = None
    row: int | None = None
    # A conditional write: the stored value's updated_at (ISO) as the sender last saw it, "" if
    # there was none; None writes unconditionally.
    expected_version: str | None = None


@dataclass
class ValueProblem:
    row: int | None
    data_element: str
    org_unit: str
    period: str
    value: str
    reason: str
    stale: bool = False  # refused because it changed since the sender read it


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    problems: list[ValueProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _covers(inputs: list[ValueInput]) -> list[checks.Cover]:
    """What may be written and what is locked for each input's unit and period (checks.WriteCoverage)."""
    coverage = checks.WriteCoverage()
    coverage.prepare(paths={i.org_unit.path for i in inputs}, periods={i.period.pk for i in inputs})
    return [
        coverage.cover(
            unit_pk=i.org_unit.pk,
            unit_type=i.org_unit.type,
            unit_path=i.org_unit.path,
            period_pk=i.period.pk,
            period_type=i.period.period_type,
            start=i.period.start_date,
            end=i.period.end_date,
        )
        for i in inputs
    ]


def _stored_values(inputs: list[ValueInput]) -> dict[tuple[int, int, int], tuple[Decimal | None, str]]:
    """(value, comment) stored for the inputs' keys, in one query."""
    rows = DataValue.objects.filter(
        org_unit_id__in={i.org_unit.pk for i in inputs},
        period_id__in={i.period.pk for i in inputs},
        data_element_id__in={i.data_element.pk for i in inputs},
    ).values_list("data_element_id", "org_unit_id", "period_id", "value", "comment")
    return {(e, u, p): (value, comment) for e, u, p, value, comment in rows}


def _stored_versions(inputs: list[ValueInput]) -> dict[tuple[int, int, int], tuple]:
    """(updated_at, value, user id, user name) of the stored values a conditional write names."""
    if not inputs:
        return {}
    rows = DataValue.objects.filter(
        org_unit_id__in={i.org_unit.pk for i in inputs},
        period_id__in={i.period.pk for i in inputs},
        data_element_id__in={i.data_element.pk for i in inputs},
    ).values_list(
        "data_element_id",
        "org_unit_id",
        "period_id",
        "updated_at",
        "value",
        "updated_by_id",
        "updated_by__full_name",
        "updated_by__username",
    )
    return {(e, u, p): (at, value, who, name or login or "") for e, u, p, at, value, who, name, login in rows}


@transaction.atomic
def data_values_write(
    *,
    inputs: list[ValueInput],
    by: User,
    channel: str,
    valid_only: bool = False,
    decimal_separator: str | None = None,
    at: dt.datetime | None = None,
) -> WriteResult:
    """Write values through every check; nothing is saved while any problem remains, unless
    `valid_only` asks to keep the valid ones. A value equal to the stored one is not rewritten
    and not audited. An empty value with no comment deletes the stored one. `at` backdates the
    change (loading history); by default it is now."""
    result = WriteResult()
    # A module's channel writes the figures it computes, on the unit's behalf (the module
    # decided who may change what it counts): no data-entry scope, data set or report applies.
    computed = channel in checks.COMPUTED_FIGURES
    capture = user_scope(by, "CAPTURE")
    covers = _covers(inputs) if inputs and not computed else [checks.Cover(frozenset(), {})] * len(inputs)
    locked = any(c.locks for c in covers)
    stored = _stored_values(inputs) if locked else {}
    versions = _stored_versions([i for i in inputs if i.expected_version is not None])
    accepted: list[tuple[ValueInput, Decimal | None]] = []
    seen: set[tuple[int, int, int]] = set()
    for item, cover in zip(inputs, covers, strict=True):
        key = (item.data_element.pk, item.org_unit.pk, item.period.pk)
        parsed = None
        stale = False
        element, unit, period = item.data_element, item.org_unit, item.period
        reason = checks.placement_refusal(
            in_scope=computed or capture.contains(unit),
            unit_from=unit.valid_from,
            unit_to=unit.valid_to,
            period_start=period.start_date,
            period_end=period.end_date,
            period_type=period.period_type,
            period_code=period.code,
            element_period_type=element.period_type,
            element_period_label=element.get_period_type_display(),
            duplicate=key in seen,
        )
        if reason is None and computed:
            reason = checks.computed_refusal(channel=channel, element_code=element.code, unit_type=unit.type)
        elif reason is None and element.pk not in cover.allowed:
            reason = checks.computed_by_module_refusal(element_code=element.code) or checks.not_covered_refusal(
                period_code=period.code
            )
        if reason is None:
            try:
                parsed = parse_value(
                    item.value,
                    value_type=element.value_type,
                    min_value=element.min_value,
                    max_value=element.max_value,
                    decimal_separator=decimal_separator,
                )
            except ValueRejected as exc:
                reason = str(exc)
            else:
                lock = cover.locks.get(element.pk)
                if lock is not None:
                    reason = checks.locked_change_refusal(
                        value=parsed, comment=item.comment, stored=stored.get(key), lock=lock
                    )
                stored_at, stored_value, stored_by_id, stored_by = versions.get(key, (None, None, None, ""))
                # Overwriting one's own newer write is no conflict (two quick autosaves of one form).
                if reason is None and item.expected_version is not None and stored_by_id != by.pk:
                    reason = checks.stale_refusal(
                        expected=item.expected_version,
                        stored_at=stored_at,
                        stored_value=stored_value,
                        stored_by=stored_by,
                    )
                    stale = reason is not None
        seen.add(key)
        if reason:
            result.problems.append(
                ValueProblem(
                    row=item.row,
                    data_element=item.data_element.code,
                    org_unit=item.org_unit.code,
                    period=item.period.code,
                    value="" if item.value is None else str(item.value)[:60],
                    reason=reason,
                    stale=stale,
                )
            )
        else:
            accepted.append((item, parsed))
    if result.problems and not valid_only:
        return result
    _apply(accepted, by=by, channel=channel, result=result, now=at or timezone.now())
    return result


def _apply(
    accepted: list[tuple[ValueInput, Decimal | None]], *, by: User, channel: str, result: WriteResult, now: dt.datetime
) -> None:
    if not accepted:
        return
    existing = {
        (v.data_element_id, v.org_unit_id, v.period_id): v
        for v in DataValue.objects.filter(
            org_unit_id__in={i.org_unit.pk for i, _v in accepted},
            period_id__in={i.period.pk for i, _v in accepted},
            data_element_id__in={i.data_element.pk for i, _v in accepted},
        )
    }
    creates, updates, deletes, audits = [], [], [], []
    for item, value in accepted:
        key = (item.data_element.pk, item.org_unit.pk, item.period.pk)
        current = existing.get(key)
        comment = item.comment if item.comment is not None else (current.comment if current else "")
        comment = (comment or "")[:500]
        audit = {
            "data_element_id": key[0],
            "org_unit_id": key[1],
            "period_id": key[2],
            "changed_by": by,
            "changed_at": now,
            "channel": channel,
        }
        if current is None:
            if value is None and not comment:
                result.unchanged += 1
                continue
            creates.append(
                DataValue(
                    data_element_id=key[0],
                    org_unit_id=key[1],
                    period_id=key[2],
                    value=value,
                    comment=comment,
                    updated_by=by,
                    updated_at=now,
                    channel=channel,
                )
            )
            audits.append(DataValueAudit(action=AuditAction.CREATE, new_value=value, new_comment=comment, **audit))
            result.created += 1
        elif value is None and not comment:
            deletes.append(current.pk)
            audits.append(
                DataValueAudit(action=AuditAction.DELETE, old_value=current.value, old_comment=current.comment, **audit)
            )
            result.deleted += 1
        elif current.value == value and current.comment == comment:
            result.unchanged += 1
        else:
            audits.append(
                DataValueAudit(
                    action=AuditAction.UPDATE,
                    old_value=current.value,
                    new_value=value,
                    old_comment=current.comment,
                    new_comment=comment,
                    **audit,
                )
            )
            current.value, current.comment, current.updated_by, current.updated_at = value, comment, by, now
            current.channel = channel
            updates.append(current)
            result.updated += 1
    DataValue.objects.bulk_create(creates, batch_size=1000)
    DataValue.objects.bulk_update(updates, ["value", "comment", "updated_by", "updated_at", "channel"], batch_size=1000)
    DataValue.objects.filter(pk__in=deletes).delete()
    DataValueAudit.objects.bulk_create(audits, batch_size=1000)
    values_changed_record([(a.org_unit_id, a.period_id) for a in audits], by=by, channel=channel)


REVIEWER_ROLES = frozenset({Role.PROVINCE_LEADER, Role.MINISTRY_LEADER, Role.MINISTRY_ANALYST, Role.ADMIN})


def ensure_can_flag(user: User, unit: OrgUnit) -> None:
    """Follow-up flags are the reviewers' (leaders, the ministry's analysts), never the reporter's
    own marks on their figures."""
    ensure_can_view(user, unit)
    if not (user.is_superuser or user.role in REVIEWER_ROLES):
        raise ScopeDenied(_("Only a reviewer (a leader or the ministry's analyst) can flag a figure for follow-up."))


def data_value_set_follow_up(*, value: DataValue, follow_up: bool, by: User) -> DataValue:
    """Mark a value for follow-up (a reviewer's flag; not a change of the figure)."""
    ensure_can_flag(by, value.org_unit)
    value.follow_up = follow_up
    value.save(update_fields=["follow_up"])
    return value


# --- reports -----------------------------------------------------------------------------


def report_deadline(data_set: DataSet, period: Period) -> dt.date:
    """The deadline rule: so many days after the period ends (5 → day 5 of the next month)."""
    return period.end_date + dt.timedelta(days=data_set.deadline_days)


def values_changed_record(pairs: Iterable[tuple[int, int]], *, by: User | None, channel: str) -> None:
    """Record that figures changed for these (unit id, period id) pairs, in the caller's
    transaction: the evaluation (and later the alerts) pick it up after commit."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    units = {u for u, _p in pairs}
    periods = {p for _u, p in pairs}
    event_record(
        kind=EventKind.VALUES_CHANGED,
        unit=next(iter(units)) if len(units) == 1 else None,
        period=next(iter(periods)) if len(periods) == 1 else None,
        by=by,
        payload={"pairs": [list(pair) for pair in pairs], "channel": channel},
    )


REPORT_STEP_EVENTS = {
    ReportAction.CREATE: EventKind.REPORT_OPENED,
    ReportAction.REOPEN: EventKind.REPORT_REOPENED,
    ReportAction.SUBMIT: EventKind.REPORT_SUBMITTED,
    ReportAction.APPROVE: EventKind.REPORT_APPROVED,
    ReportAction.ACCEPT: EventKind.REPORT_ACCEPTED,
    ReportAction.RETURN: EventKind.REPORT_RETURNED,
}


def _log(
    report: Report,
    *,
    action: str,
    from_status: str,
    by: User | None,
    comment: str = "",
    at=None,
    late_reason: str = "",
) -> None:
    """A step of the report's workflow: its history row, and the domain event others hook onto."""
    at = at or timezone.now()
    ReportEvent.objects.create(
        report=report,
        action=action,
        from_status=from_status,
        to_status=report.status,
        by=by,
        at=at,
        comment=comment,
        late_reason=late_reason,
    )
    event_record(
        kind=REPORT_STEP_EVENTS[action],
        unit=report.org_unit_id,
        period=report.period_id,
        subject=report,
        by=by,
        at=at,
        payload={
            "data_set": report.data_set_id,
            "action": action,
            "from_status": from_status,
            "to_status": report.status,
            "comment": comment,
        },
    )


@transaction.atomic
def report_open(*, data_set: DataSet, org_unit: OrgUnit, period: Period, by: User) -> Report:
    """The report of a unit for a period, created as a draft on first opening."""
    from giamsat.catalog.selectors import data_set_assigned_to

    ensure_can_capture(by, org_unit)
    if period.period_type != data_set.period_type:
        raise ReportStateError(
            _("This data set is reported for %(type)s periods.") % {"type": data_set.get_period_type_display().lower()}
        )
    if not data_set_assigned_to(data_set, org_unit, on=period.end_date):
        raise ReportStateError(_("This unit does not report this data set for that period."))
    report, created = Report.objects.get_or_create(
        data_set=data_set,
        org_unit=org_unit,
        period=period,
        defaults={
            "deadline": report_deadline(data_set, period),
            "created_at": timezone.now(),
            "updated_at": timezone.now(),
        },
    )
    if created:
        _log(report, action=ReportAction.CREATE, from_status="", by=by)
    return report


def _set_status(
    report: Report, status: str, *, by: User, action: str, comment: str = "", late_reason: str = ""
) -> Report:
    previous = report.status
    report.status = status
    report.updated_at = timezone.now()
    report.save()
    _log(report, action=action, from_status=previous, by=by, comment=comment, late_reason=late_reason)
    return report


def report_is_late_now(report: Report, *, now: dt.datetime | None = None) -> bool:
    """Would submitting now be a late first submission (after the deadline, local date)? A report
    returned and sent again keeps the timeliness of its first submission."""
    if report.submitted_at is not None:
        return False
    return timezone.localtime(now or timezone.now()).date() > report.deadline


@transaction.atomic
def report_submit(*, report: Report, by: User, comment: str = "", late_reason: str = "") -> Report:
    """Submit a draft (or a returned report); its values are frozen until it is returned.

    Refused while a required figure is empty and not marked "no figure" (the message names
    them), and, after the deadline, without a reason for the delay (kept in the history)."""
    from .selectors import report_fill

    ensure_can_capture(by, report.org_unit)
    report = Report.objects.select_for_update().select_related("data_set").get(pk=report.pk)
    if report.status not in EDITABLE_STATUSES:
        raise ReportStateError(_("Only a draft or a returned report can be submitted."))
    blocking = [v for v in report_rule_violations(report) if v.blocking]
    if blocking:
        raise ReportStateError(
            _("Fix these before submitting: %(list)s") % {"list": "; ".join(v.message for v in blocking)}
        )
    fill = report_fill(report)
    if fill.missing:
        raise ReportStateError(
            _(
                "The report cannot be submitted yet: %(count)s required figures are empty: %(list)s. "
                "Enter them, or mark a figure “no figure” and say why."
            )
            % {"count": len(fill.missing), "list": "; ".join(e.name for e in fill.missing)}
        )
    now = timezone.now()
    late_reason = (late_reason or "").strip()[:1000]
    if report_is_late_now(report, now=now):
        if not late_reason:
            raise ReportStateError(
                _("The deadline was %(deadline)s: say why the report is submitted late.")
                % {"deadline": report.deadline.strftime("%d/%m/%Y")}
            )
    else:
        late_reason = ""
    # Timeliness counts the first submission: a report returned and sent again stays on time.
    report.submitted_at = report.submitted_at or now
    next_status = ReportStatus.SUBMITTED
    return _set_status(report, next_status, by=by, action=ReportAction.SUBMIT, comment=comment, late_reason=late_reason)


def _ensure_can_mark(report: Report, data_element: DataElement, by: User) -> Report:
    ensure_can_capture(by, report.org_unit)
    report = Report.objects.select_for_update().select_related("data_set").get(pk=report.pk)
    if report.status not in EDITABLE_STATUSES:
        raise ReportStateError(_("This report is not open for editing."))
    if not report.data_set.members.filter(data_element=data_element).exists():
        raise ReportStateError(_("This figure is not part of the report."))
    return report


def _mark_event(report: Report, *, action: str, by: User, comment: str, at: dt.datetime) -> None:
    """A "no figure" mark in the report's history (not a workflow step: the status stays)."""
    ReportEvent.objects.create(
        report=report, action=action, from_status="", to_status=report.status, by=by, at=at, comment=comment
    )


@transaction.atomic
def report_no_figure_mark(*, report: Report, data_element: DataElement, reason: str, by: User) -> NoFigureMark:
    """The unit has no figure for a (required) figure of its report, and says why: the report
    can then be submitted without it. Kept with who and when, and in the report's history."""
    report = _ensure_can_mark(report, data_element, by)
    reason = (reason or "").strip()[:1000]
    if not reason:
        raise ReportStateError(_("Say why there is no figure, so the reviewer knows."))
    has_value = DataValue.objects.filter(
        data_element=data_element, org_unit_id=report.org_unit_id, period_id=report.period_id, value__isnull=False
    ).exists()
    if has_value:
        raise ReportStateError(_("This figure has a value: clear it before marking it “no figure”."))
    now = timezone.now()
    mark, _created = NoFigureMark.objects.update_or_create(
        report=report, data_element=data_element, defaults={"reason": reason, "by": by, "at": now}
    )
    _mark_event(report, action=ReportAction.MARK, by=by, comment=f"{data_element.name}: {reason}", at=now)
    return mark


@transaction.atomic
def report_no_figure_unmark(*, report: Report, data_element: DataElement, by: User) -> None:
    """Take a "no figure" mark off (the figure is required again); recorded in the history."""
    report = _ensure_can_mark(report, data_element, by)
    deleted, _rows = NoFigureMark.objects.filter(report=report, data_element=data_element).delete()
    if deleted:
        _mark_event(report, action=ReportAction.UNMARK, by=by, comment=data_element.name, at=timezone.now())


def ensure_can_approve(user: User, report: Report) -> None:
    """A leader of the unit (its data-entry scope, leader role) approves before it goes up."""
    if user.role not in {Role.PROVINCE_LEADER, Role.ADMIN} and not user.is_superuser:
        raise ScopeDenied(_("Only a leader of the unit can approve its reports."))
    ensure_can_capture(user, report.org_unit)


def ensure_can_accept(user: User, report: Report) -> None:
    """The ministry's analyst of the report's domain (or a ministry leader) accepts it."""
    if user.is_superuser or user.role == Role.ADMIN:
        return
    domain = report.data_set.domain.code if report.data_set.domain_id else None
    owns_domain = user.role == Role.MINISTRY_LEADER or (
        user.role == Role.MINISTRY_ANALYST and (domain is None or not user.domains or domain in user.domains)
    )
    if owns_domain and user_scope(user).contains(report.org_unit):
        return
    raise ScopeDenied(_("Only the ministry's analysts of this domain can accept or return this report."))


@transaction.atomic
def report_approve(*, report: Report, by: User, comment: str = "") -> Report:
    """Approve at the next level; with two levels the second approver must be someone else."""
    ensure_can_approve(by, report)
    report = Report.objects.select_for_update().select_related("data_set").get(pk=report.pk)
    levels = report.data_set.approval_levels
    if levels == 0:
        raise ReportStateError(_("This data set has no approval step: it goes straight to the ministry."))
    if settings.REPORT_APPROVER_NOT_SUBMITTER and report.status in {ReportStatus.SUBMITTED, ReportStatus.APPROVED_1}:
        submitted = report.events.filter(action=ReportAction.SUBMIT).order_by("-at", "-pk").first()
        if submitted and submitted.by_id == by.pk:
            raise ReportStateError(_("You submitted this report, so another leader must approve it."))
    if report.status == ReportStatus.SUBMITTED:
        next_status = ReportStatus.APPROVED if levels == 1 else ReportStatus.APPROVED_1
    elif report.status == ReportStatus.APPROVED_1:
        first = report.events.filter(action=ReportAction.APPROVE).order_by("-at").first()
        if first and first.by_id == by.pk:
            raise ReportStateError(_("The second approval must come from another leader."))
        next_status = ReportStatus.APPROVED
    else:
        raise ReportStateError(_("Only a submitted report can be approved."))
    if next_status == ReportStatus.APPROVED:
        report.approved_at = timezone.now()
    return _set_status(report, next_status, by=by, action=ReportAction.APPROVE, comment=comment)


@transaction.atomic
def report_accept(*, report: Report, by: User, comment: str = "") -> Report:
    """The ministry accepts an approved report (or a submitted one when there is no approval step)."""
    ensure_can_accept(by, report)
    report = Report.objects.select_for_update().select_related("data_set").get(pk=report.pk)
    ready = ReportStatus.SUBMITTED if report.data_set.approval_levels == 0 else ReportStatus.APPROVED
    if report.status != ready:
        raise ReportStateError(_("Only an approved report can be accepted."))
    report.accepted_at = timezone.now()
    return _set_status(report, ReportStatus.ACCEPTED, by=by, action=ReportAction.ACCEPT, comment=comment)


@transaction.atomic
def report_return(*, report: Report, by: User, reason: str) -> Report:
    """Send a report back to its unit with a reason; this reopens its values for editing."""
    reason = (reason or "").strip()
    if not reason:
        raise ReportStateError(_("Say why the report is returned, so the unit knows what to fix."))
    report = Report.objects.select_for_update().select_related("data_set", "org_unit").get(pk=report.pk)
    if report.status in {ReportStatus.SUBMITTED, ReportStatus.APPROVED_1} and report.data_set.approval_levels:
        ensure_can_approve(by, report)
    elif report.status in {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}:
        ensure_can_accept(by, report)
    else:
        raise ReportStateError(_("Only a submitted, approved or accepted report can be returned."))
    report.approved_at = report.accepted_at = None
    return _set_status(report, ReportStatus.RETURNED, by=by, action=ReportAction.RETURN, comment=reason)
