import pytest

from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import DataValue
from giamsat.reporting.services import ValueInput, period_get, report_no_figure_mark, report_open

# Tests submit reports of past periods: each first submission is late and gives its reason.
LATE = "Trễ hạn: dữ liệu thử nghiệm"


def mark_empty(report, by, reason="Đơn vị chưa có số liệu này"):
    """Mark every required figure of the report that is still empty "no figure", so it can be
    submitted (the workflow tests are about the steps, not the figures)."""
    filled = set(
        DataValue.objects.filter(org_unit=report.org_unit, period=report.period, value__isnull=False).values_list(
            "data_element_id", flat=True
        )
    )
    for member in report.data_set.members.filter(compulsory=True).select_related("data_element"):
        if member.data_element_id not in filled:
            report_no_figure_mark(report=report, data_element=member.data_element, reason=reason, by=by)
    return report


@pytest.fixture
def monthly(db):
    return DataSet.objects.get(code="BC_TINH_MONTHLY")


@pytest.fixture
def quarterly(db):
    return DataSet.objects.get(code="BC_TINH_QUARTERLY")


@pytest.fixture
def element(db):
    return lambda code: DataElement.objects.get(code=code)


@pytest.fixture
def hanoi(db):
    return OrgUnit.objects.get(code="P01")


@pytest.fixture
def users(db):
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def report_a(monthly, hanoi, users):
    """A draft of Hà Nội's monthly report for October 2025, its empty figures marked "no figure"."""
    report = report_open(data_set=monthly, org_unit=hanoi, period=period_get("202510"), by=users["a.reporter"])
    return mark_empty(report, users["a.reporter"])


@pytest.fixture
def value_input(element, hanoi):
    def make(code, value, period="202510", unit=None, comment=None, row=None):
        return ValueInput(
            data_element=element(code),
            org_unit=unit or hanoi,
            period=period_get(period),
            value=value,
            comment=comment,
            row=row,
        )

    return make
