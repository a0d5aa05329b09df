"""The map data built at setup: every one of our 63 former and 34 current provinces has exactly
one valid shape, the shapes tile the country without gaps or overlaps, and each of the 34 is
the union of the former provinces the registry says it was made of."""

import pytest
import shapely
from shapely.geometry import shape

from giamsat.maps.build import maps_build
from giamsat.maps.engine.shapes import names_match
from giamsat.maps.selectors import map_data
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit, OrgUnitLineage

pytestmark = pytest.mark.django_db


def _provinces(*, former: bool) -> set[str]:
    rows = OrgUnit.objects.filter(type=OrgUnitType.PROVINCE, valid_to__isnull=not former)
    return set(rows.values_list("code", flat=True))


def test_every_province_of_the_registry_has_exactly_one_shape():
    data = map_data()
    former, current = _provinces(former=True), _provinces(former=False)
    assert len(former) == 63 and len(current) == 34
    assert set(data["provinces"]) == former | current  # one entry per code, nothing else


def test_every_source_shape_matches_one_of_our_provinces_by_its_names():
    """Matched again from our registry's names (Vietnamese, short, English), not the package's."""
    from giamsat.maps.build import FORMER_NAMES, echarts_collection
    from giamsat.maps.engine.shapes import echarts_decode

    sources = echarts_decode(echarts_collection())
    units = {
        u.code: [u.name_vi, u.short_name_vi, u.name_en, *FORMER_NAMES.get(u.code, [])]
        for u in OrgUnit.objects.filter(type=OrgUnitType.PROVINCE, valid_to__isnull=False)
    }
    matched = names_match(sources, units)
    assert len(matched) == 63 and len(set(matched.values())) == 63


@pytest.mark.parametrize("former", [True, False])
def test_the_shapes_tile_the_country(former):
    data = map_data()
    shapes = [shape(data["provinces"][code]) for code in sorted(_provinces(former=former))]
    assert all(s.is_valid and not s.is_empty for s in shapes)
    union = shapely.unary_union(shapes)
    assert sum(s.area for s in shapes) == pytest.approx(union.area, rel=1e-6)  # no overlaps
    assert 25 < union.area < 30  # square degrees: Viet Nam's mainland and near islands
    minx, miny, maxx, maxy = union.bounds
    assert 102 < minx < 103 and 8 < miny < 9 and 109 < maxx < 110 and 23 < maxy < 24


def test_each_of_the_34_is_the_union_of_its_former_provinces():
    data = map_data()
    links = OrgUnitLineage.objects.filter(
        successor__type=OrgUnitType.PROVINCE, predecessor__type=OrgUnitType.PROVINCE
    ).values_list("predecessor__code", "successor__code")
    parts: dict[str, list[str]] = {}
    for old, new in links:
        parts.setdefault(new, []).append(old)
    assert len(parts) == 34
    for new, olds in parts.items():
        union = shapely.unary_union([shape(data["provinces"][o]) for o in olds])
        merged = shape(data["provinces"][new])
        assert merged.symmetric_difference(union).area < 1e-3 * merged.area, new


def test_the_build_is_deterministic():
    assert maps_build() == maps_build()
