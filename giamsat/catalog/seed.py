"""The catalogue's seed data, read from data/*.csv (pure reading; services.catalog_load writes).

data_elements.csv and indicators.csv are the shared catalogue (see data/CATALOG.md for what
we changed); domains.csv and validation_rules.csv are ours; data sets are derived from the
elements: one per kind of reporter and period type, sections by domain.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .choices import PeriodTypeChoice, TargetScope, ValueType

DATA_DIR = Path(__file__).resolve().parent / "data"

PERIOD_ORDER = [PeriodTypeChoice.MONTHLY, PeriodTypeChoice.QUARTERLY, PeriodTypeChoice.YEARLY]
DEADLINE_DAYS = {PeriodTypeChoice.MONTHLY: 5, PeriodTypeChoice.QUARTERLY: 10, PeriodTypeChoice.YEARLY: 15}
PERIOD_NAMES = {
    PeriodTypeChoice.MONTHLY: ("tháng", "monthly"),
    PeriodTypeChoice.QUARTERLY: ("quý", "quarterly"),
    PeriodTypeChoice.YEARLY: ("năm", "yearly"),
}
# Who reports, the data set code prefix, names, the unit type assigned and approval levels.
# A provincial report holds its communes' figures too (they may be entered as part of it and
# are locked with it), and every one of its figures is required.
PROVINCIAL_REPORTERS = {"PROVINCE"}
REPORTERS = {
    "PROVINCE": ("BC_TINH", "Báo cáo {p} của Sở Khoa học và Công nghệ", "Provincial {p} report", "PROVINCE", 1),
    "MINISTRY_IT_UNIT": (
        "BC_BONGANH",
        "Báo cáo {p} của đơn vị CNTT bộ, ngành",
        "Ministry IT unit {p} report",
        "MINISTRY_IT_UNIT",
        0,
    ),
}
TARGET_SCOPES = {"NATIONAL": (TargetScope.NATIONAL, ""), "PROVINCE": (TargetScope.UNIT_TYPE, "PROVINCE")}
TARGET_SCOPES["MINISTRY"] = (TargetScope.UNIT_TYPE, "MINISTRY_IT_UNIT")


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(lines)]


def element_range(value_type: str) -> tuple[Decimal | None, Decimal | None]:
    """Every figure in the catalogue is non-negative; rates are at most 100, yes/no 0 or 1."""
    if value_type == ValueType.PERCENTAGE:
        return Decimal(0), Decimal(100)
    if value_type == ValueType.BOOLEAN:
        return Decimal(0), Decimal(1)
    return Decimal(0), None


@dataclass
class DataSetSeed:
    code: str
    name_vi: str
    name_en: str
    period_type: str
    deadline_days: int
    approval_levels: int
    unit_type: str
    covers_sub_units: bool = False  # the unit's report holds its sub-units' figures
    all_required: bool = False  # every figure must be filled (or marked "no figure") to submit
    sections: dict[str, list[str]] = field(default_factory=dict)  # domain code → element codes


def data_set_seeds(elements: list[dict[str, str]], domain_order: list[str]) -> list[DataSetSeed]:
    seeds = []
    for reporter, (prefix, name_vi, name_en, unit_type, levels) in REPORTERS.items():
        for period_type in PERIOD_ORDER:
            vi, en = PERIOD_NAMES[period_type]
            seed = DataSetSeed(
                code=f"{prefix}_{period_type}",
                name_vi=name_vi.format(p=vi),
                name_en=name_en.format(p=en).capitalize(),
                period_type=period_type,
                deadline_days=DEADLINE_DAYS[period_type],
                approval_levels=levels,
                unit_type=unit_type,
                covers_sub_units=reporter in PROVINCIAL_REPORTERS,
                all_required=reporter in PROVINCIAL_REPORTERS,
            )
            for domain in domain_order:
                codes = [
                    e["code"]
                    for e in elements
                    if e["domain"] == domain
                    and e["period_type"] == period_type
                    and reporter in e["reported_by"].split("|")
                ]
                if codes:
                    seed.sections[domain] = codes
            if seed.sections:
                seeds.append(seed)
    return seeds
