import pytest

from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import ValueInput, period_get, report_open


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
    """A draft of Hà Nội's monthly report for October 2025."""
    return report_open(data_set=monthly, org_unit=hanoi, period=period_get("202510"), by=users["a.reporter"])


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
