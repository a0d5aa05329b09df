"""The registry loaded from real reference data (loaded once per test database)."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, Q

from giamsat.orgunits import selectors
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit, OrgUnitGroup, OrgUnitLineage
from giamsat.orgunits.services import registry_load

pytestmark = pytest.mark.django_db
BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)
TODAY = dt.date(2026, 11, 27)


def provinces(on):
    return OrgUnit.objects.filter(type=OrgUnitType.PROVINCE).active_on(on)


def test_34_provinces_today_and_63_before_the_merger():
    assert provinces(TODAY).count() == 34
    assert provinces(AFTER).count() == 34
    assert provinces(BEFORE).count() == 63
    assert selectors.province_count(dt.date(2020, 1, 1)) == 63


def test_3321_communes_today_each_under_a_current_province():
    communes = OrgUnit.objects.filter(type=OrgUnitType.COMMUNE).active_on(TODAY)
    assert communes.count() == 3321
    assert not communes.exclude(parent__type=OrgUnitType.PROVINCE).exists()
    assert not communes.exclude(parent__valid_to__isnull=True).exists()
    # Coordinates and areas come from vietnamadminunits, joined by name: every commune matched.
    assert communes.filter(latitude__isnull=True).count() == 0
    # The package itself has no area for these two communes of Quảng Trị.
    assert set(communes.filter(area_km2__isnull=True).values_list("name_vi", flat=True)) == {
        "Xã Thượng Trạch",
        "Xã Đông Trạch",
    }


def test_former_communes_ended_before_the_merger():
    former = OrgUnit.objects.filter(type=OrgUnitType.COMMUNE, valid_to=BEFORE)
    assert former.count() > 10_000
    assert not former.active_on(TODAY).exists()


def test_each_former_province_maps_to_exactly_one_current_one():
    links = OrgUnitLineage.objects.filter(
        predecessor__type=OrgUnitType.PROVINCE, predecessor__valid_to=BEFORE, event__date=AFTER
    )
    per_former = Counter(links.values_list("predecessor__code", flat=True))
    assert len(per_former) == 63
    assert set(per_former.values()) == {1}
    assert not links.exclude(successor__valid_from=AFTER).exists()


def test_every_current_province_has_at_least_one_predecessor():
    counts = provinces(TODAY).annotate(n=Count("predecessor_links"))
    assert counts.count() == 34
    assert min(c.n for c in counts) >= 1
    assert sum(c.n for c in counts) == 63


def test_known_mergers():
    tuyen_quang = OrgUnit.objects.get(code="P08")
    predecessors, _ = selectors.orgunit_lineage(tuyen_quang)
    assert {p.unit.short_name_vi for p in predecessors} == {"Hà Giang", "Tuyên Quang"}
    hcm = OrgUnit.objects.get(code="P79")
    predecessors, _ = selectors.orgunit_lineage(hcm)
    assert {p.unit.short_name_vi for p in predecessors} == {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"}


def test_every_former_commune_has_a_successor():
    orphan = OrgUnit.objects.filter(type=OrgUnitType.COMMUNE, valid_to=BEFORE).filter(successor_links__isnull=True)
    assert orphan.count() == 0


def test_split_communes_have_one_primary_successor():
    split = (
        OrgUnitLineage.objects.filter(weight__isnull=True, predecessor__type=OrgUnitType.COMMUNE)
        .values("predecessor")
        .annotate(n=Count("pk"), primaries=Count("pk", filter=Q(is_primary=True)))
    )
    assert split.count() > 100
    assert all(row["n"] >= 2 for row in split)
    assert all(row["primaries"] == 1 for row in split)


def test_provincial_departments_follow_the_ministries():
    today = OrgUnit.objects.filter(type=OrgUnitType.PROVINCIAL_DEPT).active_on(TODAY)
    assert today.count() == 34
    assert all(d.name_vi.startswith("Sở Khoa học và Công nghệ") for d in today)
    early_2025 = OrgUnit.objects.filter(type=OrgUnitType.PROVINCIAL_DEPT).active_on(dt.date(2025, 2, 1))
    assert early_2025.count() == 63
    assert all(d.name_vi.startswith("Sở Thông tin và Truyền thông") for d in early_2025)
    spring_2025 = OrgUnit.objects.filter(type=OrgUnitType.PROVINCIAL_DEPT).active_on(dt.date(2025, 4, 1))
    assert spring_2025.count() == 63


def test_the_ministry_before_and_after_2025_03_01():
    mic = OrgUnit.objects.get(code="BO_TTTT")
    most = OrgUnit.objects.get(code="BO_KHCN")
    assert mic.valid_to == dt.date(2025, 2, 28)
    assert most.valid_from == dt.date(2025, 3, 1)
    assert OrgUnitLineage.objects.filter(predecessor=mic, successor=most).exists()
    # The press domain's departments moved to the Ministry of Culture, Sports and Tourism.
    press = OrgUnit.objects.get(code="BO_VHTTDL.CUC_BAOCHI")
    assert OrgUnitLineage.objects.filter(predecessor__code="BO_TTTT.CUC_BAOCHI", successor=press).exists()


def test_ministry_it_units_are_under_their_ministries():
    it_units = OrgUnit.objects.filter(type=OrgUnitType.MINISTRY_IT_UNIT).active_on(TODAY)
    assert it_units.count() >= 15
    assert not it_units.exclude(parent__type=OrgUnitType.MINISTRY).exists()


def test_groups():
    regions = OrgUnitGroup.objects.filter(group_set__code="REGIONS")
    assert regions.count() == 6
    current = provinces(TODAY)
    for province in current:
        assert province.group_memberships.filter(group__group_set__code="REGIONS").count() == 1, province.code
    assert OrgUnitGroup.objects.get(code="PROVINCES_63").memberships.count() == 63
    cities = OrgUnitGroup.objects.get(code="CENTRAL_CITIES").memberships.filter(org_unit__valid_to__isnull=True)
    assert cities.count() == 6


def test_subtree_is_one_query_at_any_depth(django_assert_num_queries):
    hanoi = OrgUnit.objects.get(code="P01")
    with django_assert_num_queries(1):
        codes = list(selectors.subtree(hanoi).values_list("code", flat=True))
    assert "X00004" in codes and len(codes) == 126 + 2  # communes, the province and its Sở
    root = OrgUnit.objects.get(code="VN")
    with django_assert_num_queries(1):
        assert selectors.subtree(root, on=BEFORE).filter(type=OrgUnitType.COMMUNE).count() > 10_000


def test_search_without_diacritics_finds_ha_noi():
    results = list(selectors.orgunit_search(OrgUnit.objects.all(), "ha noi", on=TODAY))
    assert results[0].code == "P01"
    assert results[0].name_vi == "Thành phố Hà Nội"
    former = list(selectors.orgunit_search(OrgUnit.objects.all(), "Hà Nội", on=BEFORE))
    assert former[0].code == "P01_63"


def test_loader_is_idempotent():
    summary = registry_load()
    assert summary.units_created == 0
    assert summary.units_updated == 0


def test_paths_and_levels_are_consistent():
    for unit in OrgUnit.objects.filter(code__in=["VN", "P01", "X00004", "H001_63", "X00001_63", "CP", "BO_KHCN"]):
        assert unit.path.endswith(unit.code + "/")
        assert unit.level == unit.path.count("/")
        if unit.parent_id:
            assert unit.path.startswith(unit.parent.path)
