"""Reads for reporting: the form's figures, a reporter's and a reviewer's lists, completeness."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.accounts.models import User
from giamsat.accounts.selectors import ensure_can_view, scope_filter, user_scope
from giamsat.catalog.models import DataElement, DataSet
from giamsat.catalog.selectors import FormSection, data_set_sections, data_set_units, data_set_units_by_date
from giamsat.core.dates import InvalidDate, parse_date, today
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from .choices import EDITABLE_STATUSES, Channel, ReportStatus
from .models import DataValue, DataValueAudit, NoFigureMark, Period, Report, ReportEvent

# A report counts as due soon this many days before its deadline (a quarter's report is
# filled during the last weeks of the quarter).
DUE_SOON_DAYS = 60
SUBMITTED_STATUSES = {ReportStatus.SUBMITTED, ReportStatus.APPROVED_1, ReportStatus.APPROVED, ReportStatus.ACCEPTED}


@dataclass
class FormField:
    member: object
    value: Decimal | None
    comment: str
    previous: Decimal | None
    changed: bool
    follow_up: bool = False
    version: str = ""  # the stored value's updated_at as the form saw it ("" for none): no silent overwrite
    mark: NoFigureMark | None = None  # the unit says it has no figure, and why


@dataclass
class FormSectionData:
    name: str
    fields: list[FormField]


def report_form(report: Report) -> list[FormSectionData]:
    """The report's sections with each figure, its comment and last period's value (3 queries)."""
    previous_code = report.period.value.previous().code
    values = {
        (v.data_element_id, v.period.code): v
        for v in DataValue.objects.filter(
            org_unit=report.org_unit, period__code__in=[report.period.code, previous_code]
        ).select_related("period")
    }
    marks = {m.data_element_id: m for m in report.no_figure_marks.select_related("by")}
    result = []
    section: FormSection
    for section in data_set_sections(report.data_set):
        fields = []
        for member in section.members:
            current = values.get((member.data_element_id, report.period.code))
            before = values.get((member.data_element_id, previous_code))
            value = current.value if current else None
            previous = before.value if before else None
            fields.append(
                FormField(
                    member=member,
                    value=value,
                    comment=current.comment if current else "",
                    previous=previous,
                    changed=value is not None and previous is not None and value != previous,
                    follow_up=bool(current and current.follow_up),
                    version=current.updated_at.isoformat() if current else "",
                    mark=marks.get(member.data_element_id),
                )
            )
        result.append(FormSectionData(section.name, fields))
    return result


@dataclass
class ReportFill:
    """How complete a report is: figures entered, marked "no figure", and the required ones
    still empty (which keep it from being submitted)."""

    total: int
    filled: int
    marked: int
    missing: list  # required, empty and not marked: elements in form order (report_fill) or ids

    @property
    def complete(self) -> bool:
        return not self.missing


def reports_fill(reports: list[Report]) -> dict[int, ReportFill]:
    """How complete many reports are (a review queue) in three queries: report id -> its fill,
    `missing` as element ids (report_fill gives the elements, in form order)."""
    from giamsat.catalog.models import DataSetElement

    from .models import NoFigureMark

    members: dict[int, dict[int, bool]] = defaultdict(dict)  # data set -> element -> required
    for data_set_id, element_id, compulsory in DataSetElement.objects.filter(
        data_set_id__in={r.data_set_id for r in reports}
    ).values_list("data_set_id", "data_element_id", "compulsory"):
        members[data_set_id][element_id] = compulsory
    values: dict[tuple[int, int], set[int]] = defaultdict(set)
    for unit_id, period_id, element_id in DataValue.objects.filter(
        org_unit_id__in={r.org_unit_id for r in reports},
        period_id__in={r.period_id for r in reports},
        value__isnull=False,
    ).values_list("org_unit_id", "period_id", "data_element_id"):
        values[(unit_id, period_id)].add(element_id)
    marks: dict[int, set[int]] = defaultdict(set)
    for report_id, element_id in NoFigureMark.objects.filter(report__in=reports).values_list(
        "report_id", "data_element_id"
    ):
        marks[report_id].add(element_id)
    fills = {}
    for report in reports:
        expected = members.get(report.data_set_id, {})
        filled = values[(report.org_unit_id, report.period_id)] & set(expected)
        marked = (marks[report.pk] & set(expected)) - filled
        missing = [e for e, required in expected.items() if required and e not in filled and e not in marked]
        fills[report.pk] = ReportFill(total=len(expected), filled=len(filled), marked=len(marked), missing=missing)
    return fills


def report_fill(report: Report) -> ReportFill:
    """The report's fill rate and its empty required figures, in form order (4 queries)."""
    fill = reports_fill([report])[report.pk]
    missing = set(fill.missing)
    members = report.data_set.members.select_related("data_element").order_by("section__sort_order", "sort_order")
    fill.missing = [m.data_element for m in members if m.data_element_id in missing]
    return fill


@dataclass
class BigChange:
    """A figure that moved beyond its element's threshold against last period."""

    element: DataElement
    value: Decimal
    previous: Decimal
    percent: Decimal | None  # None: from zero


def change_beyond(value: Decimal | None, previous: Decimal | None, threshold: Decimal | None) -> Decimal | None | bool:
    """The change in % when it goes beyond the threshold (True when from zero to a figure), else
    False; False too when either value is missing or the element has no threshold."""
    if value is None or previous is None or threshold is None or value == previous:
        return False
    if previous == 0:
        return True
    percent = (value - previous) / abs(previous) * 100
    return percent if abs(percent) > threshold else False


def report_big_changes(report: Report) -> list[BigChange]:
    """The report's figures that changed against last period beyond their element's threshold,
    for the reviewer (2 queries)."""
    previous_code = report.period.value.previous().code
    values: dict[tuple[int, str], Decimal] = {
        (element_id, code): value
        for element_id, code, value in DataValue.objects.filter(
            org_unit_id=report.org_unit_id,
            period__code__in=[report.period.code, previous_code],
            data_element__data_set_members__data_set_id=report.data_set_id,
            value__isnull=False,
        ).values_list("data_element_id", "period__code", "value")
    }
    changes = []
    for member in report.data_set.members.select_related("data_element").order_by("section__sort_order", "sort_order"):
        element = member.data_element
        value, previous = values.get((element.pk, report.period.code)), values.get((element.pk, previous_code))
        beyond = change_beyond(value, previous, element.change_threshold)
        if beyond is not False:
            percent = None if beyond is True else beyond.quantize(Decimal("0.1")).normalize()  # +499.900 %, -99,8 %
            changes.append(BigChange(element, value, previous, percent))
    return changes


def report_current_values(report: Report) -> dict[str, Decimal | None]:
    return dict(
        DataValue.objects.filter(org_unit=report.org_unit, period=report.period).values_list(
            "data_element__code", "value"
        )
    )


def report_history(report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("by").order_by("at", "pk")


def report_value_audit(report: Report, limit: int = 200) -> QuerySet[DataValueAudit]:
    elements = report.data_set.members.values("data_element_id")
    return (
        DataValueAudit.objects.filter(org_unit=report.org_unit, period=report.period, data_element_id__in=elements)
        .select_related("data_element", "changed_by")
        .order_by("-changed_at", "-pk")[:limit]
    )


def reports_visible(user: User) -> QuerySet[Report]:
    return scope_filter(
        Report.objects.select_related("data_set", "org_unit__parent", "period"),
        user,
        kind=ScopeKind.VIEW,
        unit_field="org_unit",
    )


@dataclass
class ExpectedReport:
    data_set: DataSet
    org_unit: OrgUnit
    period: PeriodValue
    deadline: dt.date
    report: Report | None = None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ReportStatus.DRAFT

    @property
    def days_left(self) -> int:
        return (self.deadline - today()).days

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass
class ReporterLists:
    due_soon: list[ExpectedReport] = field(default_factory=list)
    overdue: list[ExpectedReport] = field(default_factory=list)
    returned: list[Report] = field(default_factory=list)
    submitted: list[Report] = field(default_factory=list)


def reporter_lists(user: User, *, on: dt.date | None = None, lookback: int = 12) -> ReporterLists:
    """A reporter's home: reports due in the next weeks, overdue ones, returned and submitted."""
    on = on or today()
    lists = ReporterLists()
    capture = user_scope(user, ScopeKind.CAPTURE)
    if capture.is_empty:
        return lists
    units_in_scope = OrgUnit.objects.filter(capture.q())
    existing = {
        (r.data_set_id, r.org_unit_id, r.period.code): r
        for r in Report.objects.filter(org_unit__in=units_in_scope).select_related(
            "period", "data_set", "org_unit__parent"
        )
    }
    data_sets = list(DataSet.objects.all())
    # From the period under way (reporters fill it as it ends) back through the last year.
    periods: dict[int, list[PeriodValue]] = {}
    for data_set in data_sets:
        period = PeriodValue.containing(data_set.period_type, on)
        periods[data_set.pk] = []
        for _step in range(lookback + 1):
            periods[data_set.pk].append(period)
            period = period.previous()
    expected_units = data_set_units_by_date(
        data_sets, {pk: [p.end for p in ps] for pk, ps in periods.items()}, within=capture.q()
    )
    for data_set in data_sets:
        for period in periods[data_set.pk]:
            deadline = period.end + dt.timedelta(days=data_set.deadline_days)
            for unit in expected_units[(data_set.pk, period.end)]:
                report = existing.get((data_set.pk, unit.pk, period.code))
                if report and report.status not in EDITABLE_STATUSES:
                    continue
                expected = ExpectedReport(data_set, unit, period, deadline, report)
                if report and report.status == ReportStatus.RETURNED:
                    continue  # listed with the returned ones
                if deadline < on:
                    lists.overdue.append(expected)
                elif (deadline - on).days <= DUE_SOON_DAYS:
                    lists.due_soon.append(expected)
    lists.returned = [r for r in existing.values() if r.status == ReportStatus.RETURNED]
    lists.submitted = sorted(
        (r for r in existing.values() if r.status in SUBMITTED_STATUSES),
        key=lambda r: r.submitted_at or r.updated_at,
        reverse=True,
    )[:20]
    lists.due_soon.sort(key=lambda e: e.deadline)
    lists.overdue.sort(key=lambda e: e.deadline)
    return lists


def review_queue(user: User) -> QuerySet[Report]:
    """Reports waiting for this user: leaders approve their units', analysts accept their domains'."""
    reports = reports_visible(user)
    if user.role == Role.PROVINCE_LEADER:
        capture = user_scope(user, ScopeKind.CAPTURE)
        return reports.filter(
            capture.q("org_unit"), status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED_1]
        ).filter(data_set__approval_levels__gt=0)
    if user.role in {Role.MINISTRY_ANALYST, Role.MINISTRY_LEADER, Role.ADMIN} or user.is_superuser:
        ready = Q(status=ReportStatus.APPROVED) | Q(status=ReportStatus.SUBMITTED, data_set__approval_levels=0)
        reports = reports.filter(ready)
        if user.role == Role.MINISTRY_ANALYST and user.domains:
            reports = reports.filter(Q(data_set__domain__isnull=True) | Q(data_set__domain__code__in=user.domains))
        return reports
    return reports.none()


@dataclass
class CompletenessRow:
    data_set: DataSet
    period: Period | PeriodValue
    expected: int
    received: int
    on_time: int
    values_filled: int
    values_expected: int

    @property
    def report_rate(self) -> float | None:
        return 100 * self.received / self.expected if self.expected else None

    @property
    def timely_rate(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None

    @property
    def value_rate(self) -> float | None:
        return 100 * self.values_filled / self.values_expected if self.values_expected else None


def completeness(data_set: DataSet, period: PeriodValue, user: User) -> CompletenessRow:
    """Expected vs received reports, on time, and filled vs expected values, within the user's scope."""
    units = scope_filter(data_set_units(data_set, on=period.end), user, kind=ScopeKind.VIEW)
    unit_ids = list(units.values_list("pk", flat=True))
    reports = Report.objects.filter(data_set=data_set, period__code=period.code, org_unit_id__in=unit_ids)
    counts = reports.aggregate(
        received=Count("pk", filter=Q(status__in=SUBMITTED_STATUSES)),
    )
    on_time = sum(1 for r in reports.filter(status__in=SUBMITTED_STATUSES) if r.is_on_time)
    elements = data_set.members.values("data_element_id")
    filled = DataValue.objects.filter(
        org_unit_id__in=unit_ids, period__code=period.code, data_element_id__in=elements, value__isnull=False
    ).count()
    return CompletenessRow(
        data_set=data_set,
        period=period,
        expected=len(unit_ids),
        received=counts["received"],
        on_time=on_time,
        values_filled=filled,
        values_expected=len(unit_ids) * data_set.members.count(),
    )


@dataclass
class ReportsReceived:
    """A data set's reports for one period within a user's scope: expected, received, on time."""

    data_set: DataSet
    period: PeriodValue
    expected: int
    received: int
    on_time: int

    @property
    def deadline(self) -> dt.date:
        return self.period.end + dt.timedelta(days=self.data_set.deadline_days)

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.received)

    @property
    def late(self) -> int:
        """Reports not received although the deadline has passed (0 before the deadline)."""
        return self.missing if self.deadline < today() else 0


def reports_received(user: User, periods: dict[DataSet, PeriodValue]) -> list[ReportsReceived]:
    """`completeness`'s report counts for many data sets at once, each for its period, without
    the figures: four queries whatever their number (an overview's panel)."""
    if not periods:
        return []
    data_sets = list(periods)
    expected = data_set_units_by_date(
        data_sets, {d.pk: [p.end] for d, p in periods.items()}, within=user_scope(user, ScopeKind.VIEW).q()
    )
    wanted = Q(pk__in=[])
    units_of: dict[int, set[int]] = {}
    for data_set, period in periods.items():
        units_of[data_set.pk] = {u.pk for u in expected[(data_set.pk, period.end)]}
        wanted |= Q(data_set=data_set, period__code=period.code, org_unit_id__in=units_of[data_set.pk])
    received: dict[int, list[bool]] = defaultdict(list)
    for data_set_id, submitted_at, deadline in Report.objects.filter(wanted, status__in=SUBMITTED_STATUSES).values_list(
        "data_set_id", "submitted_at", "deadline"
    ):
        received[data_set_id].append(submitted_at is not None and timezone.localtime(submitted_at).date() <= deadline)
    return [
        ReportsReceived(
            data_set=data_set,
            period=period,
            expected=len(units_of[data_set.pk]),
            received=len(received[data_set.pk]),
            on_time=sum(received[data_set.pk]),
        )
        for data_set, period in periods.items()
    ]


@dataclass
class UnitCompleteness:
    org_unit: OrgUnit
    report: Report | None
    filled: int
    expected: int

    @property
    def status_label(self) -> str:
        from django.utils.translation import gettext as _

        return self.report.get_status_display() if self.report else _("Not started")


def completeness_by_unit(data_set: DataSet, period: PeriodValue, user: User) -> list[UnitCompleteness]:
    """Each expected unit of a data set and period with its report and how many figures it filled."""
    units = list(
        scope_filter(data_set_units(data_set, on=period.end), user, kind=ScopeKind.VIEW)
        .select_related("parent")
        .order_by("official_code", "code")
    )
    reports = {
        r.org_unit_id: r
        for r in Report.objects.filter(data_set=data_set, period__code=period.code, org_unit__in=units).select_related(
            "period"
        )
    }
    filled = dict(
        DataValue.objects.filter(
            org_unit__in=units,
            period__code=period.code,
            data_element_id__in=data_set.members.values("data_element_id"),
            value__isnull=False,
        )
        .values("org_unit_id")
        .annotate(n=Count("pk"))
        .values_list("org_unit_id", "n")
    )
    expected = data_set.members.count()
    return [UnitCompleteness(u, reports.get(u.pk), filled.get(u.pk, 0), expected) for u in units]


def capture_choices(user: User) -> tuple[list[DataSet], list[OrgUnit]]:
    """Data sets and units a reporter can open a report for (their capture scope, today)."""
    capture = user_scope(user, ScopeKind.CAPTURE)
    if capture.is_empty:
        return [], []
    on = today()
    units: dict[int, OrgUnit] = {}
    data_sets = []
    all_sets = list(DataSet.objects.all())
    expected = data_set_units_by_date(all_sets, {ds.pk: [on] for ds in all_sets}, within=capture.q())
    for data_set in all_sets:
        reporting_units = expected[(data_set.pk, on)][:200]
        if reporting_units:
            data_sets.append(data_set)
            units.update({u.pk: u for u in reporting_units})
    return data_sets, sorted(units.values(), key=lambda u: u.path)


# --- The audit trail of figures: who changed what, when, through which channel -------------

AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE_SIZE = 1000


class AuditFilterError(ValueError):
    """A filter of the audit trail that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class AuditFilters:
    """What the audit trail is narrowed to. Codes are resolved and checked by `audit_filters_parse`."""

    org_unit: OrgUnit | None = None
    children: bool = False
    data_element: DataElement | None = None
    period_code: str = ""
    username: str = ""
    channel: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def audit_filters_parse(
    *,
    user: User,
    org_unit: str | None = None,
    children: bool = False,
    data_element: str | None = None,
    period: str | None = None,
    username: str | None = None,
    channel: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> AuditFilters:
    """Read the filters as typed on the page or sent to the API (codes, dd/mm/yyyy or ISO dates).

    Raises AuditFilterError for an unknown unit, element or channel, a malformed period or
    date, or a start after the end; ScopeDenied for a unit outside the user's view scope."""
    unit = element = None
    unit_code = (org_unit or "").strip()
    if unit_code:
        unit = OrgUnit.objects.filter(code=unit_code).first()
        if unit is None:
            raise AuditFilterError(_("No unit has the code “%(code)s”.") % {"code": unit_code[:40]})
        ensure_can_view(user, unit)
    element_code = (data_element or "").strip()
    if element_code:
        element = DataElement.objects.filter(code=element_code).first()
        if element is None:
            raise AuditFilterError(_("No data element has the code “%(code)s”.") % {"code": element_code[:40]})
    period_code = (period or "").strip()
    if period_code:
        try:
            period_code = PeriodValue.parse(period_code).code
        except InvalidPeriod as exc:
            raise AuditFilterError(str(exc)) from None
    channel_code = (channel or "").strip().upper()
    if channel_code and channel_code not in Channel.values:
        raise AuditFilterError(
            _("Unknown channel “%(channel)s”: use one of %(choices)s.")
            % {"channel": channel_code[:40], "choices": ", ".join(Channel.values)}
        )
    try:
        start_date, end_date = parse_date(start), parse_date(end)
    except InvalidDate as exc:
        raise AuditFilterError(str(exc)) from None
    if start_date and end_date and start_date > end_date:
        raise AuditFilterError(_("The start date is after the end date."))
    return AuditFilters(
        org_unit=unit,
        children=bool(children),
        data_element=element,
        period_code=period_code,
        username=(username or "").strip(),
        channel=channel_code,
        start=start_date,
        end=end_date,
    )


def audit_page_number(text: str | None, *, name: str = "page", default: int = 1) -> int:
    """A page number or size as typed: a whole number from 1; `default` when absent."""
    text = (text or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise AuditFilterError(_("“%(name)s” must be a whole number from 1.") % {"name": name})
    return int(text)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, user: User, filters: AuditFilters | None = None) -> QuerySet[DataValueAudit]:
    """Changes to figures in the user's view scope, narrowed by `filters`, newest first.

    Dates are the days of the project's time zone, both ends included. The element, unit,
    period and user come with each row (one query for a page)."""
    filters = filters or AuditFilters()
    entries = scope_filter(
        DataValueAudit.objects.select_related("data_element", "org_unit__parent", "period", "changed_by"),
        user,
        kind=ScopeKind.VIEW,
        unit_field="org_unit",
    )
    if filters.org_unit is not None:
        if filters.children:
            entries = entries.filter(org_unit__path__startswith=filters.org_unit.path)
        else:
            entries = entries.filter(org_unit=filters.org_unit)
    if filters.data_element is not None:
        entries = entries.filter(data_element=filters.data_element)
    if filters.period_code:
        entries = entries.filter(period__code=filters.period_code)
    if filters.username:
        entries = entries.filter(changed_by__username=filters.username)
    if filters.channel:
        entries = entries.filter(channel=filters.channel)
    if filters.start:
        entries = entries.filter(changed_at__gte=_local_midnight(filters.start))
    if filters.end:
        entries = entries.filter(changed_at__lt=_local_midnight(filters.end + dt.timedelta(days=1)))
    return entries.order_by("-changed_at", "-pk")


def audit_report_ids(entries: list[DataValueAudit]) -> dict[int, int]:
    """For each audit row (by pk), a report holding its figure, when one exists (one query).

    A figure belongs to a report of a data set listing its element, for the same unit and period."""
    if not entries:
        return {}
    holders: dict[tuple[int, int, int], int] = {}
    rows = (
        Report.objects.filter(
            org_unit_id__in={e.org_unit_id for e in entries},
            period_id__in={e.period_id for e in entries},
            data_set__members__data_element_id__in={e.data_element_id for e in entries},
        )
        .order_by("pk")
        .values_list("data_set__members__data_element_id", "org_unit_id", "period_id", "pk")
    )
    for element_id, unit_id, period_id, report_id in rows:
        holders.setdefault((element_id, unit_id, period_id), report_id)
    result = {}
    for entry in entries:
        report_id = holders.get((entry.data_element_id, entry.org_unit_id, entry.period_id))
        if report_id is not None:
            result[entry.pk] = report_id
    return result
