"""Names that identify a unit on their own (issue 13, point 6), on the real registry."""

import datetime as dt

import pytest

from giamsat.orgunits.models import OrgUnit
from giamsat.orgunits.selectors import orgunit_built_from, orgunit_labels

pytestmark = pytest.mark.django_db

BEFORE_MERGER = dt.date(2024, 12, 31)


def _units(*codes: str) -> list[OrgUnit]:
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes).select_related("parent")}
    return [found[c] for c in codes]


def test_ministry_it_units_carry_their_ministry():
    # In force together (Bộ Khoa học và Công nghệ's centre of before 01/03/2025 is another unit).
    units = OrgUnit.objects.filter(type="MINISTRY_IT_UNIT", name_vi="Trung tâm Công nghệ thông tin").active_on(
        dt.date(2025, 12, 31)
    )
    names = [u.display_name for u in units.select_related("parent")]
    assert len(names) >= 2 and len(set(names)) == len(names)
    assert all(n.startswith("Trung tâm Công nghệ thông tin — Bộ ") for n in names)
    assert OrgUnit.objects.get(code="P01").display_name == "Thành phố Hà Nội"  # others keep their name


@pytest.mark.parametrize(
    "code, on, expected",
    [
        ("P48", BEFORE_MERGER, "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)"),
        ("P48", dt.date(2025, 12, 31), "Thành phố Đà Nẵng"),  # after the merger: itself
        ("P01", BEFORE_MERGER, "Thành phố Hà Nội"),  # continues one unit of the same name
        ("P48_63", BEFORE_MERGER, "Thành phố Đà Nẵng"),  # a former unit over its own periods
        ("P48", None, "Thành phố Đà Nẵng"),  # no period: no lineage
    ],
)
def test_a_current_province_over_past_periods_says_what_it_is_built_from(code, on, expected):
    (unit,) = _units(code)
    assert orgunit_labels([unit], on=on)[unit.pk] == expected


def test_built_from_lists_the_units_in_force_then():
    danang, hcm = _units("P48", "P79")
    built = orgunit_built_from([danang, hcm], on=BEFORE_MERGER)
    assert {u.code for u in built[danang.pk]} == {"P48_63", "P49_63"}
    assert {u.code for u in built[hcm.pk]} == {"P79_63", "P74_63", "P77_63"}
    label = orgunit_labels([hcm], on=BEFORE_MERGER)[hcm.pk]
    assert label.startswith("Thành phố Hồ Chí Minh (Hồ Chí Minh cũ + ")
