"""The built-in rule kinds: late and missing reports, targets off track, outliers, changes.

Each scan reads what it needs in a few set-based queries and returns its findings and what it
looked at; services.alerts_sync turns them into alert states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median

import numpy as np
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from giamsat.catalog.models import DataElement
from giamsat.catalog.selectors import data_set_units
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType
from giamsat.core.templatetags.giamsat import num as format_number
from giamsat.evaluation.models import IndicatorValue
from giamsat.reporting.models import DataValue, Period, Report
from giamsat.reporting.selectors import SUBMITTED_STATUSES
from giamsat.reporting.services import periods_get

from .engine.outliers import change_percent_rows, departs_rows, median_rows, robust_z_rows
from .registry import AlertKind, Finding, Scan, ScanScope, alert_kind_register

REPORT_LATE = "REPORT_LATE"
REPORT_MISSING = "REPORT_MISSING"
TARGET_OFF_TRACK = "TARGET_OFF_TRACK"
OUTLIER = "OUTLIER"
CHANGE = "CHANGE"
# Kinds that say a unit's report for a period is not there: they mute the value kinds.
MISSING_REPORT_KINDS = (REPORT_LATE, REPORT_MISSING)


def param(rule, name: str):
    kind = KIND_DEFAULTS.get(rule.kind, {})
    return (rule.params or {}).get(name, kind.get(name))


def _in_scope(scope: ScanScope, unit_id: int, period_id: int) -> bool:
    return scope.pairs is None or (unit_id, period_id) in scope.pairs


# --- reports ---------------------------------------------------------------------------------


def deadline_passed_periods(data_set, today: dt.date, count: int) -> list[tuple[PeriodValue, dt.date]]:
    """The latest `count` periods of the data set's type whose deadline has passed, latest first."""
    found = []
    period = PeriodValue.containing(data_set.period_type, today)
    while len(found) < count:
        period = period.previous()
        deadline = period.end + dt.timedelta(days=data_set.deadline_days)
        if deadline < today:
            found.append((period, deadline))
    return found


def _report_states(data_set, periods: list[Period], units: set[int]) -> dict[tuple[int, int], tuple[str, int]]:
    rows = Report.objects.filter(data_set=data_set, period__in=periods, org_unit_id__in=units).values_list(
        "org_unit_id", "period_id", "status", "pk"
    )
    return {(unit, period): (status, pk) for unit, period, status, pk in rows}


def _expected(data_set, periods: list[tuple[PeriodValue, dt.date]]) -> tuple[dict[str, Period], dict[str, set[int]]]:
    stored = periods_get([p for p, _d in periods])
    return stored, {p.code: set(data_set_units(data_set, on=p.end).values_list("pk", flat=True)) for p, _d in periods}


def scan_report_late(rule, scope: ScanScope) -> Scan:
    """A report whose deadline has passed and which is not submitted (none, draft, returned)."""
    data_set = rule.data_set
    periods = deadline_passed_periods(data_set, scope.today, int(param(rule, "periods")))
    stored, expected = _expected(data_set, periods)
    all_units = set().union(*expected.values()) if expected else set()
    reports = _report_states(data_set, list(stored.values()), all_units)
    findings, covered = [], set()
    for period, deadline in periods:
        period_id = stored[period.code].pk
        for unit_id in expected[period.code]:
            if not _in_scope(scope, unit_id, period_id):
                continue
            covered.add((unit_id, period_id))
            status, report_id = reports.get((unit_id, period_id), ("", None))
            if status in SUBMITTED_STATUSES:
                continue
            evidence = {
                "data_set": data_set.code,
                "period": period.code,
                "deadline": deadline.isoformat(),
                "days_late": (scope.today - deadline).days,
                "report_status": status,
                "report_id": report_id,
            }
            findings.append(Finding(unit_id, period_id, evidence=evidence))
    return Scan(findings, covered)


def describe_report_late(alert) -> str:
    e = alert.evidence
    return _("%(data_set)s for %(period)s not submitted, %(days)s days after its deadline %(deadline)s") % {
        "data_set": _data_set_name(alert),
        "period": _period_label(e),
        "days": e.get("days_late", ""),
        "deadline": _date(e.get("deadline")),
    }


def scan_report_missing(rule, scope: ScanScope) -> Scan:
    """No submitted report in each of the last N periods whose deadline has passed."""
    data_set = rule.data_set
    count = int(param(rule, "periods"))
    periods = deadline_passed_periods(data_set, scope.today, count)
    stored, expected = _expected(data_set, periods)
    latest, latest_id = periods[0][0], stored[periods[0][0].code].pk
    units = set(expected[latest.code])
    reports = _report_states(data_set, list(stored.values()), units)
    findings, covered = [], set()
    for unit_id in units:
        if not _in_scope(scope, unit_id, latest_id):
            continue
        covered.add((unit_id, latest_id))
        missing = [
            p.code
            for p, _d in periods
            if reports.get((unit_id, stored[p.code].pk), ("", None))[0] not in SUBMITTED_STATUSES
        ]
        if len(missing) == count:
            findings.append(Finding(unit_id, latest_id, evidence={"data_set": data_set.code, "periods": missing}))
    return Scan(findings, covered)


def describe_report_missing(alert) -> str:
    e = alert.evidence
    labels = [PeriodValue.parse(code).label for code in e.get("periods", [])]
    return _("No %(data_set)s for %(count)s periods in a row: %(periods)s") % {
        "data_set": _data_set_name(alert),
        "count": len(labels),
        "periods": ", ".join(reversed(labels)),
    }


# --- targets -----------------------------------------------------------------------------------


def _latest_periods(today: dt.date) -> dict[str, int]:
    """The latest period of each type that has indicator values and has ended by today."""
    latest = {}
    for kind in (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY):
        end = Period.objects.filter(period_type=kind, end_date__lte=today, pk__in=_with_values()).aggregate(
            m=Max("end_date")
        )["m"]
        if end is not None:
            latest[kind] = Period.objects.get(period_type=kind, end_date=end).pk
    return latest


def _with_values():
    return IndicatorValue.objects.values("period_id")


def scan_target_off_track(rule, scope: ScanScope) -> Scan:
    """An indicator whose status for the unit's latest period is off track (or at risk, as the
    rule says), for units in force today of the rule's types."""
    from giamsat.catalog.models import Indicator
    from giamsat.evaluation.selectors import finest_type

    statuses = list(param(rule, "statuses"))
    types = list(param(rule, "unit_types"))
    indicators = [rule.indicator] if rule.indicator_id else list(Indicator.objects.exclude(pillar="SECTOR"))
    latest = _latest_periods(scope.today)
    wanted = Q(pk__in=[])
    for indicator in indicators:
        kind = finest_type(indicator)
        if kind in latest:
            wanted |= Q(indicator=indicator, period_id=latest[kind])
    today = scope.today
    rows = (
        IndicatorValue.objects.filter(wanted, org_unit__type__in=types)
        .filter(Q(org_unit__valid_to__isnull=True) | Q(org_unit__valid_to__gte=today))
        .filter(Q(org_unit__valid_from__isnull=True) | Q(org_unit__valid_from__lte=today))
        .values_list(
            "org_unit_id", "period_id", "indicator__code", "status", "value", "target", "projected", "period__code"
        )
    )
    names = {i.code: (i.name_vi, i.name_en) for i in indicators}
    findings, covered = [], set()
    for unit_id, period_id, code, status, value, target, projected, period_code in rows:
        if not _in_scope(scope, unit_id, period_id):
            continue
        covered.add((unit_id, period_id))
        if status in statuses:
            evidence = {
                "indicator": code,
                "indicator_name_vi": names.get(code, ("", ""))[0],
                "indicator_name_en": names.get(code, ("", ""))[1],
                "period": period_code,
                "status": status,
                "value": value,
                "target": target,
                "projected": projected,
            }
            findings.append(Finding(unit_id, period_id, subject=f"indicator:{code}", evidence=evidence))
    return Scan(findings, covered)


def describe_target_off_track(alert) -> str:
    from giamsat.evaluation.choices import Status

    e = alert.evidence
    return _("%(indicator)s: %(status)s (value %(value)s, projected %(projected)s, target %(target)s)") % {
        "indicator": _bilingual(e, "indicator_name") or e.get("indicator", ""),
        "status": Status(e["status"]).label if e.get("status") in Status.values else e.get("status", ""),
        "value": format_number(e.get("value"), 2),
        "projected": format_number(e.get("projected"), 2),
        "target": format_number(e.get("target"), 2),
    }


# --- values ------------------------------------------------------------------------------------


def _latest_ends(rule, scope: ScanScope) -> dict[int, dt.date | None]:
    """The end of the latest period (ended by today) with a value of each element: for the
    rule's element and, on a scan's first value rule, for those of its other value rules too
    (`elements` in the scan's cache), in one query (per element, the periods latest first,
    each tried by an index until one has a value)."""
    cache = scope.cache if scope.cache is not None else {}
    known = cache.setdefault(("latest_ends", scope.today), {})
    if rule.data_element_id in known:
        return known
    wanted = ({rule.data_element_id} | set(cache.get("elements", ()))) - set(known)
    has_value = DataValue.objects.filter(
        data_element_id=OuterRef(OuterRef("pk")), period_id=OuterRef("pk"), value__isnull=False
    )
    latest = (
        Period.objects.filter(Exists(has_value), end_date__lte=scope.today).order_by("-end_date").values("end_date")[:1]
    )
    known.update(
        DataElement.objects.filter(pk__in=wanted).annotate(latest=Subquery(latest)).values_list("pk", "latest")
    )
    return known


@dataclass
class ValueWindow:
    """An element's values over consecutive periods: one row per unit with a value in them,
    one column per period (oldest first), NaN where the unit has none."""

    periods: list[PeriodValue]
    pks: list[int | None]  # the stored period of each column (None: not stored, so no values)
    units: np.ndarray
    values: np.ndarray

    def columns(self, first: PeriodValue, last: PeriodValue) -> ValueWindow | None:
        codes = [p.code for p in self.periods]
        if first.code not in codes or last.code not in codes:
            return None
        i, j = codes.index(first.code), codes.index(last.code) + 1
        return ValueWindow(self.periods[i:j], self.pks[i:j], self.units, self.values[:, i:j])


WINDOWS_KEPT = 4  # elements whose window a scan keeps (rules_scan brings an element's rules together)


def _window_read(element, first: PeriodValue, last: PeriodValue, scope: ScanScope) -> ValueWindow:
    cache = scope.cache if scope.cache is not None else {}
    windows = cache.setdefault("windows", {})
    cached = windows.get(element.pk)
    found = cached.columns(first, last) if cached is not None else None
    if found is not None:
        return found
    periods = [first]
    while periods[-1].code != last.code:
        periods.append(periods[-1].next())
    stored = dict(Period.objects.filter(code__in=[p.code for p in periods]).values_list("code", "pk"))
    pks = [stored.get(p.code) for p in periods]
    column = {pk: i for i, pk in enumerate(pks) if pk is not None}
    rows = list(
        DataValue.objects.filter(data_element=element, value__isnull=False, period_id__in=list(column)).values_list(
            "org_unit_id", "period_id", "value"
        )
    )
    unit_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    units, row = np.unique(unit_ids, return_inverse=True)
    col = np.fromiter((column[r[1]] for r in rows), dtype=np.int64, count=len(rows))
    values = np.full((len(units), len(periods)), np.nan)
    values[row, col] = np.fromiter((float(r[2]) for r in rows), dtype=np.float64, count=len(rows))
    window = ValueWindow(periods, pks, units, values)
    windows.pop(element.pk, None)
    windows[element.pk] = window
    while len(windows) > WINDOWS_KEPT:
        windows.pop(next(iter(windows)))
    return window


def _value_window(rule, scope: ScanScope, recent: int, history: int) -> ValueWindow | None:
    """The element's values for the last `recent` periods with values (ended by today) and the
    `history` periods before the earliest of them; None if the element has no value yet."""
    element = rule.data_element
    latest = _latest_ends(rule, scope).get(element.pk)
    if latest is None:
        return None
    last = PeriodValue.containing(element.period_type, latest)
    first = last
    for _i in range(recent - 1 + history):
        first = first.previous()
    return _window_read(element, first, last, scope)


def _looked_at(window: ValueWindow, column: int, scope: ScanScope) -> np.ndarray:
    """The units with a value in the column, within the scan's scope."""
    present = ~np.isnan(window.values[:, column])
    pk = window.pks[column]
    if scope.pairs is not None:
        units = [u for u, p in scope.pairs if p == pk]
        present &= np.isin(window.units, np.asarray(units, dtype=np.int64))
    return present


def scan_outlier(rule, scope: ScanScope) -> Scan:
    """A value far from the unit's own history: |robust z| above the threshold and more than
    `departure` percent from its usual (median) value — a value ten times the usual is both."""
    threshold = float(param(rule, "z"))
    departure = float(param(rule, "departure"))
    history = int(param(rule, "history"))
    recent = max(int(param(rule, "periods")), 1)
    window = _value_window(rule, scope, recent, history)
    findings, covered = [], set()
    if window is None:
        return Scan(findings, covered)
    subject = f"element:{rule.data_element.code}"
    for column in range(len(window.periods) - 1, history - 1, -1):
        period, pk = window.periods[column], window.pks[column]
        looked = _looked_at(window, column, scope)
        if not looked.any():
            continue
        covered.update((int(u), pk) for u in window.units[looked])
        past = window.values[:, column - history : column]
        values = window.values[:, column]
        z = robust_z_rows(past, values)
        # Unusual and far: a tight history makes small moves "unusual", so the value must
        # also be more than `departure` percent away from the usual one.
        with np.errstate(invalid="ignore"):
            flagged = looked & (np.abs(z) > threshold) & departs_rows(median_rows(past), values, departure)
        codes = [p.code for p in window.periods[column - history : column]]
        for i in np.flatnonzero(flagged):
            score = float(z[i])
            evidence = {
                "element": rule.data_element.code,
                "period": period.code,
                "value": float(values[i]),
                "z": score if abs(score) != float("inf") else None,
                "history": [[code, float(v)] for code, v in zip(codes, past[i], strict=True) if not np.isnan(v)],
            }
            findings.append(Finding(int(window.units[i]), pk, subject=subject, evidence=evidence))
    return Scan(findings, covered)


def describe_outlier(alert) -> str:
    e = alert.evidence
    past = [v for _c, v in e.get("history", [])]
    usual = median(past) if past else None
    return _("%(element)s = %(value)s in %(period)s, far from its usual %(usual)s") % {
        "element": _element_name(alert),
        "value": format_number(e.get("value")),
        "period": _period_label(e),
        "usual": format_number(usual),
    }


def scan_change(rule, scope: ScanScope) -> Scan:
    """A change against the last period beyond the threshold (in percent, either way)."""
    threshold = float(param(rule, "percent"))
    window = _value_window(rule, scope, max(int(param(rule, "periods")), 1), 1)
    findings, covered = [], set()
    if window is None:
        return Scan(findings, covered)
    subject = f"element:{rule.data_element.code}"
    for column in range(len(window.periods) - 1, 0, -1):
        period, pk = window.periods[column], window.pks[column]
        looked = _looked_at(window, column, scope)
        if not looked.any():
            continue
        covered.update((int(u), pk) for u in window.units[looked])
        previous, values = window.values[:, column - 1], window.values[:, column]
        change = change_percent_rows(previous, values)
        with np.errstate(invalid="ignore"):
            flagged = looked & (np.abs(change) > threshold)
        for i in np.flatnonzero(flagged):
            evidence = {
                "element": rule.data_element.code,
                "period": period.code,
                "value": float(values[i]),
                "previous": float(previous[i]),
                "change": float(change[i]),
            }
            findings.append(Finding(int(window.units[i]), pk, subject=subject, evidence=evidence))
    return Scan(findings, covered)


def describe_change(alert) -> str:
    e = alert.evidence
    return _("%(element)s changed by %(change)s %% in %(period)s (%(previous)s → %(value)s)") % {
        "element": _element_name(alert),
        "change": format_number(e.get("change"), 1),
        "period": _period_label(e),
        "previous": format_number(e.get("previous")),
        "value": format_number(e.get("value")),
    }


def _element_name(alert) -> str:
    return alert.rule.data_element.name if alert.rule.data_element_id else alert.evidence.get("element", "")


def _period_label(evidence: dict) -> str:
    return PeriodValue.parse(evidence["period"]).label if evidence.get("period") else ""


def _data_set_name(alert) -> str:
    return alert.rule.data_set.name if alert.rule.data_set_id else alert.evidence.get("data_set", "")


def _bilingual(evidence: dict, field: str) -> str:
    from django.utils.translation import get_language

    english = (get_language() or "vi").startswith("en")
    return (english and evidence.get(f"{field}_en")) or evidence.get(f"{field}_vi", "")


def _date(text: str | None) -> str:
    return dt.date.fromisoformat(text).strftime("%d/%m/%Y") if text else ""


KIND_DEFAULTS = {
    REPORT_LATE: {"periods": 2},
    REPORT_MISSING: {"periods": 2},
    TARGET_OFF_TRACK: {"statuses": ["OFF_TRACK"], "unit_types": ["PROVINCE", "MINISTRY_IT_UNIT"]},
    OUTLIER: {"z": 3.5, "departure": 50, "history": 12, "periods": 3},
    CHANGE: {"percent": 50, "periods": 3},
}

alert_kind_register(
    AlertKind(
        REPORT_LATE,
        _lazy("Report late"),
        scan_report_late,
        describe_report_late,
        applies_to="data_set",
        defaults=KIND_DEFAULTS[REPORT_LATE],
        time_based=True,
    )
)
alert_kind_register(
    AlertKind(
        REPORT_MISSING,
        _lazy("Report missing for several periods"),
        scan_report_missing,
        describe_report_missing,
        applies_to="data_set",
        defaults=KIND_DEFAULTS[REPORT_MISSING],
        time_based=True,
    )
)
alert_kind_register(
    AlertKind(
        TARGET_OFF_TRACK,
        _lazy("Target off track"),
        scan_target_off_track,
        describe_target_off_track,
        applies_to="indicator",
        defaults=KIND_DEFAULTS[TARGET_OFF_TRACK],
        time_based=True,
        muted_by_missing_report=True,
    )
)
alert_kind_register(
    AlertKind(
        OUTLIER,
        _lazy("Unusual value"),
        scan_outlier,
        describe_outlier,
        applies_to="data_element",
        defaults=KIND_DEFAULTS[OUTLIER],
        value_based=True,
        muted_by_missing_report=True,
    )
)
alert_kind_register(
    AlertKind(
        CHANGE,
        _lazy("Change beyond a threshold"),
        scan_change,
        describe_change,
        applies_to="data_element",
        defaults=KIND_DEFAULTS[CHANGE],
        value_based=True,
        muted_by_missing_report=True,
    )
)


# --- validation and staleness --------------------------------------------------------------------

VALIDATION = "VALIDATION"
STALE = "STALE"
KIND_DEFAULTS[VALIDATION] = {"periods": 2}
KIND_DEFAULTS[STALE] = {"periods": 3}


def scan_validation(rule, scope: ScanScope) -> Scan:
    """A validation rule broken in a submitted report (households with fibre above all
    households): one alert per broken rule, until the report is corrected."""
    from giamsat.reporting.validation import report_rule_violations

    data_set = rule.data_set
    periods = deadline_passed_periods(data_set, scope.today, int(param(rule, "periods")))
    # The report being filled now is checked too once submitted (its deadline may be ahead).
    current = PeriodValue.containing(data_set.period_type, scope.today).previous()
    codes = {p.code for p, _d in periods} | {current.code}
    reports = (
        Report.objects.filter(data_set=data_set, period__code__in=codes, status__in=SUBMITTED_STATUSES)
        .select_related("data_set", "org_unit", "period")
        .order_by("pk")
    )
    findings, covered = [], set()
    for report in reports:
        if not _in_scope(scope, report.org_unit_id, report.period_id):
            continue
        covered.add((report.org_unit_id, report.period_id))
        for violation in report_rule_violations(report):
            evidence = {
                "rule": violation.rule.code,
                "message_vi": violation.rule.message_vi,
                "message_en": violation.rule.message_en,
                "left": violation.left,
                "right": violation.right,
                "period": report.period.code,
                "report_id": report.pk,
            }
            findings.append(
                Finding(
                    report.org_unit_id, report.period_id, subject=f"validation:{evidence['rule']}", evidence=evidence
                )
            )
    return Scan(findings, covered)


def describe_validation(alert) -> str:
    e = alert.evidence
    return _("Validation rule broken in a submitted report: %(message)s (%(left)s against %(right)s)") % {
        "message": _bilingual(e, "message"),
        "left": format_number(e.get("left")),
        "right": format_number(e.get("right")),
    }


def scan_stale(rule, scope: ScanScope) -> Scan:
    """A unit whose figure has not been updated for N periods of its type (its last value is
    older than the last N periods whose deadline passed)."""
    element = rule.data_element
    count = int(param(rule, "periods"))
    period = PeriodValue.containing(element.period_type, scope.today).previous()
    window = [period]
    for _i in range(count - 1):
        window.append(window[-1].previous())
    latest_id = periods_get([window[0]])[window[0].code].pk
    last_seen = dict(
        DataValue.objects.filter(data_element=element, value__isnull=False, period__period_type=element.period_type)
        .values("org_unit_id")
        .annotate(last=Max("period__end_date"))
        .values_list("org_unit_id", "last")
    )
    findings, covered = [], set()
    for unit_id, last in last_seen.items():
        if not _in_scope(scope, unit_id, latest_id):
            continue
        covered.add((unit_id, latest_id))
        if last < window[-1].start:
            evidence = {"element": element.code, "last": last.isoformat(), "periods": count}
            findings.append(Finding(unit_id, latest_id, subject=f"element:{element.code}", evidence=evidence))
    return Scan(findings, covered)


def describe_stale(alert) -> str:
    e = alert.evidence
    return _("%(element)s not updated for %(count)s periods (last figure for the period ending %(last)s)") % {
        "element": _element_name(alert),
        "count": e.get("periods", ""),
        "last": _date(e.get("last")),
    }


alert_kind_register(
    AlertKind(
        VALIDATION,
        _lazy("Validation rule broken"),
        scan_validation,
        describe_validation,
        applies_to="data_set",
        defaults=KIND_DEFAULTS[VALIDATION],
        value_based=True,
    )
)
alert_kind_register(
    AlertKind(
        STALE,
        _lazy("Figure not updated"),
        scan_stale,
        describe_stale,
        applies_to="data_element",
        defaults=KIND_DEFAULTS[STALE],
        time_based=True,
    )
)


# --- against the peers -----------------------------------------------------------------------------

PEER_OUTLIER = "PEER_OUTLIER"
KIND_DEFAULTS[PEER_OUTLIER] = {"z": 3.5, "departure": 100, "periods": 3, "min_peers": 5}


def scan_peer_outlier(rule, scope: ScanScope) -> Scan:
    """A value far from its peers' in the same period (units of the same type and level): |robust
    z| above the threshold and more than `departure` percent from the peers' median. For figures
    comparable across units (rates, shares); counts differ with a unit's size."""
    from giamsat.orgunits.models import OrgUnit

    from .engine.outliers import departs_rows, robust_z_groups

    threshold = float(param(rule, "z"))
    departure = float(param(rule, "departure"))
    recent = max(int(param(rule, "periods")), 1)
    window = _value_window(rule, scope, recent, 0)
    findings, covered = [], set()
    if window is None:
        return Scan(findings, covered)
    kinds = {
        pk: f"{kind}:{level}"
        for pk, kind, level in OrgUnit.objects.filter(pk__in=window.units.tolist()).values_list("pk", "type", "level")
    }
    groups = np.array([kinds.get(int(u), "") for u in window.units], dtype=object)
    subject = f"peers:{rule.data_element.code}"
    for column in range(len(window.periods)):
        period, pk = window.periods[column], window.pks[column]
        looked = _looked_at(window, column, scope)
        if not looked.any():
            continue
        covered.update((int(u), pk) for u in window.units[looked])
        values = window.values[:, column]
        z, usual = robust_z_groups(groups, values, int(param(rule, "min_peers")))
        with np.errstate(invalid="ignore"):
            flagged = looked & (np.abs(z) > threshold) & departs_rows(usual, values, departure)
        for i in np.flatnonzero(flagged):
            score = float(z[i])
            evidence = {
                "element": rule.data_element.code,
                "period": period.code,
                "value": float(values[i]),
                "peer_median": float(usual[i]),
                "peers": int(np.count_nonzero((groups == groups[i]) & ~np.isnan(values))),
                "z": score if abs(score) != float("inf") else None,
            }
            findings.append(Finding(int(window.units[i]), pk, subject=subject, evidence=evidence))
    return Scan(findings, covered)


def describe_peer_outlier(alert) -> str:
    e = alert.evidence
    return _("%(element)s = %(value)s in %(period)s, far from its %(count)s peers' usual %(usual)s") % {
        "element": _element_name(alert),
        "value": format_number(e.get("value")),
        "period": _period_label(e),
        "count": e.get("peers", ""),
        "usual": format_number(e.get("peer_median")),
    }


alert_kind_register(
    AlertKind(
        PEER_OUTLIER,
        _lazy("Unusual against its peers"),
        scan_peer_outlier,
        describe_peer_outlier,
        applies_to="data_element",
        defaults=KIND_DEFAULTS[PEER_OUTLIER],
        value_based=True,
        muted_by_missing_report=True,
    )
)
