"""The disbursement reaches the owner's scorecard through the one write path: a disbursement
recorded moves the province's disbursement rate (events dispatched as the worker would)."""

import datetime as dt

import pytest
from django.utils import timezone

from giamsat.evaluation.models import IndicatorValue
from giamsat.events.services import events_dispatch
from giamsat.orgunits.models import OrgUnit
from giamsat.projects.services import baseline_freeze, transaction_record, year_budget_set
from giamsat.reporting.models import DataValue

from .conftest import make_project

d = dt.date


def _rate(unit, period):
    row = IndicatorValue.objects.filter(
        indicator__code="PROJECT_DISBURSEMENT_RATE", org_unit=unit, period__code=period
    ).first()
    return None if row is None else row.value


@pytest.mark.django_db(transaction=False)
def test_a_disbursement_moves_the_provinces_disbursement_rate(settings, leader, django_capture_on_commit_callbacks):
    settings.EVENTS_DISPATCH = "inline"
    today = timezone.localdate()
    period = f"{today.year}{today.month:02d}"
    province = OrgUnit.objects.get(code="P01")
    department = OrgUnit.objects.get(code="SKHCN_01")  # a department's project counts for its province
    with django_capture_on_commit_callbacks(execute=True):
        project = make_project(
            department, leader, start=d(today.year, 1, 1), end=d(today.year, 12, 31), total=2_000_000_000
        )
        year_budget_set(project=project, year=today.year, planned=2_000_000_000, allocated=2_000_000_000, by=leader)
        baseline_freeze(project=project, by=leader)
    events_dispatch()
    figures = dict(
        DataValue.objects.filter(
            org_unit=province, period__code=period, data_element__code__startswith="PROJECT_CAPITAL"
        ).values_list("data_element__code", "value")
    )
    assert figures == {"PROJECT_CAPITAL_ALLOCATED": 2.0, "PROJECT_CAPITAL_DISBURSED": 0.0}
    assert _rate(province, period) == 0
    transaction_record(project=project, kind="DISBURSEMENT", date=d(today.year, 1, 1), amount=500_000_000, by=leader)
    assert events_dispatch().delivered >= 1
    assert _rate(province, period) == pytest.approx(25.0)
    assert DataValue.objects.get(
        org_unit=province, period__code=f"{today.year}01", data_element__code="PROJECT_CAPITAL_DISBURSED"
    ).value == pytest.approx(0.5)
