"""A deterministic, realistic demo history: reports and values from 2022-01 to last month.

Figures come from latent series, one per *root* unit: a unit without predecessors in the
registry's lineage (the 63 former provinces, and the ministry IT units that no earlier unit
fed). A unit with predecessors (the 34 current provinces, the ministry IT units merged on
2025-03-01) reports the aggregate of its roots' latent figures, so a current province's
July 2025 figure continues its predecessors' June 2025 figures, and for counts the
predecessors' figures of a period add up exactly to the current province's.

Everything is drawn from generators seeded by (seed, unit, element) or (seed, data set, unit,
period), so the figures do not depend on the range loaded nor on the order of the work, and
two runs with the same seed give the same history. Values go through the one value service,
`data_values_write` (channel DEMO, backdated); reports and their events follow the workflow
of services.py and are bulk-created after their values.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from giamsat.accounts.choices import Role
from giamsat.accounts.models import User
from giamsat.accounts.services import user_create
from giamsat.catalog import seed as catalog_seed
from giamsat.catalog.choices import Aggregation, ValueType
from giamsat.catalog.models import DataElement, DataSet, DataSetElement
from giamsat.catalog.selectors import data_set_units
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType, periods_between
from giamsat.events.services import events_muted
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit, OrgUnitGroupMembership, OrgUnitLineage
from giamsat.orgunits.reference import STRUCTURE_34_FROM, STRUCTURE_63_TO

from .choices import Channel, ReportAction, ReportStatus
from .models import DataValue, DataValueAudit, NoFigureMark, Report, ReportEvent
from .services import ValueInput, data_values_write, periods_get, report_deadline

DEFAULT_SEED = 20250701
DEFAULT_FIRST = dt.date(2022, 1, 1)
SYSTEM_USERNAME = "he.thong"
SYSTEM_FULL_NAME = "Hệ thống (dữ liệu mẫu)"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Latent series start a year before the history so "same period last year" figures exist for
# 2022, and run to a fixed horizon so a longer range never changes the figures of a shorter one.
EPOCH = dt.date(2021, 1, 1)
HORIZON = dt.date(2030, 12, 31)
ORIGIN = dt.date(2022, 1, 1)  # t = 0 of the growth curves (years)
NATIONAL_POPULATION_2022 = 99_400_000  # GSO order of magnitude; the only external figure used

# Fates of a report of a finished period.
P_MISSING = 0.03
P_LATE = 0.08
P_RETURNED = 0.02
# A period stays "in progress" until this many days after its deadline (the ministry's review).
REVIEW_DAYS = 30
# Where reports of a period in progress stand (approval_levels >= 1, then 0).
IN_PROGRESS_STATES = {
    True: [("NOT_STARTED", 7), ("DRAFT", 28), ("SUBMITTED", 25), ("RETURNED", 3), ("APPROVED", 20), ("ACCEPTED", 17)],
    False: [("NOT_STARTED", 7), ("DRAFT", 28), ("SUBMITTED", 35), ("RETURNED", 3), ("ACCEPTED", 27)],
}

# First day of the lunar new year (Tết), for the seasonal dip of administrative work.
TET = {
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
PUBLIC_HOLIDAYS = {(1, 1), (4, 30), (5, 1), (9, 2)}


# --- the registry as the model sees it ------------------------------------------------------


@dataclass(frozen=True)
class RootFacts:
    """What the registry says about a root unit (no randomness)."""

    code: str
    kind: str  # OrgUnitType.PROVINCE or OrgUnitType.MINISTRY_IT_UNIT
    rural: int = 0  # former communes (xã), townships (thị trấn) and wards (phường)
    townships: int = 0
    wards: int = 0
    districts: int = 0
    city: bool = False  # a centrally-run city
    communes_current: int = 0  # communes of the 34-province structure counted for this root
    merge_size: int = 1  # how many former provinces formed its successor
    seat: bool = True  # its successor kept its GSO code (holds the provincial agencies)

    @property
    def communes_former(self) -> int:
        return self.rural + self.townships + self.wards


@dataclass
class RegistryFacts:
    roots: dict[str, RootFacts]
    predecessors: dict[str, list[tuple[str, Decimal]]]  # unit code → (predecessor code, weight)


def registry_facts() -> RegistryFacts:
    """Read the root units, their commune structure and the lineage from the registry."""
    kinds = [OrgUnitType.PROVINCE, OrgUnitType.MINISTRY_IT_UNIT]
    predecessors: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for pred, succ, weight in OrgUnitLineage.objects.filter(
        successor__type__in=kinds, predecessor__type__in=kinds
    ).values_list("predecessor__code", "successor__code", "weight"):
        predecessors[succ].append((pred, Decimal(1) if weight is None else weight))
    units = OrgUnit.objects.filter(type__in=kinds).values_list("code", "type", "official_code")
    root_codes = {code: kind for code, kind, _o in units if code not in predecessors}
    official = {code: official_code for code, _k, official_code in units}
    if not any(kind == OrgUnitType.PROVINCE for kind in root_codes.values()):
        raise LookupError("Load the registry first (manage.py load_reference): no provinces found.")

    counts: dict[str, Counter] = defaultdict(Counter)
    for path, name in OrgUnit.objects.filter(type=OrgUnitType.COMMUNE, valid_to=STRUCTURE_63_TO).values_list(
        "path", "name_vi"
    ):
        lowered = name.lower()
        kind = "wards" if lowered.startswith("phường") else "townships" if lowered.startswith("thị trấn") else "rural"
        counts[path.split("/")[1]][kind] += 1
    for path in OrgUnit.objects.filter(type=OrgUnitType.DISTRICT, valid_to=STRUCTURE_63_TO).values_list(
        "path", flat=True
    ):
        counts[path.split("/")[1]]["districts"] += 1
    # Cities centrally run throughout the 63-province years (not Huế, a city only in 2025).
    cities = set(
        OrgUnitGroupMembership.objects.filter(
            group__code="CENTRAL_CITIES", valid_from__isnull=True, org_unit__valid_to=STRUCTURE_63_TO
        ).values_list("org_unit__code", flat=True)
    )

    # Successor of each former province, and which former province holds each current commune:
    # the one most of its predecessor communes came from (primary links count double).
    successor_of = {pred: succ for succ, preds in predecessors.items() for pred, _w in preds if pred in root_codes}
    votes: dict[str, Counter] = defaultdict(Counter)
    for succ_path, pred_path, primary in OrgUnitLineage.objects.filter(
        successor__type=OrgUnitType.COMMUNE, successor__valid_from=STRUCTURE_34_FROM
    ).values_list("successor__path", "predecessor__path", "is_primary"):
        votes[succ_path][pred_path.split("/")[1]] += 2 if primary else 1
    current_communes: Counter = Counter()
    for path in OrgUnit.objects.filter(type=OrgUnitType.COMMUNE, valid_from=STRUCTURE_34_FROM).values_list(
        "path", flat=True
    ):
        province = path.split("/")[1]
        candidates = {p for p, _w in predecessors.get(province, [])}
        ranked = sorted((-n, p) for p, n in votes[path].items() if p in candidates)
        if ranked:
            current_communes[ranked[0][1]] += 1
        elif candidates:  # no usable lineage: count it for the predecessor that kept the code
            keeper = [p for p in sorted(candidates) if official.get(p) == official.get(province)]
            current_communes[(keeper or sorted(candidates))[0]] += 1

    roots = {}
    for code, kind in sorted(root_codes.items()):
        if kind == OrgUnitType.PROVINCE:
            c = counts[code]
            succ = successor_of.get(code)
            roots[code] = RootFacts(
                code=code,
                kind=kind,
                rural=c["rural"],
                townships=c["townships"],
                wards=c["wards"],
                districts=c["districts"],
                city=code in cities,
                communes_current=current_communes[code],
                merge_size=len(predecessors[succ]) if succ else 1,
                seat=succ is None or official.get(code) == official.get(succ),
            )
        else:
            roots[code] = RootFacts(code=code, kind=kind)
    return RegistryFacts(roots=roots, predecessors=dict(predecessors))


# --- seeded profiles ------------------------------------------------------------------------


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _generator(seed: int, *parts: str) -> np.random.Generator:
    return np.random.default_rng([seed, *(_key(p) for p in parts)])


@dataclass
class Profile:
    """A root unit's seeded character: size, development level and pace."""

    facts: RootFacts
    weight: float  # for averages: 2022 population (provinces) or staff (ministry IT units)
    dev: float  # development index, about N(0, 1) across provinces; big cities ~ +2
    speed: float  # how fast it adopts (multiplies the logistic slope)
    urban: float = 0.0
    pop2022: float = 0.0
    growth: float = 0.0
    hh_size: float = 3.6
    staff: float = 0.0
    dossiers: float = 0.0

    @property
    def is_province(self) -> bool:
        return self.facts.kind == OrgUnitType.PROVINCE


def _profiles(facts: RegistryFacts, seed: int) -> dict[str, Profile]:
    provinces = [f for f in facts.roots.values() if f.kind == OrgUnitType.PROVINCE]
    raw: dict[str, dict[str, float]] = {}
    for f in provinces:
        g = _generator(seed, f.code, "profile")
        urban = (f.wards + 0.5 * f.townships) / max(1, f.communes_former)
        # People per commune by kind: city wards are the densest.
        size = f.rural * 8_000 + f.townships * 13_000 + f.wards * (30_000 if f.city else 17_000)
        raw[f.code] = {
            "urban": urban,
            "size": max(1.0, size) * float(g.lognormal(0, 0.1)),
            "dev": 1.8 * urban + 0.9 * f.city + float(g.normal(0, 0.35)),
            "speed": math.exp(float(g.normal(0, 0.15))),
            "growth": 0.0075 + 0.008 * urban + float(g.normal(0, 0.002)),
            "hh": 3.72 - 0.45 * urban + float(g.normal(0, 0.08)),
        }
    total = sum(r["size"] for r in raw.values()) or 1.0
    devs = np.array([r["dev"] for r in raw.values()]) if raw else np.zeros(1)
    mean, std = float(devs.mean()), float(devs.std()) or 1.0
    profiles = {}
    for f in provinces:
        r = raw[f.code]
        pop = NATIONAL_POPULATION_2022 * r["size"] / total
        profiles[f.code] = Profile(
            facts=f,
            weight=pop,
            dev=(r["dev"] - mean) / std,
            speed=r["speed"],
            urban=r["urban"],
            pop2022=pop,
            growth=float(np.clip(r["growth"], 0.002, 0.022)),
            hh_size=float(np.clip(r["hh"], 3.0, 4.3)),
        )
    for f in facts.roots.values():
        if f.kind == OrgUnitType.PROVINCE:
            continue
        g = _generator(seed, f.code, "profile")
        staff = float(np.clip(math.exp(g.normal(math.log(6_000), 0.9)), 600, 90_000))
        profiles[f.code] = Profile(
            facts=f,
            weight=staff,
            dev=float(g.normal(0.4, 0.8)),
            speed=math.exp(float(g.normal(0, 0.15))),
            staff=staff,
            dossiers=float(np.clip(staff * math.exp(g.uniform(math.log(1.5), math.log(12))), 2_000, 600_000)),
        )
    return profiles


# --- time axes ------------------------------------------------------------------------------


@dataclass
class Axis:
    """The periods of one type from EPOCH to HORIZON, with what the curves need."""

    periods: list[PeriodValue]
    index: dict[str, int]
    t: np.ndarray  # years from ORIGIN to the period end
    year: np.ndarray
    month: np.ndarray  # month of the period end (1-12)
    former: np.ndarray  # the period ends within the 63-province structure
    season: dict[str, np.ndarray] = field(default_factory=dict)


def _day_weights(day: dt.date) -> tuple[float, float]:
    """(administrative work, retail spending) of one day, relative to an ordinary one."""
    tet = TET.get(day.year) or dt.date(day.year, 2, 5)
    if day.month == 12:
        tet = TET.get(day.year + 1) or dt.date(day.year + 1, 2, 5)
    offset = (day - tet).days
    work = 0.08 if day.weekday() >= 5 else 1.0
    shop = 1.0
    if (day.month, day.day) in PUBLIC_HOLIDAYS:
        work = 0.05
    if -3 <= offset <= 5:  # the Tết holiday
        work, shop = 0.05, 0.9
    elif -25 <= offset < -3:  # the year-end rush before Tết
        work, shop = work * 1.1, 1.35
    return work, shop


def _axis(period_type: str, last: dt.date) -> Axis:
    periods = periods_between(period_type, EPOCH, max(HORIZON, last))
    ends = [p.end for p in periods]
    axis = Axis(
        periods=periods,
        index={p.code: i for i, p in enumerate(periods)},
        t=np.array([(e - ORIGIN).days / 365.25 for e in ends]),
        year=np.array([e.year for e in ends]),
        month=np.array([e.month for e in ends]),
        former=np.array([e <= STRUCTURE_63_TO for e in ends]),
    )
    if period_type == PeriodType.MONTHLY:
        work, shop = [], []
        for p in periods:
            days = [p.start + dt.timedelta(days=i) for i in range((p.end - p.start).days + 1)]
            weights = [_day_weights(d) for d in days]
            work.append(sum(w for w, _s in weights) / 21.7 * (1.06 if p.start.month == 12 else 1.0))
            shop.append(sum(s for _w, s in weights) / len(days) * (1.04 if p.start.month == 12 else 1.0))
        axis.season["work"] = np.array(work)
        axis.season["retail"] = np.array(shop)
        axis.season["output"] = 0.6 + 0.4 * axis.season["work"]
    if period_type == PeriodType.QUARTERLY:
        axis.season["quarter"] = np.array([0.9, 0.97, 1.0, 1.13])[(axis.month - 1) // 3]
    return axis


# --- latent series --------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _floor(x: np.ndarray) -> np.ndarray:
    return np.floor(x).astype(np.int64)


def _rint(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)


class Series:
    """The latent figures of one root unit, computed on demand, element by element."""

    def __init__(self, model: DemoModel, profile: Profile) -> None:
        self.model = model
        self.p = profile
        self.f = profile.facts
        self._cache: dict[str, np.ndarray] = {}
        self._memo: dict[str, object] = {}

    # helpers the recipes use

    def axis(self, period_type: str) -> Axis:
        return self.model.axes[period_type]

    def g(self, key: str) -> np.random.Generator:
        return _generator(self.model.seed, self.f.code, key)

    def smooth(self, key: str, period_type: str, sigma: float, memory: int = 6) -> np.ndarray:
        """Autocorrelated noise (a causal moving average), so figures drift instead of jumping."""
        n = len(self.axis(period_type).periods)
        weights = 0.75 ** np.arange(memory)
        weights /= math.sqrt(float((weights**2).sum()))
        shocks = self.g(key + ":noise").normal(size=n + memory - 1)
        return sigma * np.convolve(shocks, weights, mode="valid")[:n]

    def rate(
        self,
        key: str,
        period_type: str,
        lo: float,
        hi: float,
        mid: float,
        k: float,
        *,
        hi_dev: float = 0.02,
        shift: float = 0.5,
        sigma: float = 0.008,
        cap: float = 0.99,
        after: float | None = None,
    ) -> np.ndarray:
        """An adoption rate rising along a logistic curve from `lo` to `hi` (mid-point `mid`,
        in years from 2022). Developed units start earlier and go higher; each unit has its own
        offset and noise. Clipped to [0, cap]: `cap` keeps a numerator under its denominator."""
        ax = self.axis(period_type)
        offset = float(self.g(key + ":mid").normal(0, 0.25))
        top = min(cap, hi + hi_dev * self.p.dev)
        bottom = max(0.0, min(top, lo + hi_dev * self.p.dev))
        centre = mid - shift * self.p.dev + offset
        curve = bottom + (top - bottom) * _sigmoid(k * self.p.speed * (ax.t - centre))
        curve = np.clip(curve + self.smooth(key, period_type, sigma), 0.0, cap)
        if after is not None:
            curve = np.where(ax.t < after, 0.0, curve)
        return curve

    def by_year(self, code: str, period_type: str) -> np.ndarray:
        """A yearly element's value for the year of each period of another type."""
        return self.get(code)[self.axis(period_type).year - EPOCH.year]

    def yearly_draws(
        self, key: str, period_type: str, draw: Callable[[np.random.Generator, int], np.ndarray]
    ) -> np.ndarray:
        """One draw per year, spread over the periods of that year."""
        years = self.axis(PeriodType.YEARLY).periods
        values = draw(self.g(key), len(years))
        return values[self.axis(period_type).year - EPOCH.year]

    def pop(self, period_type: str) -> np.ndarray:
        return self.p.pop2022 * (1 + self.p.growth) ** self.axis(period_type).t

    def era(self, period_type: str, former: float, current: float) -> np.ndarray:
        """A structural figure: one value under the 63-province structure, another under the 34."""
        return np.where(self.axis(period_type).former, former, current)

    def consolidation(self, period_type: str) -> np.ndarray:
        """After the merger, institutional counts of merged provinces are consolidated."""
        n = self.f.merge_size
        return self.era(period_type, 1.0, (1 + 0.15 * (n - 1)) / n)

    def same_period_last_year(self, code: str, lag: int) -> np.ndarray:
        values = self.get(code).astype(float)
        return np.concatenate([values[:lag] * 0.85, values[:-lag]])

    def memo(self, key: str, compute: Callable[[], object]) -> object:
        """Intermediate results several elements share (tasks, approved levels)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def get(self, code: str) -> np.ndarray:
        """The element's finished latent series (rounded and clipped like stored values)."""
        if code not in self._cache:
            recipe = RECIPES.get(code)
            if recipe is None:
                raise KeyError(code)
            self._cache[code] = self.model.finish(code, np.asarray(recipe(self, code), dtype=float))
        return self._cache[code]


Recipe = Callable[[Series, str], np.ndarray]
RECIPES: dict[str, Recipe] = {}


def _recipe(*codes: str) -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        for code in codes:
            RECIPES[code] = fn
        return fn

    return register


Y, Q, M = PeriodType.YEARLY, PeriodType.QUARTERLY, PeriodType.MONTHLY


def _years(s: Series, period_type: str = Y) -> np.ndarray:
    return s.axis(period_type).year - 2022


def _civil_service_factor(years: np.ndarray) -> np.ndarray:
    """Staff numbers: slow cuts, then the 2025 streamlining of the apparatus."""
    return np.select(
        [years <= 2022, years == 2023, years == 2024], [1.0, 0.985, 0.97], 0.86 * 0.995 ** np.maximum(0, years - 2025)
    )


# population (yearly)


@_recipe("POP_TOTAL")
def _pop_total(s: Series, code: str) -> np.ndarray:
    return s.p.pop2022 * (1 + s.p.growth) ** _years(s) * (1 + s.smooth(code, Y, 0.002))


@_recipe("POP_15PLUS")
def _pop_15plus(s: Series, code: str) -> np.ndarray:
    share = 0.745 + 0.03 * s.p.urban + s.g(code).normal(0, 0.01) + 0.003 * _years(s)
    return _floor(s.get("POP_TOTAL") * np.clip(share, 0.65, 0.82))


@_recipe("POP_ADULT")
def _pop_adult(s: Series, code: str) -> np.ndarray:
    teens = np.clip(0.046 - 0.008 * s.p.urban + s.g(code).normal(0, 0.003), 0.03, 0.06)
    return s.get("POP_15PLUS") - _floor(s.get("POP_TOTAL") * teens)


@_recipe("POP_WORKING_AGE")
def _pop_working(s: Series, code: str) -> np.ndarray:
    share = 0.645 + 0.03 * s.p.urban + s.g(code).normal(0, 0.01) - 0.002 * _years(s)
    return _floor(s.get("POP_TOTAL") * np.clip(share, 0.55, 0.72))


@_recipe("LABOUR_FORCE")
def _labour(s: Series, code: str) -> np.ndarray:
    share = np.clip(0.685 + s.g(code).normal(0, 0.02) - 0.002 * _years(s), 0.6, 0.75)
    return _floor(s.get("POP_15PLUS") * share)


@_recipe("DE_WORKERS")
def _de_workers(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("LABOUR_FORCE") * s.rate(code, Y, 0.012, 0.05, 2.5, 0.7, hi_dev=0.012, cap=0.2))


@_recipe("VILLAGES_TOTAL")
def _villages(s: Series, code: str) -> np.ndarray:
    # Villages were merged until 2024; the 2025 arrangement left them as they were.
    base = s.f.communes_former * s.g(code).uniform(5.8, 8.4)
    return _rint(base * (1 - 0.018 * np.clip(_years(s), 0, 2)))


@_recipe("COMMUNES_TOTAL")
def _communes(s: Series, code: str) -> np.ndarray:
    return s.era(Y, s.f.communes_former, s.f.communes_current)


def _agencies(s: Series, period_type: str) -> np.ndarray:
    """Party and State agencies from province to commune: districts went in 2025."""
    g = s.g("GOV_AGENCIES")
    former = 38 + 12 * s.f.districts + 3 * s.f.communes_former + int(g.integers(-5, 6))
    current = (38 + int(g.integers(-3, 4)) if s.f.seat else 0) + 3 * s.f.communes_current
    return s.era(period_type, former, current)


@_recipe("GOV_AGENCIES_TOTAL")
def _agencies_total(s: Series, code: str) -> np.ndarray:
    return _agencies(s, Y)


@_recipe("DIGINFRA_PLAN_ISSUED")
def _plan_issued(s: Series, code: str) -> np.ndarray:
    first = 2022 + math.floor(max(0.0, s.g(code).uniform(0, 3.3) - 0.5 * s.p.dev))
    return (s.axis(Y).year >= first).astype(float)


@_recipe("DX_RESOLUTION_ISSUED")
def _resolution(s: Series, code: str) -> np.ndarray:
    g = s.g(code)
    first = 2021 if g.random() < 0.7 + 0.1 * s.p.dev else 2022 + int(g.integers(0, 2))
    return (s.axis(Y).year >= first).astype(float)


# civil service and budgets (yearly; provinces and ministries)


@_recipe("CIVIL_SERVANTS_TOTAL")
def _civil_servants(s: Series, code: str) -> np.ndarray:
    factor = _civil_service_factor(s.axis(Y).year)
    if s.p.is_province:
        per_person = 0.019 * (1 + 0.15 * s.p.urban) * s.g(code).lognormal(0, 0.08)
        return _rint(s.get("POP_TOTAL") * per_person * factor)
    return _rint(s.p.staff * factor * (1 + s.smooth(code, Y, 0.01)))


@_recipe("CIVIL_SERVANTS_DIGITAL_TRAINED")
def _trained(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("CIVIL_SERVANTS_TOTAL") * s.rate(code, Y, 0.15, 0.93, 1.5, 1.2, cap=0.96))


@_recipe("IT_SPECIALIST_STAFF")
def _it_staff(s: Series, code: str) -> np.ndarray:
    if s.p.is_province:
        share = 0.0035 + 0.0008 * float(np.clip(s.p.dev, -1.5, 3))
        return np.maximum(10, _rint(s.get("CIVIL_SERVANTS_TOTAL") * share * 1.06 ** _years(s)))
    return _rint(10 + s.p.staff * 0.004 * 1.05 ** _years(s))


@_recipe("STATE_BUDGET_SPENDING")
def _budget(s: Series, code: str) -> np.ndarray:
    g = s.g(code)
    if s.p.is_province:
        per_person = 0.0115 * (1 + 0.25 * float(np.clip(s.p.dev, -1, 3))) * g.lognormal(0, 0.12)
        return s.get("POP_TOTAL") * per_person * 1.07 ** _years(s) * (1 + s.smooth(code, Y, 0.03))
    return s.p.staff * g.uniform(0.3, 1.5) * 1.06 ** _years(s) * (1 + s.smooth(code, Y, 0.04))


@_recipe("STI_DX_BUDGET_SPENDING")
def _sti_budget(s: Series, code: str) -> np.ndarray:
    lo, hi = (0.006, 0.034) if s.p.is_province else (0.01, 0.045)
    share = s.rate(code, Y, lo, hi, 3.2, 2.0, hi_dev=0.003, cap=0.06, sigma=0.002)
    return s.get("STATE_BUDGET_SPENDING") * share


@_recipe("COMMS_BUDGET")
def _comms_budget(s: Series, code: str) -> np.ndarray:
    if s.p.is_province:
        base = s.p.pop2022 * 4e-6 * math.exp(0.2 * s.p.dev)
    else:
        base = 1 + s.p.staff * 0.0008
    return base * s.g(code).lognormal(0, 0.2) * 1.05 ** _years(s) * (1 + s.smooth(code, Y, 0.05))


@_recipe("CYBER_NETWORK_MEMBERS")
def _network(s: Series, code: str) -> np.ndarray:
    return _rint((15 + 25 * math.exp(0.3 * s.p.dev)) * s.g(code).lognormal(0, 0.2) * 1.08 ** np.maximum(0, _years(s)))


@_recipe("IT_GRADUATES")
def _graduates(s: Series, code: str) -> np.ndarray:
    level = 0.0002 * math.exp(0.8 * s.p.dev) * s.g(code).lognormal(0, 0.3)
    return _rint(s.get("POP_TOTAL") * level * 1.04 ** _years(s) * (1 + s.smooth(code, Y, 0.03)))


# press (yearly and quarterly)


@_recipe("PRESS_AGENCIES_TOTAL")
def _press_total(s: Series, code: str) -> np.ndarray:
    base = 2 + int(s.g(code).poisson(1 + 4 * s.f.city + 2 * s.p.urban))
    # 2025: provincial newspapers and radio-television merged into one agency.
    return np.where(s.axis(Y).year >= 2025, max(1, round(base * 0.5)), base)


@_recipe("PRESS_AGENCIES_DIGITAL")
def _press_digital(s: Series, code: str) -> np.ndarray:
    total = s.get("PRESS_AGENCIES_TOTAL")
    return np.minimum(total, _rint(total * s.rate(code, Y, 0.7, 1.0, 0.0, 1.2, cap=1.0)))


@_recipe("PRESS_AGENCIES_CONVERGENT")
def _press_convergent(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("PRESS_AGENCIES_TOTAL") * s.rate(code, Y, 0.05, 0.8, 2.8, 1.3, cap=1.0))


@_recipe("E_PRESS_TOTAL")
def _e_press(s: Series, code: str) -> np.ndarray:
    return np.full(len(s.axis(Y).periods), 1 + int(s.g(code).poisson(0.3 + 2 * s.f.city)))


@_recipe("E_PRESS_SEC_L3")
def _e_press_l3(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("E_PRESS_TOTAL") * s.rate(code, Y, 0.3, 0.95, 1.5, 1.2, cap=1.0))


@_recipe("COMMUNES_RADIO_ICT")
def _radio(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("COMMUNES_TOTAL") * s.rate(code, Y, 0.3, 0.95, 1.2, 1.1, cap=1.0))


@_recipe("PRESS_OUTLETS_LICENSED")
def _outlets(s: Series, code: str) -> np.ndarray:
    base = (15 + 60 * s.f.city + 20 * s.p.urban) * s.g(code).lognormal(0, 0.2)
    return _rint(base * (1 + 0.02 * s.axis(Q).t))


@_recipe("PRESS_OUTLETS_MONITORED")
def _outlets_monitored(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("PRESS_OUTLETS_LICENSED") * s.rate(code, Q, 0.4, 0.97, 1.0, 1.2, cap=1.0))


@_recipe("EXT_INFO_PRODUCTS")
def _ext_info(s: Series, code: str) -> np.ndarray:
    return s.g(code).poisson(np.full(len(s.axis(Q).periods), 10 + 20 * math.exp(0.3 * s.p.dev)))


# enterprises and workers (yearly)


@_recipe("ENTERPRISES_TOTAL")
def _enterprises(s: Series, code: str) -> np.ndarray:
    level = 0.006 * math.exp(0.6 * s.p.dev) / 1.2 * s.g(code).lognormal(0, 0.15)
    return _rint(s.get("POP_TOTAL") * level * 1.05 ** _years(s))


@_recipe("SME_TOTAL")
def _sme(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("ENTERPRISES_TOTAL") * s.g(code).uniform(0.955, 0.975))


@_recipe("SME_DIGITAL_PLATFORM")
def _sme_digital(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("SME_TOTAL") * s.rate(code, Y, 0.2, 0.75, 2.0, 0.9))


@_recipe("ENTERPRISES_E_CONTRACT")
def _e_contract(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("ENTERPRISES_TOTAL") * s.rate(code, Y, 0.12, 0.7, 2.0, 1.0))


@_recipe("ADULTS_DVC_ONLINE")
def _dvc_users(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("POP_ADULT") * s.rate(code, Y, 0.12, 0.7, 2.2, 0.9))


@_recipe("WORKING_AGE_DIGITAL_SKILLS")
def _skills(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("POP_WORKING_AGE") * s.rate(code, Y, 0.2, 0.82, 2.0, 0.9, cap=0.95))


# households and telecom (quarterly)


@_recipe("HH_TOTAL")
def _households(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    return _rint(s.pop(Q) / (s.p.hh_size * (1 - 0.005 * t)) * (1 + s.smooth(code, Q, 0.003)))


@_recipe("HH_FIBER")
def _fiber(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("HH_TOTAL") * s.rate(code, Q, 0.45, 0.95, -0.5, 0.8, hi_dev=0.01, cap=0.97))


@_recipe("HH_SMART_DEVICE")
def _smart_households(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("HH_TOTAL") * s.rate(code, Q, 0.6, 0.96, -1.0, 0.7, hi_dev=0.01, cap=0.98))


@_recipe("HH_DIGITAL_ADDRESS")
def _digital_address(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("HH_TOTAL") * s.rate(code, Q, 0.0, 0.85, 3.4, 2.2, cap=0.95, after=2.0))


@_recipe("VILLAGES_NO_MBB")
def _villages_no_mbb(s: Series, code: str) -> np.ndarray:
    share = min(0.2, 0.05 * (1 - s.p.urban) ** 2 * s.g(code).lognormal(0, 0.4))
    values = _floor(s.by_year("VILLAGES_TOTAL", Q) * share * np.exp(-1.1 * s.axis(Q).t))
    return np.minimum.accumulate(values)  # a covered village stays covered


@_recipe("POP_MBB_COVERED")
def _mbb(s: Series, code: str) -> np.ndarray:
    # Against the yearly population: capped below 1 so a quarter of a year whose population is
    # not reported yet still fits under the previous year's.
    share = s.rate(code, Q, 0.955, 0.975, 0.5, 1.2, hi_dev=0.004, cap=0.975, sigma=0.002)
    return _floor(s.by_year("POP_TOTAL", Q) * share)


@_recipe("POP_5G_COVERED")
def _5g_population(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("POP_MBB_COVERED") * s.rate(code, Q, 0.0, 0.85, 4.0, 1.8, hi_dev=0.05, cap=0.95, after=2.75))


@_recipe("BTS_4G")
def _bts4g(s: Series, code: str) -> np.ndarray:
    level = 0.00115 * s.g(code).lognormal(0, 0.12)
    return _rint(s.pop(Q) * level * (1 + 0.04 * s.axis(Q).t) * (1 + s.smooth(code, Q, 0.01)))


@_recipe("BTS_5G")
def _bts5g(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    ramp = _sigmoid(1.8 * (t - 3.9 + 0.3 * s.p.dev)) * (t >= 2.75)  # commercial 5G from October 2024
    return _rint(s.pop(Q) * 0.00032 * math.exp(0.2 * s.p.dev) * ramp * (1 + s.smooth(code, Q, 0.02)))


@_recipe("MOBILE_SUBS_TOTAL")
def _subscriptions(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    cleanup = 1 - 0.05 * _sigmoid(4 * (t - 2.3))  # the 2024 clean-up of unregistered SIMs
    return _rint(s.pop(Q) * (1.2 + 0.15 * s.p.urban) * cleanup * (1 + s.smooth(code, Q, 0.01)))


@_recipe("MOBILE_SUBS_2G_ONLY")
def _subs_2g(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    switch_off = 2.79  # 2G switched off from 16 October 2024
    share = 0.16 * (1.4 - 0.8 * s.p.urban) * np.exp(-0.45 * t)
    share = np.where(t >= switch_off, share * 0.2 * np.exp(-1.5 * (t - switch_off)), share)
    return _floor(s.get("MOBILE_SUBS_TOTAL") * np.clip(share, 0, 0.5))


@_recipe("FIXED_BB_SPEED_MBPS")
def _fixed_speed(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    curve = 60 + 200 * _sigmoid(0.9 * s.p.speed * (t - 2.6))
    return curve * (1 + 0.1 * float(np.clip(s.p.dev, -2, 3))) * (1 + s.smooth(code, Q, 0.025))


@_recipe("MOBILE_BB_SPEED_MBPS")
def _mobile_speed(s: Series, code: str) -> np.ndarray:
    t = s.axis(Q).t
    curve = 30 + 130 * _sigmoid(1.3 * s.p.speed * (t - 3.6))
    return curve * (1 + 0.08 * float(np.clip(s.p.dev, -2, 3))) * (1 + s.smooth(code, Q, 0.025))


@_recipe("FIXED_BB_SPEED_MBPS_PY", "MOBILE_BB_SPEED_MBPS_PY", "ECOM_PARCELS_PY", "ADULTS_DIGITAL_PLATFORM_PY")
def _last_year(s: Series, code: str) -> np.ndarray:
    return s.same_period_last_year(code.removesuffix("_PY"), 4)


@_recipe("CABLE_UNDERGROUND_KM")
def _cable_km(s: Series, code: str) -> np.ndarray:
    n = len(s.axis(Q).periods)
    g = s.g(code)
    return (1 + 18 * s.p.urban * math.exp(0.2 * s.p.dev)) * g.lognormal(0, 0.45, size=n)


@_recipe("CABLE_UNDERGROUND_ROUTES")
def _cable_routes(s: Series, code: str) -> np.ndarray:
    return np.ceil(s.get("CABLE_UNDERGROUND_KM") / s.g(code).uniform(1.5, 4.0))


@_recipe("GOV_AGENCIES_TSLCD")
def _tslcd(s: Series, code: str) -> np.ndarray:
    return _floor(_agencies(s, Q) * s.rate(code, Q, 0.55, 0.97, 0.3, 1.2, cap=0.99))


# post (quarterly)


@_recipe("POSTAL_POINTS_TOTAL")
def _postal_points(s: Series, code: str) -> np.ndarray:
    return _rint(s.f.communes_former * s.g(code).uniform(1.1, 1.5) * (1 - 0.01 * s.axis(Q).t))


@_recipe("COMMUNES_POSTAL_INTERNET")
def _postal_internet(s: Series, code: str) -> np.ndarray:
    communes = s.era(Q, s.f.communes_former, s.f.communes_current)
    return _floor(communes * s.rate(code, Q, 0.8, 0.99, 0.0, 1.2, cap=1.0))


@_recipe("POSTAL_ITEMS")
def _postal_items(s: Series, code: str) -> np.ndarray:
    ax = s.axis(Q)
    level = 3.5 * math.exp(0.5 * s.p.dev) / 1.13
    noise = s.g(code).lognormal(0, 0.05, size=len(ax.periods))
    return _rint(s.pop(Q) * level * 1.15**ax.t * ax.season["quarter"] * noise)


@_recipe("ECOM_PARCELS")
def _ecom_parcels(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("POSTAL_ITEMS") * s.rate(code, Q, 0.55, 0.85, 1.5, 0.8, cap=0.95))


# information technology and digital transformation


@_recipe("TTHC_TOTAL")
def _procedures(s: Series, code: str) -> np.ndarray:
    g = s.g(code)
    t = s.axis(Q).t
    if s.p.is_province:
        return _rint((1650 + 250 * s.p.urban + g.normal(0, 60)) * (1 - 0.02 * t) * s.consolidation(Q))
    return _rint(float(np.clip(math.exp(g.normal(math.log(150), 0.7)), 20, 900)) * (1 - 0.03 * t))


@_recipe("TTHC_FULL_ONLINE")
def _procedures_online(s: Series, code: str) -> np.ndarray:
    lo, hi = (0.2, 0.6) if s.p.is_province else (0.25, 0.8)
    return _floor(s.get("TTHC_TOTAL") * s.rate(code, Q, lo, hi, 1.8, 1.0, cap=0.9))


@_recipe("DB_CATALOGUE_TOTAL")
def _databases(s: Series, code: str) -> np.ndarray:
    t = np.maximum(0, s.axis(Q).t)
    if s.p.is_province:
        return _rint((10 + 10 * math.exp(0.3 * s.p.dev)) * (1 + 0.1 * t) * s.consolidation(Q))
    return _rint((6 + 12 * math.exp(0.4 * s.p.dev)) * (1 + 0.1 * t))


@_recipe("DB_COMPLETED")
def _databases_done(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("DB_CATALOGUE_TOTAL") * s.rate(code, Q, 0.3, 0.85, 1.5, 1.0, cap=1.0))


@_recipe("CIVIL_SERVANTS_AI_ASSISTANT")
def _ai_assistant(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("CIVIL_SERVANTS_TOTAL", Q) * s.rate(code, Q, 0.0, 0.85, 3.9, 2.2, cap=0.9, after=2.5))


@_recipe("GOOD_PRACTICES_SHARED")
def _practices(s: Series, code: str) -> np.ndarray:
    t = np.maximum(0, s.axis(Q).t)
    return s.g(code).poisson((1 + 2 * math.exp(0.3 * s.p.dev)) * (1 + 0.15 * t))


@_recipe("DX_COMM_ITEMS")
def _comm_items(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    level = 30 + 60 * math.exp(0.4 * s.p.dev) if s.p.is_province else 10 + 30 * math.exp(0.3 * s.p.dev)
    return s.g(code).poisson(level * (1 + 0.1 * np.maximum(0, ax.t)) * (0.85 + 0.15 * ax.season["work"]))


# monthly administrative dossiers


@_recipe("DOSSIERS_TOTAL")
def _dossiers(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    if s.p.is_province:
        base = s.pop(M) * 0.05 * (1 + 0.15 * float(np.clip(s.p.dev, -1, 3)))
    else:
        base = s.p.dossiers
    return _rint(base * ax.season["work"] * 1.05**ax.t * np.exp(s.smooth(code, M, 0.05)))


@_recipe("DOSSIERS_ONLINE")
def _dossiers_online(s: Series, code: str) -> np.ndarray:
    curve = (0.15, 0.9, 2.2) if s.p.is_province else (0.3, 0.95, 1.5)
    return _floor(s.get("DOSSIERS_TOTAL") * s.rate(code, M, *curve, 1.0, cap=0.97))


@_recipe("DOSSIERS_ONLINE_FULL")
def _dossiers_full(s: Series, code: str) -> np.ndarray:
    curve = (0.2, 0.85, 2.8) if s.p.is_province else (0.3, 0.9, 2.2)
    return _floor(s.get("DOSSIERS_ONLINE") * s.rate(code, M, *curve, 1.0, cap=0.95))


@_recipe("DOSSIERS_DIGITISED_RATE")
def _digitised(s: Series, code: str) -> np.ndarray:
    curve = (0.1, 0.9, 1.8) if s.p.is_province else (0.2, 0.95, 1.5)
    return 100 * s.rate(code, M, *curve, 1.3, cap=0.98)


# the year's digital-transformation plan (monthly, year to date)


def _tasks(s: Series) -> dict[str, np.ndarray]:
    """Tasks assigned, done on time (cumulative) and overdue, with done + overdue <= assigned:
    done/N = a·x^1.3 and overdue/N = b·x (x = month/12, a <= .86, b <= .12) stay under the
    assigned share .75 + .25·x, which they meet only at year end."""

    def compute() -> dict[str, np.ndarray]:
        level = (40 + 30 * math.exp(0.3 * s.p.dev)) if s.p.is_province else (15 + 20 * math.exp(0.3 * s.p.dev))
        yearly = s.axis(Y)
        g = s.g("DX_TASKS")
        n_year = (
            level * g.lognormal(0, 0.15) * (1 + 0.08 * (yearly.year - 2022)) * g.lognormal(0, 0.1, len(yearly.year))
        )
        on_time = np.clip(
            0.7 + 0.04 * s.p.dev + 0.03 * (yearly.year - 2022) + g.normal(0, 0.04, len(yearly.year)), 0.5, 0.86
        )
        late = np.clip(0.1 - 0.015 * (yearly.year - 2022) + g.normal(0, 0.015, len(yearly.year)), 0.02, 0.12)
        ax = s.axis(M)
        i = ax.year - EPOCH.year
        x = ax.month / 12
        n = n_year[i]
        return {
            "DX_TASKS_ASSIGNED": _rint(n * (0.75 + 0.25 * x)),
            "DX_TASKS_DONE_ONTIME": _floor(n * on_time[i] * x**1.3),
            "DX_TASKS_OVERDUE": _floor(n * late[i] * x),
        }

    return s.memo("DX_TASKS", compute)  # type: ignore[return-value]


@_recipe("DX_TASKS_ASSIGNED", "DX_TASKS_DONE_ONTIME", "DX_TASKS_OVERDUE")
def _task_counts(s: Series, code: str) -> np.ndarray:
    return _tasks(s)[code]


@_recipe("DX_PROJECTS_TOTAL")
def _projects(s: Series, code: str) -> np.ndarray:
    level = (6 + 10 * math.exp(0.4 * s.p.dev)) if s.p.is_province else (2 + 8 * math.exp(0.4 * s.p.dev))
    t = np.maximum(0, s.axis(M).t)
    return np.maximum(1, _rint(level * s.g(code).lognormal(0, 0.2) * (1 + 0.12 * t) * (1 + s.smooth(code, M, 0.08))))


@_recipe("DX_PROJECTS_BEHIND")
def _projects_behind(s: Series, code: str) -> np.ndarray:
    share = s.g(code).uniform(0.1, 0.3) + s.smooth(code, M, 0.06) - 0.02 * s.axis(M).t
    return _floor(s.get("DX_PROJECTS_TOTAL") * np.clip(share, 0, 0.6))


@_recipe("DX_PROJECTS_INVESTMENT")
def _investment(s: Series, code: str) -> np.ndarray:
    g = s.g(code)
    size = g.uniform(12, 40) * (1 + 0.3 * float(np.clip(s.p.dev, -1, 2))) if s.p.is_province else g.uniform(20, 150)
    return s.get("DX_PROJECTS_TOTAL") * size * (1 + s.smooth(code, M, 0.03))


@_recipe("DX_CAPITAL_PLAN_YEAR")
def _capital_plan(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    investment = s.get("DX_PROJECTS_INVESTMENT")
    i = ax.year - EPOCH.year
    yearly_mean = np.bincount(i, weights=investment) / np.maximum(1, np.bincount(i))
    share = s.g(code).uniform(0.3, 0.45, size=len(yearly_mean))
    return (yearly_mean * share)[i]


@_recipe("DX_CAPITAL_DISBURSED_YTD")
def _disbursed(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    share = s.yearly_draws(code, M, lambda g, n: g.uniform(0.7, 0.97, size=n))
    # Slow early in the year, a rush in December; back to zero every January.
    return np.floor(s.get("DX_CAPITAL_PLAN_YEAR") * share * (ax.month / 12) ** 1.6 * 10) / 10


# cyber security


@_recipe("CYBER_INCIDENTS_DETECTED")
def _incidents(s: Series, code: str) -> np.ndarray:
    t = np.maximum(0, s.axis(M).t)
    scale = 1.0 if s.p.is_province else 1.5
    return s.g(code).poisson((2 + 6 * math.exp(0.4 * s.p.dev)) * scale * (1 + 0.1 * t))


@_recipe("CYBER_INCIDENTS_HANDLED")
def _incidents_handled(s: Series, code: str) -> np.ndarray:
    return s.g(code).binomial(s.get("CYBER_INCIDENTS_DETECTED"), s.rate(code, M, 0.85, 0.97, 1.0, 1.0, cap=1.0))


@_recipe("CYBER_WARNINGS_RECEIVED")
def _warnings(s: Series, code: str) -> np.ndarray:
    return s.g(code).poisson(np.full(len(s.axis(M).periods), 8 + 20 * math.exp(0.3 * s.p.dev)))


@_recipe("CYBER_WARNINGS_FIXED")
def _warnings_fixed(s: Series, code: str) -> np.ndarray:
    return s.g(code).binomial(s.get("CYBER_WARNINGS_RECEIVED"), s.rate(code, M, 0.7, 0.95, 1.0, 1.0, cap=1.0))


@_recipe("IS_TOTAL")
def _systems(s: Series, code: str) -> np.ndarray:
    level = (25 + 20 * math.exp(0.4 * s.p.dev)) if s.p.is_province else (15 + 30 * math.exp(0.5 * s.p.dev))
    growth = 1 + 0.06 * s.axis(Q).t
    return np.maximum(1, _rint(level * s.g(code).lognormal(0, 0.15) * growth * (1 + s.smooth(code, Q, 0.02))))


def _approved_levels(s: Series) -> np.ndarray:
    """Systems approved at levels 1-5: an approved total under IS_TOTAL, split by shares with
    cumulative floors so the five counts add up exactly to it."""

    def compute() -> np.ndarray:
        approved = _floor(s.get("IS_TOTAL") * s.rate("IS_APPROVED", Q, 0.35, 0.97, 1.0, 1.1, cap=0.99))
        alpha = [8, 40, 45, 6, 1e-3] if s.p.is_province else [5, 30, 50, 12, 3]
        shares = s.g("IS_LEVELS").dirichlet(alpha)
        cumulative = np.cumsum(shares)
        cumulative[-1] = 1.0
        bounds = np.vstack([np.zeros_like(approved), _floor(np.outer(cumulative, approved))])
        bounds[-1] = approved
        return np.diff(bounds, axis=0)

    return s.memo("IS_LEVELS", compute)  # type: ignore[return-value]


@_recipe("IS_APPROVED_L1", "IS_APPROVED_L2", "IS_APPROVED_L3", "IS_APPROVED_L4", "IS_APPROVED_L5")
def _approved_level(s: Series, code: str) -> np.ndarray:
    return _approved_levels(s)[int(code[-1]) - 1]


@_recipe("IS_PLAN_DEPLOYED")
def _plan_deployed(s: Series, code: str) -> np.ndarray:
    approved = _approved_levels(s).sum(axis=0)
    return _floor(approved * s.rate(code, Q, 0.5, 0.93, 1.2, 1.1, cap=1.0))


@_recipe("IS_SOC_MONITORED")
def _soc_monitored(s: Series, code: str) -> np.ndarray:
    return _floor(s.get("IS_TOTAL") * s.rate(code, Q, 0.2, 0.95, 1.0, 1.2, cap=1.0))


@_recipe("SOC_CONNECTED_NCSC")
def _soc_connected(s: Series, code: str) -> np.ndarray:
    start = s.g(code).uniform(-0.5, 2.5) - 0.4 * s.p.dev
    return (s.axis(Q).t >= start).astype(float)


# ICT industry (quarterly)


@_recipe("DIGITAL_TECH_ENTERPRISES")
def _tech_enterprises(s: Series, code: str) -> np.ndarray:
    level = 0.00045 * math.exp(0.6 * s.p.dev) / 1.2 * s.g(code).lognormal(0, 0.15)
    return _rint(s.pop(Q) * level * 1.05 ** s.axis(Q).t * (1 + s.smooth(code, Q, 0.01)))


@_recipe("ICT_REVENUE")
def _ict_revenue(s: Series, code: str) -> np.ndarray:
    ax = s.axis(Q)
    g = s.g(code)
    hub = g.lognormal(0, 1.0)  # electronics assembly makes a few provinces ICT hubs
    noise = g.lognormal(0, 0.05, size=len(ax.periods))
    return s.pop(Q) * 0.0025 * math.exp(0.6 * s.p.dev) * hub * 1.08**ax.t * ax.season["quarter"] * noise


@_recipe("DIGITAL_TECH_FOREIGN_REVENUE")
def _foreign_revenue(s: Series, code: str) -> np.ndarray:
    share = s.g(code).uniform(0.03, 0.1) * (1 + 0.05 * np.maximum(0, s.axis(Q).t))
    return s.get("ICT_REVENUE") * share / 25.4  # billion VND → million USD


# digital society (quarterly)


@_recipe("ADULTS_SMARTPHONE")
def _smartphone(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("POP_ADULT", Q) * s.rate(code, Q, 0.62, 0.95, 0.0, 0.8, hi_dev=0.01, cap=0.975))


@_recipe("POP15_PAYMENT_ACCOUNT")
def _payment(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("POP_15PLUS", Q) * s.rate(code, Q, 0.55, 0.93, 0.5, 0.9, cap=0.975))


@_recipe("ADULTS_DIGITAL_PLATFORM")
def _platform(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("POP_ADULT", Q) * s.rate(code, Q, 0.35, 0.9, 1.5, 0.9, cap=0.975))


@_recipe("ADULTS_DIGITAL_SIGNATURE")
def _signature(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("POP_ADULT", Q) * s.rate(code, Q, 0.01, 0.6, 3.0, 1.4, cap=0.9))


@_recipe("ADULTS_EID")
def _eid(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("POP_ADULT", Q) * s.rate(code, Q, 0.02, 0.93, 1.3, 2.2, hi_dev=0.01, cap=0.96))


@_recipe("VILLAGES_WITH_CDT")
def _villages_cdt(s: Series, code: str) -> np.ndarray:
    return _floor(s.by_year("VILLAGES_TOTAL", Q) * s.rate(code, Q, 0.75, 0.995, -0.5, 2.5, cap=1.0))


@_recipe("CDT_TEAMS")
def _cdt_teams(s: Series, code: str) -> np.ndarray:
    # One team per covered village plus one per commune.
    return s.get("VILLAGES_WITH_CDT") + s.era(Q, s.f.communes_former, s.f.communes_current)


@_recipe("CDT_MEMBERS")
def _cdt_members(s: Series, code: str) -> np.ndarray:
    return _rint(s.get("CDT_TEAMS") * s.g(code).uniform(4.2, 5.5) * (1 + s.smooth(code, Q, 0.01)))


# telecom infrastructure (monthly)


@_recipe("MOBILE_DEAD_ZONES")
def _dead_zones(s: Series, code: str) -> np.ndarray:
    start = (1 - s.p.urban) ** 2 * s.f.communes_former * s.g(code).uniform(0.03, 0.12)
    values = _rint(start * np.exp(-0.9 * s.axis(M).t) * (1 + s.smooth(code, M, 0.05)))
    return np.minimum.accumulate(values)


@_recipe("DEAD_ZONE_HOUSEHOLDS")
def _dead_zone_households(s: Series, code: str) -> np.ndarray:
    return _rint(s.get("MOBILE_DEAD_ZONES") * s.g(code).uniform(30, 120) * (1 + s.smooth(code, M, 0.03)))


# press (monthly)


@_recipe("PRESS_QUESTIONS_RECEIVED")
def _questions(s: Series, code: str) -> np.ndarray:
    return s.g(code).poisson(np.full(len(s.axis(M).periods), 3 + 10 * math.exp(0.5 * s.p.dev)))


@_recipe("PRESS_QUESTIONS_FORWARDED")
def _questions_forwarded(s: Series, code: str) -> np.ndarray:
    return s.g(code).binomial(s.get("PRESS_QUESTIONS_RECEIVED"), s.rate(code, M, 0.8, 0.9, 1.0, 1.0, cap=1.0))


@_recipe("PRESS_QUESTIONS_ANSWERED_ONTIME")
def _questions_answered(s: Series, code: str) -> np.ndarray:
    return s.g(code).binomial(s.get("PRESS_QUESTIONS_RECEIVED"), s.rate(code, M, 0.6, 0.92, 1.5, 1.0, cap=1.0))


@_recipe("GOV_INFO_TO_PRESS")
def _info_to_press(s: Series, code: str) -> np.ndarray:
    return s.g(code).poisson(np.full(len(s.axis(M).periods), 20 + 40 * math.exp(0.4 * s.p.dev)))


@_recipe("PRESS_VIOLATIONS_DETECTED")
def _violations(s: Series, code: str) -> np.ndarray:
    return s.g(code).poisson(np.full(len(s.axis(M).periods), 1 + 2 * s.f.city + s.p.urban))


@_recipe("PRESS_VIOLATIONS_HANDLED")
def _violations_handled(s: Series, code: str) -> np.ndarray:
    return s.g(code).binomial(s.get("PRESS_VIOLATIONS_DETECTED"), 0.8)


# economy (monthly)


@_recipe("GRDP")
def _grdp(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    level = 0.0062 * math.exp(0.45 * s.p.dev) / 1.1 * s.g(code).lognormal(0, 0.1)
    return s.pop(M) * level * 1.09**ax.t * ax.season["output"] * (1 + s.smooth(code, M, 0.02))


@_recipe("DE_VALUE_ADDED")
def _de_value(s: Series, code: str) -> np.ndarray:
    return s.get("GRDP") * s.rate(code, M, 0.06, 0.22, 3.0, 0.8, hi_dev=0.03, cap=0.5, sigma=0.005)


@_recipe("RETAIL_SALES_TOTAL")
def _retail(s: Series, code: str) -> np.ndarray:
    ax = s.axis(M)
    level = 0.0048 * math.exp(0.4 * s.p.dev) / 1.08 * s.g(code).lognormal(0, 0.1)
    return s.pop(M) * level * 1.08**ax.t * ax.season["retail"] * (1 + s.smooth(code, M, 0.02))


@_recipe("ECOM_RETAIL_SALES")
def _ecom_retail(s: Series, code: str) -> np.ndarray:
    return s.get("RETAIL_SALES_TOTAL") * s.rate(code, M, 0.04, 0.16, 2.5, 0.8, hi_dev=0.02, cap=0.4, sigma=0.004)


# --- the model ------------------------------------------------------------------------------

DECIMALS = {
    "FIXED_BB_SPEED_MBPS": 2,
    "FIXED_BB_SPEED_MBPS_PY": 2,
    "MOBILE_BB_SPEED_MBPS": 2,
    "MOBILE_BB_SPEED_MBPS_PY": 2,
    "DIGITAL_TECH_FOREIGN_REVENUE": 2,
}


@dataclass(frozen=True)
class ElementMeta:
    code: str
    value_type: str
    aggregation: str
    period_type: str

    @property
    def decimals(self) -> int:
        if self.value_type in {ValueType.INTEGER, ValueType.BOOLEAN}:
            return 0
        return DECIMALS.get(self.code, 2 if self.value_type == ValueType.PERCENTAGE else 1)


@lru_cache(maxsize=1)
def element_meta() -> dict[str, ElementMeta]:
    """Value type, aggregation and period type of the seed catalogue's elements (from the CSV)."""
    return {
        row["code"]: ElementMeta(row["code"], row["value_type"], row["aggregation"], row["period_type"])
        for row in catalog_seed.read_csv("data_elements.csv")
    }


class DemoModel:
    """Latent series for every root unit, and the lineage that turns them into unit figures."""

    def __init__(self, facts: RegistryFacts, seed: int, *, last: dt.date = HORIZON) -> None:
        self.seed = seed
        self.facts = facts
        self.profiles = _profiles(facts, seed)
        self.axes = {t: _axis(t, last) for t in (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY)}
        self.meta = element_meta()
        self._series: dict[str, Series] = {}
        self._roots: dict[str, list[tuple[str, Decimal]]] = {}

    @classmethod
    def build(cls, seed: int = DEFAULT_SEED, *, last: dt.date = HORIZON) -> DemoModel:
        return cls(registry_facts(), seed, last=last)

    def finish(self, code: str, values: np.ndarray) -> np.ndarray:
        """Round and clip a recipe's output the way the element is stored."""
        meta = self.meta[code]
        if meta.value_type == ValueType.BOOLEAN:
            return (values > 0.5).astype(np.int64)
        if meta.value_type == ValueType.INTEGER:
            return np.maximum(0, np.rint(values)).astype(np.int64)
        upper = 100.0 if meta.value_type == ValueType.PERCENTAGE else np.inf
        return np.clip(np.round(values, meta.decimals), 0.0, upper)

    def series(self, root: str) -> Series:
        if root not in self._series:
            self._series[root] = Series(self, self.profiles[root])
        return self._series[root]

    def latent(self, root: str, code: str, period: PeriodValue | str) -> Decimal | None:
        """A root unit's own figure for an element and period (None if the model has none)."""
        meta = self.meta.get(code)
        if meta is None or code not in RECIPES or root not in self.profiles:
            return None
        period = period if isinstance(period, PeriodValue) else PeriodValue.parse(period)
        period = PeriodValue.containing(meta.period_type, period.end)  # June 2025 → 2025Q2, 2025
        index = self.axes[meta.period_type].index.get(period.code)
        if index is None:
            return None
        value = self.series(root).get(code)[index]
        if meta.decimals == 0:
            return Decimal(int(value))
        return Decimal(f"{float(value):.{meta.decimals}f}")

    def roots_of(self, unit_code: str) -> list[tuple[str, Decimal]]:
        """The root units whose latent figures make up a unit's, with their lineage weights."""
        if unit_code not in self._roots:
            if unit_code in self.profiles:
                found = [(unit_code, Decimal(1))]
            else:
                found = [
                    (root, weight * inner)
                    for pred, weight in self.facts.predecessors.get(unit_code, [])
                    for root, inner in self.roots_of(pred)
                ]
            self._roots[unit_code] = found
        return self._roots[unit_code]

    def value(self, code: str, roots: Sequence[tuple[str, Decimal]], period: PeriodValue | str) -> Decimal | None:
        """The aggregate of roots' latent figures: a sum for counts and amounts, a population-
        (or staff-) weighted mean for averages and percentages, "any" for yes/no."""
        meta = self.meta.get(code)
        if meta is None or not roots:
            return None
        parts = [(self.latent(root, code, period), root, weight) for root, weight in roots]
        if any(value is None for value, _r, _w in parts):
            return None
        if meta.value_type == ValueType.BOOLEAN:
            return max(value for value, _r, _w in parts)
        if len(parts) == 1 and parts[0][2] == 1:
            return parts[0][0]
        if meta.aggregation == Aggregation.AVERAGE or meta.value_type == ValueType.PERCENTAGE:
            weights = [Decimal(str(round(self.profiles[root].weight))) * w for _v, root, w in parts]
            mean = sum((v * w for (v, _r, _w), w in zip(parts, weights, strict=True)), Decimal(0)) / sum(weights)
            return mean.quantize(Decimal(1).scaleb(-meta.decimals))
        total = sum((value * weight for value, _r, weight in parts), Decimal(0))
        return total.quantize(Decimal(1).scaleb(-meta.decimals))

    def unit_value(self, code: str, unit_code: str, period: PeriodValue | str) -> Decimal | None:
        return self.value(code, self.roots_of(unit_code), period)


@lru_cache(maxsize=2)
def demo_model(seed: int = DEFAULT_SEED) -> DemoModel:
    """The model for a seed, built once per process from the registry (clear the cache after
    reloading the registry: `demo_model.cache_clear()`)."""
    return DemoModel.build(seed)


def latent_value(
    element_code: str, former_codes: Iterable[str], period: PeriodValue | str, *, seed: int = DEFAULT_SEED
) -> Decimal | None:
    """The aggregate of the given root units' (e.g. former provinces') latent figures for a
    period: what a unit formed of exactly them reports."""
    return demo_model(seed).value(element_code, [(code, Decimal(1)) for code in former_codes], period)


def unit_latent_value(
    element_code: str, unit_code: str, period: PeriodValue | str, *, seed: int = DEFAULT_SEED
) -> Decimal | None:
    """A unit's figure: its own latent series if it is a root, else its predecessors' aggregate."""
    return demo_model(seed).unit_value(element_code, unit_code, period)


# --- the report planner ---------------------------------------------------------------------


@dataclass(frozen=True)
class Flaw:
    """A mistake in the first submission that makes the reviewer return the report."""

    element: str
    kind: str  # "scale": the figure multiplied by `factor`; "omit": left empty
    reason: str
    factor: float = 1.0
    cap: str | None = None  # an element whose figure bounds the flawed one (keeps ERROR rules)


_TENFOLD = Flaw(
    "DOSSIERS_TOTAL",
    "scale",
    "Tổng số hồ sơ tiếp nhận cao gấp khoảng 10 lần so với các kỳ trước, "
    "đề nghị kiểm tra lại (có thể nhập thừa chữ số 0).",
    10,
)
_NO_DISBURSEMENT = Flaw(
    "DX_CAPITAL_DISBURSED_YTD",
    "omit",
    "Chưa báo cáo vốn giải ngân lũy kế từ đầu năm của các dự án chuyển đổi số, đề nghị bổ sung.",
)
_SYSTEMS = Flaw(
    "IS_TOTAL",
    "scale",
    "Tổng số hệ thống thông tin tăng bất thường, đề nghị đối chiếu với danh mục hệ thống đã được phê duyệt cấp độ.",
    1.5,
)
_NO_BUDGET = Flaw(
    "STATE_BUDGET_SPENDING",
    "omit",
    "Thiếu tổng chi ngân sách, đề nghị bổ sung để tính tỷ lệ chi cho khoa học, công nghệ và chuyển đổi số.",
)
# Only changes that keep the ERROR rules: a denominator raised, a numerator lowered or capped,
# or a figure left empty (a rule with a missing side says nothing).
FLAWS: dict[str, list[Flaw]] = {
    "BC_TINH_MONTHLY": [
        _TENFOLD,
        _NO_DISBURSEMENT,
        Flaw(
            "GRDP",
            "scale",
            "GRDP tháng lớn bất thường, có thể đã nhập theo đơn vị triệu đồng; "
            "đề nghị rà soát lại đơn vị tính (tỷ đồng).",
            1000,
        ),
        Flaw(
            "DOSSIERS_DIGITISED_RATE",
            "omit",
            "Thiếu tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính; "
            "đề nghị bổ sung theo số liệu trên Cổng dịch vụ công.",
        ),
    ],
    "BC_TINH_QUARTERLY": [
        Flaw(
            "HH_FIBER",
            "scale",
            "Số hộ có cáp quang tăng bất thường so với kỳ trước, đề nghị rà soát lại.",
            1.18,
            cap="HH_TOTAL",
        ),
        Flaw(
            "BTS_5G",
            "omit",
            "Chưa có số trạm 5G đang phát sóng, đề nghị bổ sung theo số liệu của các doanh nghiệp viễn thông.",
        ),
        _SYSTEMS,
        Flaw(
            "ADULTS_EID",
            "scale",
            "Số người có tài khoản định danh điện tử giảm mạnh so với quý trước, "
            "đề nghị đối chiếu với số liệu của Công an tỉnh.",
            0.55,
        ),
    ],
    "BC_TINH_YEARLY": [
        Flaw(
            "POP_TOTAL",
            "scale",
            "Dân số trung bình chênh lệch so với niên giám thống kê, "
            "đề nghị cập nhật theo số liệu của cơ quan thống kê.",
            1.08,
        ),
        _NO_BUDGET,
    ],
    "BC_BONGANH_MONTHLY": [_TENFOLD, _NO_DISBURSEMENT],
    "BC_BONGANH_QUARTERLY": [
        _SYSTEMS,
        Flaw(
            "TTHC_FULL_ONLINE",
            "scale",
            "Số thủ tục hành chính cung cấp trực tuyến toàn trình giảm so với quý trước, "
            "đề nghị giải trình hoặc điều chỉnh.",
            0.6,
        ),
    ],
    "BC_BONGANH_YEARLY": [
        _NO_BUDGET,
        Flaw(
            "CIVIL_SERVANTS_TOTAL",
            "scale",
            "Tổng số cán bộ, công chức, viên chức chưa khớp với số biên chế được giao, đề nghị rà soát lại.",
            1.25,
        ),
    ],
}
GENERIC_FLAW = Flaw("", "omit", "Báo cáo còn thiếu số liệu, đề nghị bổ sung đầy đủ trước khi gửi lại.")


@dataclass(frozen=True)
class PlannedEvent:
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    comment: str = ""


@dataclass
class ReportPlan:
    """How one report goes: its events, when its values were entered, and any flaw."""

    events: list[PlannedEvent]
    entry_at: dt.datetime
    fill: float = 1.0  # share of the form filled (drafts in progress fill it from the top)
    flaw: Flaw | None = None
    fix_at: dt.datetime | None = None  # when the flaw was corrected (None: not yet)
    in_progress: bool = False
    no_figure: list[str] = field(default_factory=list)  # required figures left empty, marked so

    @property
    def status(self) -> str:
        return self.events[-1].to_status

    def _last(self, action: str, to_status: str | None = None) -> dt.datetime | None:
        times = [e.at for e in self.events if e.action == action and (to_status is None or e.to_status == to_status)]
        return times[-1] if times else None

    @property
    def created_at(self) -> dt.datetime:
        return self.events[0].at

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self._last(ReportAction.SUBMIT)

    @property
    def approved_at(self) -> dt.datetime | None:
        if self.status not in {ReportStatus.APPROVED, ReportStatus.ACCEPTED}:
            return None
        return self._last(ReportAction.APPROVE, ReportStatus.APPROVED)

    @property
    def accepted_at(self) -> dt.datetime | None:
        return self._last(ReportAction.ACCEPT) if self.status == ReportStatus.ACCEPTED else None

    @property
    def returned(self) -> bool:
        return any(e.action == ReportAction.RETURN for e in self.events)

    def is_late(self, deadline: dt.date) -> bool:
        submitted = self.submitted_at
        return submitted is not None and submitted.astimezone(LOCAL_TZ).date() > deadline


def _at(day: dt.date, minutes: float) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL_TZ) + dt.timedelta(minutes=minutes)
    return moment.replace(microsecond=0)


def _working(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of office hours (07:30-17:30) on the day."""
    return _at(day, rng.uniform(7.5 * 60, 17.5 * 60))


def _later(moment: dt.datetime, rng: random.Random, low_days: float, high_days: float) -> dt.datetime:
    """Office hours some days later, and always strictly after `moment`."""
    day = (moment.astimezone(LOCAL_TZ) + dt.timedelta(days=rng.uniform(low_days, high_days))).date()
    candidate = _working(day, rng)
    if candidate <= moment:
        candidate = (moment + dt.timedelta(minutes=rng.uniform(5, 90))).replace(microsecond=0)
    return candidate


def _pick_flaw(data_set_code: str, rng: random.Random) -> Flaw:
    return rng.choice(FLAWS.get(data_set_code) or [GENERIC_FLAW])


def _review_steps(
    events: list[PlannedEvent], status: str, cursor: dt.datetime, levels: int, rng: random.Random, *, accept: bool
) -> list[PlannedEvent]:
    """Approvals by the unit's leaders, then the ministry's acceptance."""
    for level in range(levels):
        cursor = _later(cursor, rng, 0.05, 3)
        target = ReportStatus.APPROVED if level == levels - 1 else ReportStatus.APPROVED_1
        events.append(PlannedEvent(ReportAction.APPROVE, status, target, cursor))
        status = target
    if accept:
        cursor = _later(cursor, rng, 1, 12)
        events.append(PlannedEvent(ReportAction.ACCEPT, status, ReportStatus.ACCEPTED, cursor))
    return events


def report_plan(
    *,
    data_set_code: str,
    period: PeriodValue,
    unit_code: str,
    deadline_days: int,
    approval_levels: int,
    now: dt.datetime,
    seed: int = DEFAULT_SEED,
) -> ReportPlan | None:
    """How one expected report went (pure and deterministic). None: no report and no values,
    either missing (a finished period) or not started (a period in progress)."""
    rng = random.Random(f"{seed}|{data_set_code}|{unit_code}|{period.code}")
    deadline = period.end + dt.timedelta(days=deadline_days)
    if deadline + dt.timedelta(days=REVIEW_DAYS) > now.astimezone(LOCAL_TZ).date():
        return _plan_in_progress(rng, data_set_code, period, approval_levels, now)

    # Yearly reports are never missing: the quarters' rules need the year's population.
    if period.type != PeriodType.YEARLY and rng.random() < P_MISSING:
        return None
    late = rng.random() < P_LATE
    returned = rng.random() < P_RETURNED
    if late:
        submit_day = deadline + dt.timedelta(days=1 + min(45, int(rng.expovariate(1 / 4))))
    else:
        # Mostly a few days before the deadline, never before the period has ended.
        before = min(deadline_days - 1, int(rng.triangular(0, min(deadline_days, 8), 2)))
        submit_day = deadline - dt.timedelta(days=before)
    submitted = _working(submit_day, rng)
    earliest = _at(period.end - dt.timedelta(days=4), 7.5 * 60)
    created = max(earliest, submitted - dt.timedelta(days=rng.uniform(0.2, 6))).replace(microsecond=0)
    created = min(created, submitted - dt.timedelta(minutes=20))
    entry = (created + (submitted - created) * rng.uniform(0.3, 0.95)).replace(microsecond=0)
    events = [
        PlannedEvent(ReportAction.CREATE, "", ReportStatus.DRAFT, created),
        PlannedEvent(ReportAction.SUBMIT, ReportStatus.DRAFT, ReportStatus.SUBMITTED, submitted),
    ]
    plan = ReportPlan(events=events, entry_at=entry)
    cursor, status = submitted, ReportStatus.SUBMITTED
    if returned:
        plan.flaw = _pick_flaw(data_set_code, rng)
        if approval_levels and rng.random() < 0.5:  # the ministry returns an approved report
            _review_steps(events, status, cursor, approval_levels, rng, accept=False)
            cursor, status = events[-1].at, events[-1].to_status
            returned_at = _later(cursor, rng, 1, 6)
        else:  # the leader (or, without approval, the ministry) returns it at once
            returned_at = _later(cursor, rng, 0.05, 3)
        events.append(PlannedEvent(ReportAction.RETURN, status, ReportStatus.RETURNED, returned_at, plan.flaw.reason))
        plan.fix_at = _later(returned_at, rng, 0.05, 3)
        resubmitted = (plan.fix_at + dt.timedelta(minutes=rng.uniform(5, 90))).replace(microsecond=0)
        events.append(PlannedEvent(ReportAction.SUBMIT, ReportStatus.RETURNED, ReportStatus.SUBMITTED, resubmitted))
        cursor, status = resubmitted, ReportStatus.SUBMITTED
    _review_steps(events, status, cursor, approval_levels, rng, accept=True)
    return _cut(plan, now)


def _cut(plan: ReportPlan, now: dt.datetime) -> ReportPlan | None:
    """What had happened by `now` (a late report of a recent period may still be open)."""
    events = [e for e in plan.events if e.at <= now]
    if not events:
        return None
    plan.events = events
    if plan.fix_at is not None and plan.fix_at > now:
        plan.fix_at = None
    if plan.entry_at > now:
        plan.entry_at = (events[0].at + (now - events[0].at) / 2).replace(microsecond=0)
    return plan


def _plan_in_progress(
    rng: random.Random, data_set_code: str, period: PeriodValue, levels: int, now: dt.datetime
) -> ReportPlan | None:
    """A report of a recent period: drafts, submissions and reviews so far, all before `now`."""
    states = IN_PROGRESS_STATES[levels > 0]
    state = rng.choices([s for s, _w in states], weights=[w for _s, w in states])[0]
    if state == "NOT_STARTED":
        return None
    created = _working(period.end - dt.timedelta(days=rng.randint(0, 4)), rng)
    created = min(created, (now - dt.timedelta(minutes=30)).replace(microsecond=0))
    window_start = max(_at(period.end + dt.timedelta(days=1), 7.5 * 60), created + dt.timedelta(minutes=10))
    if now - window_start < dt.timedelta(hours=2):
        state = "DRAFT"  # the period has only just ended
    events = [PlannedEvent(ReportAction.CREATE, "", ReportStatus.DRAFT, created)]
    plan = ReportPlan(events=events, entry_at=created, in_progress=True)
    if state == "DRAFT":
        plan.entry_at = (created + (now - created) * rng.uniform(0.1, 0.9)).replace(microsecond=0)
        plan.fill = rng.uniform(0.3, 1.0)
        return plan
    steps = {"SUBMITTED": 1, "RETURNED": 2, "APPROVED": 1 + levels, "ACCEPTED": 2 + levels}[state]
    span = (now - window_start).total_seconds()
    times = sorted(window_start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(steps))
    times = [t.replace(microsecond=0) for t in times]
    for i in range(1, len(times)):  # strictly increasing
        times[i] = max(times[i], times[i - 1] + dt.timedelta(seconds=1))
    submitted = times[0]
    events.append(PlannedEvent(ReportAction.SUBMIT, ReportStatus.DRAFT, ReportStatus.SUBMITTED, submitted))
    plan.entry_at = (created + (submitted - created) * rng.uniform(0.3, 0.95)).replace(microsecond=0)
    status = ReportStatus.SUBMITTED
    if state == "RETURNED":
        plan.flaw = _pick_flaw(data_set_code, rng)
        events.append(PlannedEvent(ReportAction.RETURN, status, ReportStatus.RETURNED, times[1], plan.flaw.reason))
        return plan
    for i in range(levels if state in {"APPROVED", "ACCEPTED"} else 0):
        target = ReportStatus.APPROVED if i == levels - 1 else ReportStatus.APPROVED_1
        events.append(PlannedEvent(ReportAction.APPROVE, status, target, times[1 + i]))
        status = target
    if state == "ACCEPTED":
        events.append(PlannedEvent(ReportAction.ACCEPT, status, ReportStatus.ACCEPTED, times[-1]))
    return plan


# --- values of one report -------------------------------------------------------------------


def _flawed(meta: ElementMeta, value: Decimal, flaw: Flaw, values: dict[str, Decimal]) -> Decimal:
    scaled = value * Decimal(str(flaw.factor))
    scaled = scaled.quantize(Decimal(1).scaleb(-meta.decimals))
    if meta.value_type == ValueType.PERCENTAGE:
        scaled = min(scaled, Decimal(100))
    if flaw.cap and values.get(flaw.cap) is not None:
        scaled = min(scaled, values[flaw.cap])
    return scaled


def report_values(
    plan: ReportPlan, sections: Sequence[Sequence[str]], values: dict[str, Decimal]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(first entry, later correction) for a report's values under its plan. A draft in progress
    has its first sections filled, whole: the rules pair figures of one section (one domain),
    so a half-filled pair never compares this period's figure with last period's."""
    if plan.fill < 1:
        sections = sections[: max(1, math.ceil(plan.fill * len(sections)))]
    filled = [code for section in sections for code in section]
    first = {c: values[c] for c in filled if c in values}
    correction: dict[str, Decimal] = {}
    flaw = plan.flaw
    if flaw is not None:
        target = flaw.element if flaw.element in first else (filled[-1] if not flaw.element else None)
        if target is not None and target in first:
            meta = element_meta().get(target)
            if flaw.kind == "scale" and meta is not None:
                first[target] = _flawed(meta, values[target], flaw, values)
            else:
                del first[target]
            if plan.fix_at is not None and first.get(target) != values[target]:
                correction[target] = values[target]
    return first, correction


# --- the loader -----------------------------------------------------------------------------


@dataclass
class DemoSummary:
    first: dt.date
    last: dt.date
    seed: int
    periods: int = 0
    expected: int = 0
    reports: int = 0
    events: int = 0
    values: int = 0
    audits: int = 0
    missing: int = 0
    not_started: int = 0
    late: int = 0
    returned: int = 0
    in_progress: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"Demo history {self.first:%Y-%m} → {self.last:%Y-%m} (seed {self.seed}): {self.reports} reports "
            f"({self.late} late, {self.returned} returned, {self.in_progress} in progress), "
            f"{self.missing} missing and {self.not_started} not started of {self.expected} expected; "
            f"{self.values} values, {self.audits} audit rows, {self.events} events in {self.seconds:.1f} s."
        )


Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called after each data set and period."""


def system_user() -> User:
    """The account demo data is recorded under; nobody can sign in as it."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_create(
            username=SYSTEM_USERNAME,
            password=secrets.token_urlsafe(32),
            role=Role.ADMIN,
            full_name=SYSTEM_FULL_NAME,
        )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_history_exists() -> int:
    """How many demo reports are loaded (those the system user created)."""
    return ReportEvent.objects.filter(action=ReportAction.CREATE, by__username=SYSTEM_USERNAME).count()


NO_FIGURE_REASON = "Đơn vị chưa thống kê được số liệu này trong kỳ"
LATE_REASONS = [
    "Chờ số liệu tổng hợp từ các xã, phường",
    "Cán bộ phụ trách đi công tác, chậm tổng hợp",
    "Hệ thống phần mềm chuyên ngành gặp sự cố khi kết xuất số liệu",
]


def _first_submit(plan: ReportPlan):
    return next((e for e in plan.events if e.action == ReportAction.SUBMIT), None)


def _late_reason(unit: OrgUnit, period: PeriodValue, event, plan: ReportPlan, deadline: dt.date) -> str:
    """The reason a late submission gives (chosen by unit and period, so loads repeat): the one
    the report's submitted_at records, as the demo plans it."""
    if event.action != ReportAction.SUBMIT or event.at != plan.submitted_at or not plan.is_late(deadline):
        return ""
    return LATE_REASONS[zlib.crc32(f"{unit.code}/{period.code}".encode()) % len(LATE_REASONS)]


@transaction.atomic
def demo_history_reset() -> dict[str, int]:
    """Delete the demo reports (with their events) and every value and audit row of channel DEMO."""
    report_ids = list(
        ReportEvent.objects.filter(action=ReportAction.CREATE, by__username=SYSTEM_USERNAME).values_list(
            "report_id", flat=True
        )
    )
    deleted = {"reports": 0, "events": 0}
    for start in range(0, len(report_ids), 5000):
        chunk = report_ids[start : start + 5000]
        NoFigureMark.objects.filter(report_id__in=chunk).delete()
        deleted["events"] += ReportEvent.objects.filter(report_id__in=chunk).delete()[0]
        deleted["reports"] += Report.objects.filter(pk__in=chunk).delete()[0]
    deleted["values"] = DataValue.objects.filter(channel=Channel.DEMO).delete()[0]
    deleted["audits"] = DataValueAudit.objects.filter(channel=Channel.DEMO).delete()[0]
    return deleted


def _last_full_month(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@transaction.atomic
def demo_history_load(
    *,
    first: dt.date = DEFAULT_FIRST,
    last: dt.date | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> DemoSummary:
    """Load reports, events and values for every expected (data set, unit, period) whose period
    lies within [first, last] (default: 2022-01 to the last full month). `today` fixes the
    present for the periods still in progress (default: the local date; then events up to now).

    Records no domain events: a whole history is followed by one full recompute."""
    with events_muted():
        return _demo_history_load(first=first, last=last, seed=seed, progress=progress, today=today)


def _demo_history_load(*, first, last, seed, progress, today) -> DemoSummary:
    started = time.monotonic()
    if today is None:
        today, now = timezone.localdate(), timezone.now()
    else:
        now = _at(today, 12 * 60)
    last = last or _last_full_month(today)
    if last >= today:
        raise ValueError(f"The history ends before today ({today:%Y-%m-%d}); got {last:%Y-%m-%d}.")
    summary = DemoSummary(first=first, last=last, seed=seed)
    data_sets = list(DataSet.objects.order_by("code"))
    if not data_sets:
        raise LookupError("Load the catalogue first (manage.py load_catalog): no data sets found.")
    model = DemoModel.build(seed, last=last)
    user = system_user()

    members: dict[int, list[DataElement]] = defaultdict(list)
    sections: dict[int, dict[int | None, list[str]]] = defaultdict(dict)
    required: dict[int, set[str]] = defaultdict(set)
    for member in DataSetElement.objects.select_related("data_element").order_by(
        "data_set_id", "section__sort_order", "sort_order"
    ):
        members[member.data_set_id].append(member.data_element)
        sections[member.data_set_id].setdefault(member.section_id, []).append(member.data_element.code)
        if member.compulsory:
            required[member.data_set_id].add(member.data_element.code)
    order = {PeriodType.MONTHLY: 0, PeriodType.QUARTERLY: 1, PeriodType.YEARLY: 2}
    batches = sorted(
        (
            (period, data_set)
            for data_set in data_sets
            for period in periods_between(data_set.period_type, first, last)
            if period.start >= first
            and period.end <= last
            and (data_set.open_from is None or period.start >= data_set.open_from)
        ),
        key=lambda b: (b[0].end, order.get(b[0].type, 9), b[1].code),
    )
    stored_periods = periods_get(p for p, _ds in batches)
    summary.periods = len(stored_periods)
    for done, (period, data_set) in enumerate(batches, start=1):
        _load_batch(
            model,
            data_set,
            members[data_set.pk],
            list(sections[data_set.pk].values()),
            period,
            stored_periods[period.code],
            user,
            now,
            summary,
            required=required[data_set.pk],
        )
        if progress:
            progress("history", done, len(batches))
    summary.seconds = time.monotonic() - started
    return summary


def _write(
    figures: list[tuple[OrgUnit, dict[str, Decimal]]],
    at: dt.datetime,
    by_code: dict[str, DataElement],
    stored_period,
    user: User,
    summary: DemoSummary,
) -> None:
    """Write values through the one value service (checks and an audit row per value)."""
    inputs = [
        ValueInput(data_element=by_code[code], org_unit=unit, period=stored_period, value=value)
        for unit, values in figures
        for code, value in values.items()
    ]
    if not inputs:
        return
    result = data_values_write(inputs=inputs, by=user, channel=Channel.DEMO, at=at)
    if not result.ok:
        problem = result.problems[0]
        raise RuntimeError(f"Demo value refused: {problem.data_element} {problem.org_unit} {problem.reason}")
    summary.values += result.created
    summary.audits += result.created + result.updated + result.deleted


def _load_batch(
    model: DemoModel,
    data_set: DataSet,
    elements: list[DataElement],
    sections: list[list[str]],
    period: PeriodValue,
    stored_period,
    user: User,
    now: dt.datetime,
    summary: DemoSummary,
    required: set[str] = frozenset(),
) -> None:
    """One data set and period: values first (the service refuses values of submitted reports),
    then the reports and their events in two bulk inserts; a submitted report's required
    figures left empty carry a "no figure" mark, and a late submission its reason."""
    codes = [e.code for e in elements]
    by_code = {e.code: e for e in elements}
    deadline = report_deadline(data_set, stored_period)
    planned: list[tuple[OrgUnit, ReportPlan]] = []
    by_day: dict[dt.date, list[tuple[OrgUnit, ReportPlan, dict[str, Decimal]]]] = defaultdict(list)
    corrections: list[tuple[OrgUnit, ReportPlan, dict[str, Decimal]]] = []
    for unit in data_set_units(data_set, on=period.end).order_by("code"):
        roots = model.roots_of(unit.code)
        if not roots:
            continue  # a unit type the model does not cover
        summary.expected += 1
        plan = report_plan(
            data_set_code=data_set.code,
            period=period,
            unit_code=unit.code,
            deadline_days=data_set.deadline_days,
            approval_levels=data_set.approval_levels,
            now=now,
            seed=model.seed,
        )
        if plan is None:
            if deadline + dt.timedelta(days=REVIEW_DAYS) > now.astimezone(LOCAL_TZ).date():
                summary.not_started += 1
            else:
                summary.missing += 1
            continue
        values = {}
        for code in codes:
            value = model.value(code, roots, period)
            if value is not None:
                values[code] = value
        first_entry, correction = report_values(plan, sections, values)
        plan.no_figure = sorted(required - first_entry.keys() - correction.keys())
        by_day[plan.entry_at.astimezone(LOCAL_TZ).date()].append((unit, plan, first_entry))
        if correction and plan.fix_at is not None:
            corrections.append((unit, plan, correction))
        planned.append((unit, plan))

    # Values entered on the same day go in one call, stamped with that day's first entry (the
    # drafts opened later that day are moved before it); a call per report would be ~5 times
    # slower. Corrections, a few, keep their own moment (after the return that asked for them).
    for _day, group in sorted(by_day.items()):
        at = min(plan.entry_at for _u, plan, _f in group)
        for _unit, plan, _figures in group:
            plan.entry_at = at
            if plan.events[0].at > at:
                plan.events[0] = replace(plan.events[0], at=at - dt.timedelta(minutes=10))
        _write([(unit, figures) for unit, _p, figures in group], at, by_code, stored_period, user, summary)
    for unit, plan, figures in corrections:
        _write([(unit, figures)], plan.fix_at, by_code, stored_period, user, summary)

    reports = Report.objects.bulk_create(
        [
            Report(
                data_set=data_set,
                org_unit=unit,
                period=stored_period,
                status=plan.status,
                deadline=deadline,
                submitted_at=plan.submitted_at,
                approved_at=plan.approved_at,
                accepted_at=plan.accepted_at,
                created_at=plan.created_at,
                updated_at=plan.events[-1].at,
            )
            for unit, plan in planned
        ]
    )
    events = [
        ReportEvent(
            report=report,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            by=user,
            at=e.at,
            comment=e.comment,
            late_reason=_late_reason(unit, period, e, plan, deadline),
        )
        for report, (unit, plan) in zip(reports, planned, strict=True)
        for e in plan.events
    ]
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    NoFigureMark.objects.bulk_create(
        [
            NoFigureMark(
                report=report,
                data_element=by_code[code],
                reason=NO_FIGURE_REASON,
                by=user,
                at=_first_submit(plan).at - dt.timedelta(minutes=5),
            )
            for report, (_unit, plan) in zip(reports, planned, strict=True)
            if _first_submit(plan) is not None
            for code in plan.no_figure
        ],
        batch_size=2000,
    )
    summary.reports += len(reports)
    summary.events += len(events)
    for _unit, plan in planned:
        summary.statuses[plan.status] += 1
        summary.late += plan.is_late(deadline)
        summary.returned += plan.returned
        summary.in_progress += plan.in_progress
