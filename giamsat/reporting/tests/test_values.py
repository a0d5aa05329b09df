"""The one value service: checks, atomicity, audit for every change, nothing for no change."""

from decimal import Decimal

import pytest

from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import AuditAction, Channel, ReportStatus
from giamsat.reporting.models import DataValue, DataValueAudit
from giamsat.reporting.services import data_values_write
from giamsat.reporting.values import ValueRejected, parse_value

pytestmark = pytest.mark.django_db


def write(users, inputs, **kwargs):
    return data_values_write(
        inputs=inputs, by=users["a.reporter"], channel=kwargs.pop("channel", Channel.FORM), **kwargs
    )


def test_create_update_delete_each_audited(users, value_input):
    result = write(users, [value_input("DOSSIERS_TOTAL", "1.234")], decimal_separator=",")
    assert (result.created, result.ok) == (1, True)
    stored = DataValue.objects.get(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01")
    assert stored.value == Decimal("1234")
    write(users, [value_input("DOSSIERS_TOTAL", "1300")])
    write(users, [value_input("DOSSIERS_TOTAL", "")])
    audits = list(
        DataValueAudit.objects.filter(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01").order_by("pk")
    )
    assert [a.action for a in audits] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert [(a.old_value, a.new_value) for a in audits] == [
        (None, Decimal("1234")),
        (Decimal("1234"), Decimal("1300")),
        (Decimal("1300"), None),
    ]
    assert all(a.changed_by.username == "a.reporter" and a.channel == Channel.FORM for a in audits)
    assert not DataValue.objects.filter(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01").exists()


def test_same_value_is_not_rewritten_nor_audited(users, value_input):
    write(users, [value_input("DOSSIERS_TOTAL", "500")])
    result = write(users, [value_input("DOSSIERS_TOTAL", "500.0")], channel=Channel.API)
    assert (result.unchanged, result.updated) == (1, 0)
    assert DataValueAudit.objects.filter(data_element__code="DOSSIERS_TOTAL", org_unit__code="P01").count() == 1


@pytest.mark.parametrize(
    "code, raw, reason",
    [
        ("DOSSIERS_DIGITISED_RATE", "120", "100"),
        ("DOSSIERS_TOTAL", "-5", "0"),
        ("DOSSIERS_TOTAL", "mười", "không phải là số"),
        ("DOSSIERS_TOTAL", "12,5", "số nguyên"),
        ("DOSSIERS_TOTAL", "1e30", "không dùng được"),
    ],
)
def test_bad_values_are_refused_with_the_reason(users, value_input, code, raw, reason):
    result = write(users, [value_input(code, raw, row=7)], decimal_separator=",")
    assert not result.ok
    problem = result.problems[0]
    assert (problem.row, problem.data_element, problem.org_unit, problem.period) == (7, code, "P01", "202510")
    assert reason in problem.reason
    assert not DataValue.objects.filter(data_element__code=code, org_unit__code="P01").exists()


def test_one_bad_value_saves_nothing_unless_valid_only(users, value_input):
    inputs = [value_input("DOSSIERS_TOTAL", "100"), value_input("DOSSIERS_ONLINE", "-1")]
    assert not write(users, inputs).ok
    assert not DataValue.objects.filter(org_unit__code="P01", period__code="202510").exists()
    result = write(users, inputs, valid_only=True)
    assert (result.created, len(result.problems)) == (1, 1)


def test_outside_scope_locked_duplicate_wrong_period_and_vanished_unit(users, value_input, report_a):
    tuyen_quang = OrgUnit.objects.get(code="P08")
    ha_giang = OrgUnit.objects.get(code="P02_63")
    report_a.status = ReportStatus.SUBMITTED
    report_a.save()
    result = write(
        users,
        [
            value_input("DOSSIERS_TOTAL", "1", unit=tuyen_quang),
            value_input("DOSSIERS_ONLINE", "1"),  # Hà Nội's October report is submitted: locked
            value_input("HH_TOTAL", "1", period="202510"),  # a quarterly figure for a month
            value_input("DOSSIERS_TOTAL", "1", period="202409", unit=OrgUnit.objects.get(code="P01")),
            value_input("DOSSIERS_TOTAL", "2", period="202409"),
            value_input("DOSSIERS_TOTAL", "1", period="202409", unit=ha_giang),
        ],
    )
    reasons = [p.reason for p in result.problems]
    assert len(reasons) == 6
    assert "phạm vi nhập liệu" in reasons[0]
    assert "bị khóa" in reasons[1]
    assert "202510" in reasons[2]
    assert "chưa tồn tại" in reasons[3] or "không tồn tại" in reasons[3]
    assert "hai lần" in reasons[4] or "không tồn tại" in reasons[4]
    assert "phạm vi nhập liệu" in reasons[5]


@pytest.mark.parametrize(
    "raw, separator, expected",
    [
        ("1.234,5", ",", Decimal("1234.5")),
        ("1,234.5", ".", Decimal("1234.5")),
        ("1234.5", None, Decimal("1234.5")),
        (" 12 ", ",", Decimal("12")),
        ("85%", ",", Decimal("85")),
        ("có", ",", Decimal("1")),
        (7, None, Decimal("7")),
        ("", ",", None),
    ],
)
def test_parse_value(raw, separator, expected):
    value_type = "BOOLEAN" if raw == "có" else "NUMBER"
    assert parse_value(raw, value_type=value_type, decimal_separator=separator) == expected


def test_parse_boolean_refuses_other_numbers():
    with pytest.raises(ValueRejected):
        parse_value("2", value_type="BOOLEAN")


def test_locked_figure_sent_again_unchanged_is_not_a_problem(users, value_input, report_a):
    write(users, [value_input("DOSSIERS_TOTAL", "150")])
    report_a.status = ReportStatus.SUBMITTED
    report_a.save()
    same = write(users, [value_input("DOSSIERS_TOTAL", "150")])
    assert same.ok and same.unchanged == 1
    changed = write(users, [value_input("DOSSIERS_TOTAL", "151")])
    assert not changed.ok
