"""The value scans, read set-based and computed over all units at once, find exactly what the
per-unit computation they replaced found: same findings, evidence and coverage."""

import datetime as dt
import random
from collections import defaultdict
from statistics import median

import pytest
from django.db.models import Max

from giamsat.alerts.engine.outliers import change_percent, robust_z
from giamsat.alerts.kinds import param, scan_change, scan_outlier
from giamsat.alerts.models import AlertRule
from giamsat.alerts.registry import Finding, Scan, ScanScope
from giamsat.catalog.models import DataElement
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import DataValue

from .conftest import put_values

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 2, 10)


# --- the per-unit computation the scans had, kept as the reference ------------------------------


def _old_window(rule, scope, recent, history):
    element = rule.data_element
    kind = element.period_type
    latest = DataValue.objects.filter(
        data_element=element, value__isnull=False, period__end_date__lte=scope.today
    ).aggregate(m=Max("period__end_date"))["m"]
    if latest is None:
        return {}, [], {}
    last = PeriodValue.containing(kind, latest)
    recent_periods = [last]
    for _i in range(recent - 1):
        recent_periods.append(recent_periods[-1].previous())
    first = recent_periods[-1]
    for _i in range(history):
        first = first.previous()
    rows = DataValue.objects.filter(
        data_element=element,
        value__isnull=False,
        period__period_type=kind,
        period__start_date__gte=first.start,
        period__end_date__lte=last.end,
    ).values_list("org_unit_id", "period__code", "period_id", "value")
    series, pks = defaultdict(dict), {}
    for unit_id, code, period_id, value in rows:
        series[unit_id][code] = float(value)
        pks[code] = period_id
    return series, recent_periods, pks


def _in_scope(scope, unit_id, period_id):
    return scope.pairs is None or (unit_id, period_id) in scope.pairs


def old_scan_outlier(rule, scope):
    threshold, departure = float(param(rule, "z")), float(param(rule, "departure"))
    history = int(param(rule, "history"))
    series, recent, pks = _old_window(rule, scope, int(param(rule, "periods")), history)
    findings, covered = [], set()
    for unit_id, values in series.items():
        for period in recent:
            if period.code not in values or not _in_scope(scope, unit_id, pks[period.code]):
                continue
            covered.add((unit_id, pks[period.code]))
            past, earlier = [], period
            for _i in range(history):
                earlier = earlier.previous()
                if earlier.code in values:
                    past.append((earlier.code, values[earlier.code]))
            z = robust_z([v for _c, v in past], values[period.code])
            usual = median([v for _c, v in past]) if past else None
            value = values[period.code]
            far = usual is not None and (
                usual == 0 and value != 0 or usual != 0 and abs(value / usual - 1) * 100 > departure
            )
            if z is not None and abs(z) > threshold and far:
                evidence = {
                    "element": rule.data_element.code,
                    "period": period.code,
                    "value": values[period.code],
                    "z": z if abs(z) != float("inf") else None,
                    "history": [[code, value] for code, value in reversed(past)],
                }
                findings.append(Finding(unit_id, pks[period.code], f"element:{rule.data_element.code}", evidence))
    return Scan(findings, covered)


def old_scan_change(rule, scope):
    threshold = float(param(rule, "percent"))
    series, recent, pks = _old_window(rule, scope, int(param(rule, "periods")), 1)
    findings, covered = [], set()
    for unit_id, values in series.items():
        for period in recent:
            previous = period.previous()
            if period.code not in values or not _in_scope(scope, unit_id, pks[period.code]):
                continue
            covered.add((unit_id, pks[period.code]))
            if previous.code not in values:
                continue
            change = change_percent(values[previous.code], values[period.code])
            if change is not None and abs(change) > threshold:
                evidence = {
                    "element": rule.data_element.code,
                    "period": period.code,
                    "value": values[period.code],
                    "previous": values[previous.code],
                    "change": change,
                }
                findings.append(Finding(unit_id, pks[period.code], f"element:{rule.data_element.code}", evidence))
    return Scan(findings, covered)


# --- random data, fixed seed ---------------------------------------------------------------------


@pytest.fixture
def random_values():
    rng = random.Random(20261207)
    months = [f"{y}{m:02d}" for y in (2024, 2025) for m in range(1, 13)] + ["202601"]
    units = list(OrgUnit.objects.filter(type="PROVINCE").order_by("code")[:24])
    for n, unit in enumerate(units):
        values = {}
        for month in months:
            if rng.random() < 0.15:
                continue  # a gap
            if n % 6 == 0:
                values[month] = 50  # flat
            elif n % 6 == 1:
                values[month] = 0  # flat at 0
            else:
                values[month] = rng.choice([0, 1, 10, 100, 1000, 1010, 1020]) + rng.randint(0, 9) / 10
        if n % 6 in (0, 1) and rng.random() < 0.7:
            values["202601"] = rng.choice([0, 50, 55, 80, 3])
        put_values("DOSSIERS_TOTAL", unit, values)
    return units


def _same(new: Scan, old: Scan) -> None:
    assert new.covered == old.covered
    assert {f.key: f.evidence for f in new.findings} == {f.key: f.evidence for f in old.findings}
    assert len(new.findings) == len(old.findings)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"periods": 1},
        {"periods": 5, "history": 6, "z": 2, "departure": 20},
        {"history": 2},
        {"z": 0, "departure": 0},
    ],
)
def test_the_outlier_scan_equals_the_per_unit_one(random_values, params):
    rule = AlertRule(kind="OUTLIER", data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"), params=params)
    old = old_scan_outlier(rule, ScanScope(today=TODAY))
    assert old.findings or params.get("history") == 2  # the data raise some (not from two values)
    _same(scan_outlier(rule, ScanScope(today=TODAY)), old)
    _same(scan_outlier(rule, ScanScope(today=TODAY, cache={})), old)


@pytest.mark.parametrize("params", [{}, {"periods": 1}, {"periods": 6, "percent": 10}, {"percent": 0}])
def test_the_change_scan_equals_the_per_unit_one(random_values, params):
    rule = AlertRule(kind="CHANGE", data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"), params=params)
    old = old_scan_change(rule, ScanScope(today=TODAY))
    assert old.findings
    _same(scan_change(rule, ScanScope(today=TODAY)), old)


def test_rules_sharing_an_element_read_its_values_once_and_scopes_still_apply(random_values):
    element = DataElement.objects.get(code="DOSSIERS_TOTAL")
    outlier = AlertRule(kind="OUTLIER", data_element=element, params={})
    change = AlertRule(kind="CHANGE", data_element=element, params={})
    some = {(u, p) for u, p in old_scan_change(change, ScanScope(today=TODAY)).covered if u % 3 == 0}
    cache = {}
    _same(scan_outlier(outlier, ScanScope(today=TODAY, cache=cache)), old_scan_outlier(outlier, ScanScope(today=TODAY)))
    assert len(cache["windows"]) == 1
    window = cache["windows"][element.pk]
    _same(scan_change(change, ScanScope(today=TODAY, cache=cache)), old_scan_change(change, ScanScope(today=TODAY)))
    assert cache["windows"][element.pk] is window  # the change rule's window cut from it
    scoped = ScanScope(today=TODAY, pairs=some, cache=cache)
    _same(scan_change(change, scoped), old_scan_change(change, ScanScope(today=TODAY, pairs=some)))
    _same(scan_outlier(outlier, scoped), old_scan_outlier(outlier, ScanScope(today=TODAY, pairs=some)))


def test_an_element_without_values_finds_nothing(db):
    rule = AlertRule(kind="OUTLIER", data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"), params={})
    scan = scan_outlier(rule, ScanScope(today=TODAY, cache={}))
    assert (scan.findings, scan.covered) == ([], set())
