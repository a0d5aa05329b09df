"""Pure geometry for the offline maps (no ORM, no files): ECharts' compressed GeoJSON decoded,
source names matched to our unit codes, the 63 former provinces simplified as one coverage
and dissolved into the 34 along the 2025 mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import shapely
from shapely.geometry import mapping, shape

from giamsat.core.text import fold

# ECharts' "UTF8Encoding": each vertex is two characters, zig-zag encoded deltas from the ring's
# encodeOffsets, in 1/1024 of a degree unless the file says otherwise (UTF8Scale).
DEFAULT_SCALE = 1024
# Words that say what kind of unit a name is, in the source's English or Vietnamese.
_KIND_WORDS = re.compile(r"\b(province|city|tinh|thanh pho)\b")
# Coordinates kept to 1/1000 of a degree (~100 m, the source's own precision).
DECIMALS = 3


class ShapeMatchError(ValueError):
    """A source name that matches no unit, or more than one."""


def _decode_ring(text: str, offset: Iterable[int], scale: float) -> list[tuple[float, float]]:
    x_prev, y_prev = offset
    points = []
    for i in range(0, len(text) - 1, 2):
        x = ord(text[i]) - 64
        y = ord(text[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x_prev, y_prev = x + x_prev, y + y_prev
        points.append((x_prev / scale, y_prev / scale))
    return points


def echarts_decode(collection: Mapping) -> dict[str, dict]:
    """ECharts' registerMap() GeoJSON, compressed or not → {feature name: GeoJSON geometry}."""
    encoded = bool(collection.get("UTF8Encoding"))
    scale = collection.get("UTF8Scale") or DEFAULT_SCALE
    shapes: dict[str, dict] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        name = feature["properties"]["name"]
        if not encoded:
            shapes[name] = geometry
            continue
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            rings = [
                _decode_ring(ring, offset, scale) for ring, offset in zip(geometry["coordinates"], offsets, strict=True)
            ]
            shapes[name] = {"type": "Polygon", "coordinates": rings}
        elif geometry["type"] == "MultiPolygon":
            polygons = [
                [_decode_ring(ring, offset, scale) for ring, offset in zip(polygon, polygon_offsets, strict=True)]
                for polygon, polygon_offsets in zip(geometry["coordinates"], offsets, strict=True)
            ]
            shapes[name] = {"type": "MultiPolygon", "coordinates": polygons}
        else:
            raise ValueError(f"unexpected geometry {geometry['type']} for {name}")
    return shapes


def name_key(name: str) -> str:
    """'Ba Ria–Vung Tau province', 'Tỉnh Bà Rịa - Vũng Tàu' → 'bariavungtau'; 'Hanoi' and
    'Thành phố Hà Nội' → 'hanoi': diacritics folded, the kind of unit and every separator dropped."""
    return _KIND_WORDS.sub(" ", fold(name)).replace(" ", "")


def names_match(source_names: Iterable[str], units: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{unit code: source name}, each unit given by its names (full, short, English). Every source
    name must match exactly one unit and every unit exactly one source name."""
    by_key: dict[str, set[str]] = {}
    for code, names in units.items():
        for name in names:
            if name:
                by_key.setdefault(name_key(name), set()).add(code)
    matched: dict[str, str] = {}
    problems = []
    for source in source_names:
        codes = by_key.get(name_key(source), set())
        if len(codes) != 1:
            problems.append(f"{source!r} matches {sorted(codes) or 'no unit'}")
            continue
        (code,) = codes
        if code in matched:
            problems.append(f"{source!r} and {matched[code]!r} both match {code}")
        matched[code] = source
    missing = sorted(set(units) - set(matched))
    if missing:
        problems.append(f"no shape for {', '.join(missing)}")
    if problems:
        raise ShapeMatchError("; ".join(problems))
    return matched


def _rounded(geometry) -> dict:
    """GeoJSON of a geometry with coordinates rounded to DECIMALS, as lists."""
    rounded = shapely.set_precision(geometry, 10**-DECIMALS)
    data = mapping(rounded)

    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
            return [round(value[0], DECIMALS), round(value[1], DECIMALS)]
        return [walk(v) for v in value]

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def coverage_build(
    former: Mapping[str, dict], merges: Mapping[str, Iterable[str]], *, tolerance: float
) -> tuple[dict[str, dict], dict[str, dict]]:
    """The former units simplified together (shared borders stay shared: no gaps, no overlaps)
    and each new unit as the union of its former ones. Returns ({former code: geometry},
    {new code: geometry}) as GeoJSON geometries."""
    codes = sorted(former)
    geometries = [shapely.make_valid(shape(former[code])) for code in codes]
    simplified = shapely.coverage_simplify(geometries, tolerance) if tolerance else geometries
    by_code = dict(zip(codes, simplified, strict=True))
    current = {}
    for new_code, old_codes in sorted(merges.items()):
        union = shapely.unary_union([by_code[c] for c in old_codes])
        current[new_code] = _rounded(union)
    return {code: _rounded(geometry) for code, geometry in by_code.items()}, current
