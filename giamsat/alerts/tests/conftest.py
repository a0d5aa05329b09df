import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from giamsat.alerts.models import AlertRule
from giamsat.catalog.models import DataElement, DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import DataValue, Report
from giamsat.reporting.services import period_get


def put_values(element_code: str, unit: OrgUnit, values: dict[str, float]) -> None:
    """Stored values as the services leave them (test scaffolding, no report needed)."""
    element = DataElement.objects.get(code=element_code)
    now = timezone.now()
    for code, value in values.items():
        DataValue.objects.update_or_create(
            data_element=element,
            org_unit=unit,
            period=period_get(code),
            defaults={"value": Decimal(str(value)), "updated_at": now, "channel": "API"},
        )


def put_report(data_set_code: str, unit: OrgUnit, period_code: str, status: str) -> Report:
    data_set = DataSet.objects.get(code=data_set_code)
    period = period_get(period_code)
    now = timezone.now()
    report, _created = Report.objects.update_or_create(
        data_set=data_set,
        org_unit=unit,
        period=period,
        defaults={
            "status": status,
            "deadline": period.end_date + dt.timedelta(days=data_set.deadline_days),
            "created_at": now,
            "updated_at": now,
            "submitted_at": now if status != "DRAFT" else None,
        },
    )
    return report


@pytest.fixture
def late_rule(db):
    return AlertRule.objects.create(
        code="T_LATE",
        name_vi="Báo cáo tháng quá hạn",
        kind="REPORT_LATE",
        data_set=DataSet.objects.get(code="BC_TINH_MONTHLY"),
        params={"periods": 1},
    )


@pytest.fixture
def outlier_rule(db):
    return AlertRule.objects.create(
        code="T_OUTLIER",
        name_vi="Tổng số hồ sơ bất thường",
        kind="OUTLIER",
        data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
        params={"periods": 1},
    )


@pytest.fixture
def change_rule(db):
    return AlertRule.objects.create(
        code="T_CHANGE",
        name_vi="Tổng số hồ sơ thay đổi",
        kind="CHANGE",
        data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
        params={"periods": 1, "percent": 50},
    )
