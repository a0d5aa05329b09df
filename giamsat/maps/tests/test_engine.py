"""The maps' pure geometry: ECharts' compressed encoding, name matching, the coverage built."""

import pytest
from shapely.geometry import shape

from giamsat.maps.engine.shapes import ShapeMatchError, coverage_build, echarts_decode, name_key, names_match


def _encode(points, scale=1024):
    """ECharts' UTF8Encoding of one ring (what its map tools write), for the round trip."""
    quantised = [(round(x * scale), round(y * scale)) for x, y in points]
    offset = quantised[0]
    text, prev = [], offset
    for x, y in quantised:
        for delta in (x - prev[0], y - prev[1]):
            text.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
        prev = (x, y)
    return "".join(text), list(offset)


def test_decode_gives_back_the_encoded_ring():
    ring = [(105.0, 21.0), (105.5, 21.0), (105.5, 21.25), (105.0, 21.0)]
    text, offset = _encode(ring)
    collection = {
        "UTF8Encoding": True,
        "features": [
            {
                "properties": {"name": "A"},
                "geometry": {"type": "Polygon", "coordinates": [text], "encodeOffsets": [offset]},
            },
            {
                "properties": {"name": "B"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[text]], "encodeOffsets": [[offset]]},
            },
        ],
    }
    shapes = echarts_decode(collection)
    assert shapes["A"] == {"type": "Polygon", "coordinates": [ring]}
    assert shapes["B"] == {"type": "MultiPolygon", "coordinates": [[ring]]}


def test_plain_geojson_is_kept():
    geometry = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert echarts_decode({"features": [{"properties": {"name": "X"}, "geometry": geometry}]}) == {"X": geometry}


@pytest.mark.parametrize(
    "name, key",
    [
        ("Ba Ria–Vung Tau province", "bariavungtau"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "bariavungtau"),
        ("Hanoi", "hanoi"),
        ("Thành phố Hà Nội", "hanoi"),
        ("Tỉnh Hải Dương", "haiduong"),
        ("Can Tho City", "cantho"),
        ("Gia Lai Province", "gialai"),
        ("Thua Thien–Hue province", "thuathienhue"),
        ("Đắk Lắk", "daklak"),
    ],
)
def test_name_key_folds_diacritics_kinds_and_separators(name, key):
    assert name_key(name) == key


def test_names_match_each_unit_exactly_once():
    units = {"P01_63": ["Thành phố Hà Nội", "Hà Nội"], "P92_63": ["Thành phố Cần Thơ", "Cần Thơ"]}
    assert names_match(["Hanoi", "Can Tho City"], units) == {"P01_63": "Hanoi", "P92_63": "Can Tho City"}


@pytest.mark.parametrize(
    "sources, message",
    [
        (["Hanoi"], "no shape for P92_63"),
        (["Hanoi", "Can Tho City", "Atlantis"], "'Atlantis' matches no unit"),
        (["Hanoi", "Ha Noi", "Can Tho City"], "both match P01_63"),
    ],
)
def test_names_match_refuses_a_missing_unknown_or_double_match(sources, message):
    units = {"P01_63": ["Thành phố Hà Nội"], "P92_63": ["Thành phố Cần Thơ"]}
    with pytest.raises(ShapeMatchError, match=message):
        names_match(sources, units)


def test_coverage_build_dissolves_neighbours_without_gaps():
    left = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    right = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    alone = {"type": "Polygon", "coordinates": [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]}
    former, current = coverage_build(
        {"A_63": left, "B_63": right, "C_63": alone}, {"N1": ["A_63", "B_63"], "N2": ["C_63"]}, tolerance=0.01
    )
    assert set(former) == {"A_63", "B_63", "C_63"}
    merged = shape(current["N1"])
    assert merged.geom_type == "Polygon" and merged.is_valid
    assert merged.area == pytest.approx(2.0)
    assert shape(current["N2"]).area == pytest.approx(1.0)
