"""Reference data for the unit registry, read from the two PyPI packages and our data files.

- `vietnam-provinces` (2025.10.1): the 34 provincial units and 3,321 communes in force since
  2025-07-01, with GSO codes. It is the authority for current codes and names.
- `vietnamadminunits` (MIT licence, © 2025 Tran Ngoc Minh Hieu): the 63 former provinces,
  their districts and ~10,000 communes, the 63 → 34 province mapping, the former → current
  commune mapping (including communes split between several new ones) and the coordinates
  and areas of current communes.
- `data/*.csv` in this app: what the packages lack (ministries and their departments, other
  ministries' IT units, regions, centrally-run cities), each with a header citing its source.

Everything here is pure reading: `registry_load` in services.py writes it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from giamsat.core.text import fold, nfc_key

from .choices import OrgUnitType, RestructuringKind

DATA_DIR = Path(__file__).resolve().parent / "data"

# The 63-province map took its last shape when Hà Tây joined Hà Nội (NQ 15/2008/QH12).
STRUCTURE_63_FROM = dt.date(2008, 8, 1)
STRUCTURE_63_TO = dt.date(2025, 6, 30)
STRUCTURE_34_FROM = dt.date(2025, 7, 1)
# Provincial Sở TT&TT merged into Sở KH&CN following the ministries' merger of 2025-03-01.
DEPT_MERGE_DATE = dt.date(2025, 3, 1)

ROOT_COUNTRY = "VN"
ROOT_GOVERNMENT = "CP"

PROVINCE_MERGER_BASIS = "Nghị quyết 202/2025/QH15 ngày 12/6/2025 về sắp xếp đơn vị hành chính cấp tỉnh"
COMMUNE_MERGER_BASIS = "Các nghị quyết năm 2025 của Ủy ban Thường vụ Quốc hội về sắp xếp ĐVHC cấp xã"
PACKAGE_CURRENT = "PyPI vietnam-provinces 2025.10.1"
PACKAGE_FORMER = "PyPI vietnamadminunits 1.0.4 (MIT)"


@dataclass
class UnitRecord:
    code: str
    name_vi: str
    name_en: str
    type: str
    parent_code: str | None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    short_name_vi: str = ""
    official_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    area_km2: Decimal | None = None
    source: str = ""


@dataclass
class LinkRecord:
    predecessor: str
    successor: str
    weight: Decimal | None = Decimal(1)
    is_primary: bool = True


@dataclass
class EventRecord:
    code: str
    kind: str
    date: dt.date
    name_vi: str
    name_en: str
    legal_basis: str
    links: list[LinkRecord] = field(default_factory=list)


@dataclass
class GroupRecord:
    code: str
    name_vi: str
    name_en: str
    group_set: str
    source: str = ""
    members: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)


@dataclass
class Reference:
    units: list[UnitRecord]
    events: list[EventRecord]
    group_sets: list[tuple[str, str, str]]
    groups: list[GroupRecord]


# --- names -------------------------------------------------------------------------------

_EN_SUFFIX = {
    "thành phố": "City",
    "tỉnh": "Province",
    "phường": "Ward",
    "xã": "Commune",
    "thị trấn": "Township",
    "đặc khu": "Special Zone",
    "quận": "Urban District",
    "huyện": "District",
    "thị xã": "Town",
}


def english_name(name_vi: str) -> str:
    """'Thành phố Hà Nội' -> 'Ha Noi City'; 'Xã Đắk Song' -> 'Dak Song Commune'."""
    lowered = name_vi.lower()
    for prefix in sorted(_EN_SUFFIX, key=len, reverse=True):
        if lowered.startswith(prefix + " "):
            return f"{_title_ascii(name_vi[len(prefix) + 1 :])} {_EN_SUFFIX[prefix]}"
    return _title_ascii(name_vi)


def _title_ascii(text: str) -> str:
    return " ".join(w if w.isdigit() else w.capitalize() for w in fold(text).split())


def _decimal(value, places: int) -> Decimal | None:
    if value is None or value == "":
        return None
    return round(Decimal(str(value)), places)


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# --- data files --------------------------------------------------------------------------


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of one of our data files; lines starting with '#' are its cited header."""
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


# --- packages ----------------------------------------------------------------------------


@cache
def _current_divisions() -> list[dict]:
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    return json.loads(Path(NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))


def _vau_path(name: str) -> Path:
    return Path(str(resources.files("vietnamadminunits") / "data" / name))


def _vau_rows(sql: str) -> list[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{_vau_path('dataset.db')}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def province_code(gso: int | str) -> str:
    return f"P{int(gso):02d}"


def former(code: str) -> str:
    return f"{code}_63"


def commune_code(gso: int | str) -> str:
    return f"X{int(gso):05d}"


def district_code(gso: int | str) -> str:
    return f"H{int(gso):03d}"


def dept_code(prefix: str, gso: int | str) -> str:
    return f"{prefix}_{int(gso):02d}"


def _province_full_name(province: dict) -> str:
    name = province["name"]
    return name if name.lower().startswith(("thành phố", "tỉnh")) else f"Tỉnh {name}"


def _short(name: str) -> str:
    lowered = name.lower()
    for prefix in sorted(_EN_SUFFIX, key=len, reverse=True):
        if lowered.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def _dept_name(kind_vi: str, province_name: str) -> str:
    """'Sở Khoa học và Công nghệ' + 'Tỉnh Cao Bằng' -> '... tỉnh Cao Bằng'."""
    return f"{kind_vi} {province_name[0].lower()}{province_name[1:]}"


# --- the territorial tree ----------------------------------------------------------------


def _former_structure() -> tuple[list[UnitRecord], dict[str, str], dict[str, str]]:
    """Former provinces, districts and communes; keys → codes for the converter's mapping."""
    units: list[UnitRecord] = []
    province_by_key: dict[str, str] = {}
    commune_by_key: dict[str, str] = {}
    seen: set[str] = set()
    rows = _vau_rows("SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode")
    for row in rows:
        p_code = former(province_code(row["provinceCode"]))
        if p_code not in seen:
            seen.add(p_code)
            province_by_key[row["provinceKey"]] = p_code
            units.append(
                UnitRecord(
                    code=p_code,
                    name_vi=row["province"],
                    name_en=english_name(row["province"]),
                    short_name_vi=row["provinceShort"],
                    type=OrgUnitType.PROVINCE,
                    parent_code=ROOT_COUNTRY,
                    valid_from=STRUCTURE_63_FROM,
                    valid_to=STRUCTURE_63_TO,
                    official_code=row["provinceCode"],
                    latitude=_decimal(row["provinceLat"], 6),
                    longitude=_decimal(row["provinceLon"], 6),
                    source=PACKAGE_FORMER,
                )
            )
        d_code = former(district_code(row["districtCode"]))
        if d_code not in seen:
            seen.add(d_code)
            units.append(
                UnitRecord(
                    code=d_code,
                    name_vi=row["district"],
                    name_en=english_name(row["district"]),
                    short_name_vi=row["districtShort"],
                    type=OrgUnitType.DISTRICT,
                    parent_code=p_code,
                    valid_from=STRUCTURE_63_FROM,
                    valid_to=STRUCTURE_63_TO,
                    official_code=row["districtCode"],
                    latitude=_decimal(row["districtLat"], 6),
                    longitude=_decimal(row["districtLon"], 6),
                    source=PACKAGE_FORMER,
                )
            )
        key = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"
        if not row["wardCode"]:
            # Island districts without communes (Bạch Long Vĩ, Côn Đảo, ...) became special zones.
            commune_by_key[key] = d_code
            continue
        c_code = former(commune_code(row["wardCode"]))
        commune_by_key[key] = c_code
        if c_code not in seen:
            seen.add(c_code)
            units.append(
                UnitRecord(
                    code=c_code,
                    name_vi=row["ward"],
                    name_en=english_name(row["ward"]),
                    short_name_vi=row["wardShort"],
                    type=OrgUnitType.COMMUNE,
                    parent_code=d_code,
                    valid_from=STRUCTURE_63_FROM,
                    valid_to=STRUCTURE_63_TO,
                    official_code=row["wardCode"],
                    latitude=_decimal(row["wardLat"], 6),
                    longitude=_decimal(row["wardLon"], 6),
                    source=PACKAGE_FORMER,
                )
            )
    return units, province_by_key, commune_by_key


def _current_structure() -> tuple[list[UnitRecord], dict[tuple[str, str], str]]:
    """The 34 provinces and 3,321 communes, with coordinates joined from vietnamadminunits."""
    geo_rows = _vau_rows("SELECT * FROM admin_units")
    province_geo = {int(r["provinceCode"]): r for r in geo_rows}
    by_exact: dict[tuple[int, str], sqlite3.Row] = {}
    by_ascii: dict[tuple[int, str], list[sqlite3.Row]] = defaultdict(list)
    for r in geo_rows:
        by_exact[(int(r["provinceCode"]), nfc_key(r["ward"]))] = r
        by_ascii[(int(r["provinceCode"]), fold(r["ward"]))].append(r)

    units: list[UnitRecord] = []
    commune_by_key: dict[tuple[str, str], str] = {}
    for province in _current_divisions():
        gso = province["code"]
        p_code = province_code(gso)
        full_name = _province_full_name(province)
        geo = province_geo.get(gso)
        units.append(
            UnitRecord(
                code=p_code,
                name_vi=full_name,
                name_en=english_name(full_name),
                short_name_vi=_short(full_name),
                type=OrgUnitType.PROVINCE,
                parent_code=ROOT_COUNTRY,
                valid_from=STRUCTURE_34_FROM,
                official_code=f"{gso:02d}",
                latitude=_decimal(geo["provinceLat"], 6) if geo else None,
                longitude=_decimal(geo["provinceLon"], 6) if geo else None,
                source=PACKAGE_CURRENT,
            )
        )
        for ward in province["wards"]:
            c_code = commune_code(ward["code"])
            match = by_exact.get((gso, nfc_key(ward["name"])))
            if match is None:
                candidates = by_ascii.get((gso, fold(ward["name"])), [])
                match = candidates[0] if len(candidates) == 1 else None
            if match is not None:
                commune_by_key[(match["provinceKey"], match["wardKey"])] = c_code
            units.append(
                UnitRecord(
                    code=c_code,
                    name_vi=ward["name"],
                    name_en=english_name(ward["name"]),
                    short_name_vi=_short(ward["name"]),
                    type=OrgUnitType.COMMUNE,
                    parent_code=p_code,
                    valid_from=STRUCTURE_34_FROM,
                    official_code=f"{ward['code']:05d}",
                    latitude=_decimal(match["wardLat"], 6) if match else None,
                    longitude=_decimal(match["wardLon"], 6) if match else None,
                    area_km2=_decimal(match["wardAreaKm2"], 2) if match else None,
                    source=PACKAGE_CURRENT,
                )
            )
    return units, commune_by_key


def _converter() -> dict:
    return json.loads(_vau_path("converter_2025.json").read_text(encoding="utf-8"))


def _territorial_events(
    former_province_by_key: dict[str, str],
    former_commune_by_key: dict[str, str],
    current_commune_by_key: dict[tuple[str, str], str],
    current_province_by_key: dict[str, str],
) -> list[EventRecord]:
    conv = _converter()
    events: list[EventRecord] = []
    for new_key, old_keys in sorted(conv["DICT_PROVINCE"].items()):
        new_code = current_province_by_key[new_key]
        olds = [former_province_by_key[k] for k in old_keys]
        merged = len(olds) > 1
        events.append(
            EventRecord(
                code=f"E20250701_{new_code}",
                kind=RestructuringKind.MERGE if merged else RestructuringKind.REORGANIZE,
                date=STRUCTURE_34_FROM,
                name_vi=(
                    f"Hợp nhất {len(olds)} tỉnh, thành phố thành {new_code}"
                    if merged
                    else f"Sắp xếp đơn vị hành chính 2025: {new_code} giữ nguyên địa giới cấp tỉnh"
                ),
                name_en=(
                    f"{len(olds)} provinces merged into {new_code}"
                    if merged
                    else f"2025 arrangement: {new_code} kept its provincial boundary"
                ),
                legal_basis=PROVINCE_MERGER_BASIS,
                links=[LinkRecord(old, new_code) for old in olds],
            )
        )

    # Communes: whole former communes merged into one new one, or split between several.
    links_by_province: dict[str, dict[tuple[str, str], LinkRecord]] = defaultdict(dict)
    for new_province_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        p_code = current_province_by_key[new_province_key]
        for new_ward_key, old_keys in wards.items():
            new_code = current_commune_by_key.get((new_province_key, new_ward_key))
            for old_key in old_keys:
                old_code = former_commune_by_key.get(old_key)
                if new_code and old_code:
                    links_by_province[p_code][(old_code, new_code)] = LinkRecord(old_code, new_code)
    for new_province_key, old_wards in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        p_code = current_province_by_key[new_province_key]
        for old_key, targets in old_wards.items():
            old_code = former_commune_by_key.get(old_key)
            for target in targets:
                new_code = current_commune_by_key.get((new_province_key, target["newWardKey"]))
                if new_code and old_code:
                    # The package does not say how the commune was shared: weight unknown.
                    links_by_province[p_code][(old_code, new_code)] = LinkRecord(
                        old_code, new_code, weight=None, is_primary=bool(target["isDefaultNewWard"])
                    )
    for p_code, links in sorted(links_by_province.items()):
        events.append(
            EventRecord(
                code=f"E20250701_COMMUNES_{p_code}",
                kind=RestructuringKind.REORGANIZE,
                date=STRUCTURE_34_FROM,
                name_vi=f"Sắp xếp đơn vị hành chính cấp xã năm 2025 ({p_code})",
                name_en=f"2025 commune arrangement ({p_code})",
                legal_basis=COMMUNE_MERGER_BASIS,
                links=list(links.values()),
            )
        )
    return events


def _provincial_departments(
    former_provinces: list[UnitRecord], current_provinces: list[UnitRecord], province_merges: dict[str, list[str]]
) -> tuple[list[UnitRecord], list[EventRecord]]:
    """Sở TT&TT of the 63 → Sở KH&CN of the 63 (2025-03-01) → Sở KH&CN of the 34 (2025-07-01)."""
    units: list[UnitRecord] = []
    events: list[EventRecord] = []
    for province in former_provinces:
        gso = province.official_code
        tttt = former(dept_code("STTTT", gso))
        khcn = former(dept_code("SKHCN", gso))
        units.append(
            UnitRecord(
                code=tttt,
                name_vi=_dept_name("Sở Thông tin và Truyền thông", province.name_vi),
                name_en=f"Department of Information and Communications of {province.name_en}",
                type=OrgUnitType.PROVINCIAL_DEPT,
                parent_code=province.code,
                valid_from=STRUCTURE_63_FROM,
                valid_to=DEPT_MERGE_DATE - dt.timedelta(days=1),
                official_code=gso,
                source="Nghị định 13/2008/NĐ-CP; Thông tư 06/2020/TT-BTTTT",
            )
        )
        units.append(
            UnitRecord(
                code=khcn,
                name_vi=_dept_name("Sở Khoa học và Công nghệ", province.name_vi),
                name_en=f"Department of Science and Technology of {province.name_en}",
                type=OrgUnitType.PROVINCIAL_DEPT,
                parent_code=province.code,
                valid_from=DEPT_MERGE_DATE,
                valid_to=STRUCTURE_63_TO,
                official_code=gso,
                source="Nghị định 45/2025/NĐ-CP (tổ chức các cơ quan chuyên môn thuộc UBND cấp tỉnh)",
            )
        )
        events.append(
            EventRecord(
                code=f"E20250301_{khcn}",
                kind=RestructuringKind.MERGE,
                date=DEPT_MERGE_DATE,
                name_vi=(
                    f"Hợp nhất Sở Thông tin và Truyền thông vào Sở Khoa học và Công nghệ ({province.short_name_vi})"
                ),
                name_en=f"Information and Communications merged into Science and Technology ({province.name_en})",
                legal_basis="Nghị định 45/2025/NĐ-CP; quyết định của UBND tỉnh",
                links=[LinkRecord(tttt, khcn)],
            )
        )
    for province in current_provinces:
        gso = province.official_code
        code = dept_code("SKHCN", gso)
        units.append(
            UnitRecord(
                code=code,
                name_vi=_dept_name("Sở Khoa học và Công nghệ", province.name_vi),
                name_en=f"Department of Science and Technology of {province.name_en}",
                type=OrgUnitType.PROVINCIAL_DEPT,
                parent_code=province.code,
                valid_from=STRUCTURE_34_FROM,
                official_code=gso,
                source="Nghị định 45/2025/NĐ-CP; Nghị quyết 202/2025/QH15",
            )
        )
        events.append(
            EventRecord(
                code=f"E20250701_{code}",
                kind=RestructuringKind.MERGE,
                date=STRUCTURE_34_FROM,
                name_vi=f"Sắp xếp Sở Khoa học và Công nghệ theo tỉnh mới ({province.short_name_vi})",
                name_en=f"Departments of Science and Technology rearranged ({province.name_en})",
                legal_basis=PROVINCE_MERGER_BASIS,
                links=[LinkRecord(former(dept_code("SKHCN", p[1:3])), code) for p in province_merges[province.code]],
            )
        )
    return units, events


# --- the central government --------------------------------------------------------------


def _central_units() -> tuple[list[UnitRecord], list[EventRecord]]:
    units = [
        UnitRecord(
            code=ROOT_GOVERNMENT,
            name_vi="Chính phủ",
            name_en="Government of Viet Nam",
            type=OrgUnitType.GOVERNMENT,
            parent_code=None,
        )
    ]
    links: dict[tuple[dt.date, str], list[LinkRecord]] = defaultdict(list)
    ministries_seen: set[str] = set()

    for row in read_data_csv("ministry_departments.csv"):
        parent = row["parent_code"] or ROOT_GOVERNMENT
        unit = UnitRecord(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            type=row["type"],
            parent_code=parent,
            valid_from=_date(row["valid_from"]),
            valid_to=_date(row["valid_to"]),
            source=row["source"][:255],
        )
        if unit.type == OrgUnitType.MINISTRY:
            ministries_seen.add(unit.code)
        units.append(unit)
        for pred in filter(None, row["predecessor_codes"].split("|")):
            ministry = row["code"] if unit.type == OrgUnitType.MINISTRY else parent
            links[(unit.valid_from, ministry)].append(LinkRecord(pred.strip(), unit.code))

    it_rows = read_data_csv("ministry_it_units.csv")
    # A ministry known only through its IT units ends when the last of them ends.
    ministry_end: dict[str, dt.date | None] = {}
    for row in it_rows:
        end = _date(row["valid_to"])
        previous = ministry_end.get(row["ministry_code"], dt.date.min)
        ministry_end[row["ministry_code"]] = None if end is None or previous is None else max(previous, end)
    for row in it_rows:
        ministry = row["ministry_code"]
        if ministry not in ministries_seen:
            ministries_seen.add(ministry)
            units.append(
                UnitRecord(
                    code=ministry,
                    name_vi=row["ministry_name_vi"],
                    name_en=row["ministry_name_en"],
                    type=OrgUnitType.MINISTRY,
                    parent_code=ROOT_GOVERNMENT,
                    valid_to=ministry_end[ministry],
                    source=row["source"][:255],
                )
            )
        units.append(
            UnitRecord(
                code=row["code"],
                name_vi=row["name_vi"],
                name_en=row["name_en"],
                type=OrgUnitType.MINISTRY_IT_UNIT,
                parent_code=ministry,
                valid_from=_date(row["valid_from"]),
                valid_to=_date(row["valid_to"]),
                source=row["source"][:255],
            )
        )
        for pred in filter(None, row["predecessor_codes"].split("|")):
            links[(_date(row["valid_from"]), ministry)].append(LinkRecord(pred.strip(), row["code"]))

    events = [
        EventRecord(
            code=f"E{date:%Y%m%d}_{ministry}",
            kind=RestructuringKind.REORGANIZE,
            date=date,
            name_vi=f"Sắp xếp tổ chức bộ máy năm {date.year} ({ministry})",
            name_en=f"{date.year} government reorganisation ({ministry})",
            legal_basis="Nghị quyết 176/2025/QH15; Nghị định 25/2025/NĐ-CP",
            links=group_links,
        )
        for (date, ministry), group_links in sorted(
            links.items(), key=lambda item: (item[0][0] or dt.date.min, item[0][1])
        )
        if date is not None
    ]
    return units, events


# --- groups ------------------------------------------------------------------------------


def _groups(former_provinces: list[UnitRecord], current_provinces: list[UnitRecord]) -> tuple[list, list[GroupRecord]]:
    group_sets = [
        ("REGIONS", "Vùng kinh tế - xã hội", "Socio-economic regions"),
        ("CITY_CLASS", "Loại đơn vị hành chính cấp tỉnh", "Provincial unit class"),
        ("STRUCTURE", "Cơ cấu đơn vị hành chính", "Administrative structure"),
    ]
    regions: dict[str, GroupRecord] = {}
    for row in read_data_csv("regions.csv"):
        group = regions.setdefault(
            row["region_code"],
            GroupRecord(
                row["region_code"], row["region_name_vi"], row["region_name_en"], "REGIONS", row["source"][:255]
            ),
        )
        code = province_code(row["province_code"])
        group.members.append((former(code) if row["structure"] == "63" else code, None, None))

    cities = GroupRecord(
        "CENTRAL_CITIES",
        "Thành phố trực thuộc trung ương",
        "Centrally-run cities",
        "CITY_CLASS",
        "Nghị quyết 1314/NQ-UBTVQH15; Nghị quyết 202/2025/QH15",
    )
    for row in read_data_csv("centrally_run_cities.csv"):
        code = province_code(row["province_code"])
        cities.members.append(
            (former(code) if row["structure"] == "63" else code, _date(row["valid_from"]), _date(row["valid_to"]))
        )
    before = GroupRecord(
        "PROVINCES_63",
        "Các tỉnh, thành phố trước 01/07/2025",
        "Provinces before 01/07/2025",
        "STRUCTURE",
        PACKAGE_FORMER,
        [(p.code, None, None) for p in former_provinces],
    )
    after = GroupRecord(
        "PROVINCES_34",
        "Các tỉnh, thành phố từ 01/07/2025",
        "Provinces from 01/07/2025",
        "STRUCTURE",
        PROVINCE_MERGER_BASIS,
        [(p.code, None, None) for p in current_provinces],
    )
    return group_sets, [*regions.values(), cities, before, after]


# --- everything --------------------------------------------------------------------------


def build_reference() -> Reference:
    """All reference records, parents before children."""
    root = UnitRecord(
        code=ROOT_COUNTRY, name_vi="Việt Nam", name_en="Viet Nam", type=OrgUnitType.COUNTRY, parent_code=None
    )
    former_units, former_province_by_key, former_commune_by_key = _former_structure()
    current_units, current_commune_by_key = _current_structure()
    current_province_by_key = {
        r["provinceKey"]: province_code(r["provinceCode"])
        for r in _vau_rows("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    territorial_events = _territorial_events(
        former_province_by_key, former_commune_by_key, current_commune_by_key, current_province_by_key
    )
    former_provinces = [u for u in former_units if u.type == OrgUnitType.PROVINCE]
    current_provinces = [u for u in current_units if u.type == OrgUnitType.PROVINCE]
    province_merges = {
        e.links[0].successor: [link.predecessor for link in e.links]
        for e in territorial_events
        if e.code.startswith("E20250701_P")
    }
    dept_units, dept_events = _provincial_departments(former_provinces, current_provinces, province_merges)
    central_units, central_events = _central_units()
    group_sets, groups = _groups(former_provinces, current_provinces)
    units = [root, *former_units, *current_units, *dept_units, *central_units]
    return Reference(
        units=units,
        events=[*territorial_events, *dept_events, *central_events],
        group_sets=group_sets,
        groups=groups,
    )


def iter_levels(units: list[UnitRecord]) -> Iterator[list[UnitRecord]]:
    """Units grouped by depth, roots first, so parents always exist before children."""
    depth: dict[str, int] = {}
    by_code = {u.code: u for u in units}

    def depth_of(code: str) -> int:
        if code not in depth:
            parent = by_code[code].parent_code
            depth[code] = 1 if parent is None else depth_of(parent) + 1
        return depth[code]

    levels: dict[int, list[UnitRecord]] = defaultdict(list)
    for unit in units:
        levels[depth_of(unit.code)].append(unit)
    for level in sorted(levels):
        yield levels[level]
