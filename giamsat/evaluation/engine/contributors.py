"""Which reported units count towards which units, and when: the contributor map.

A unit's figure for a period is the sum (or weighted mean) of the figures its *contributors*
reported for that period. The map is built once from the registry, as rows

    (target, source, weight, kind, source_from, source_to, end_from, end_to)

and a value reported by `source` for a period counts towards `target` with `weight` when the
period overlaps [source_from, source_to] and the period's end lies in [end_from, end_to].
Dates are proleptic ordinals (date.toordinal()).

- **Hierarchy.** A unit counts towards itself and every unit above it (kind SELF, ROLLUP),
  for the periods it existed in, as DHIS2 sums a subtree.
- **Lineage.** A unit that did not exist yet at the end of a period (a province formed on
  2025-07-01, over 2024) takes its predecessors' figures for the periods that ended before
  it began, weighted by the share of each predecessor that went to it (kind LINEAGE),
  recursively through earlier restructurings. A whole unit merged has weight 1. A commune
  split between several new ones gives each the weight recorded on the lineage link; where
  none is recorded, the predecessor is shared out by the successors' areas (equal shares
  where an area is unknown).

So the 34 provinces have figures for 2024 (their former provinces', summed), a former province
keeps its own figures for the periods it existed in, and a period is never counted twice: a
target's own part covers the periods that end on or after it began, its lineage part the
periods that end before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

FAR_PAST = 1
FAR_FUTURE = dt.date(9999, 12, 31).toordinal()

SELF, ROLLUP, LINEAGE = 0, 1, 2
MAX_LINEAGE_DEPTH = 10


@dataclass(frozen=True)
class UnitFacts:
    id: int
    path: str  # codes from the root, "VN/P01/X00004/"
    code: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    area: float | None = None

    @property
    def start(self) -> int:
        return self.valid_from.toordinal() if self.valid_from else FAR_PAST

    @property
    def end(self) -> int:
        return self.valid_to.toordinal() if self.valid_to else FAR_FUTURE


@dataclass(frozen=True)
class LinkFacts:
    predecessor: int
    successor: int
    weight: float | None


@dataclass
class ContributorMap:
    """Rows of the map as parallel numpy arrays, sorted by source."""

    target: np.ndarray
    source: np.ndarray
    weight: np.ndarray
    kind: np.ndarray
    source_from: np.ndarray
    source_to: np.ndarray
    end_from: np.ndarray
    end_to: np.ndarray

    def __len__(self) -> int:
        return len(self.target)

    def sources_of(self, targets: Iterable[int]) -> np.ndarray:
        """The distinct units whose figures count towards any of the targets."""
        wanted = np.fromiter(targets, dtype=np.int64)
        return np.unique(self.source[np.isin(self.target, wanted)])

    def targets_of(self, sources: Iterable[int]) -> np.ndarray:
        """The distinct units any of the sources counts towards (ancestors, successors, theirs)."""
        wanted = np.fromiter(sources, dtype=np.int64)
        return np.unique(self.target[np.isin(self.source, wanted)])

    def restricted_to(self, targets: np.ndarray) -> ContributorMap:
        keep = np.isin(self.target, targets)
        return ContributorMap(*(getattr(self, name)[keep] for name in _FIELDS))


_FIELDS = ("target", "source", "weight", "kind", "source_from", "source_to", "end_from", "end_to")


def link_weights(units: dict[int, UnitFacts], links: Iterable[LinkFacts]) -> dict[tuple[int, int], float]:
    """The share of each predecessor that went to each successor.

    Recorded weights are kept; what a predecessor has left (1 minus its recorded shares) is
    shared out among its successors without a recorded weight, by their areas, or equally
    where an area is missing.
    """
    by_predecessor: dict[int, list[LinkFacts]] = defaultdict(list)
    for link in links:
        by_predecessor[link.predecessor].append(link)
    weights: dict[tuple[int, int], float] = {}
    for predecessor, outgoing in by_predecessor.items():
        recorded = [link for link in outgoing if link.weight is not None]
        open_links = [link for link in outgoing if link.weight is None]
        for link in recorded:
            weights[(predecessor, link.successor)] = float(link.weight)
        if not open_links:
            continue
        left = max(0.0, 1.0 - sum(float(link.weight) for link in recorded))
        areas = [units[link.successor].area if link.successor in units else None for link in open_links]
        if all(a is not None and a > 0 for a in areas):
            total = sum(areas)
            shares = [a / total for a in areas]
        else:
            shares = [1.0 / len(open_links)] * len(open_links)
        for link, share in zip(open_links, shares, strict=True):
            weights[(predecessor, link.successor)] = left * share
    return weights


def contributor_map(units: Iterable[UnitFacts], links: Iterable[LinkFacts]) -> ContributorMap:
    """The whole map for the registry (see the module's docstring)."""
    units = {u.id: u for u in units}
    links = list(links)
    by_path = {u.path: u for u in units.values()}
    weights = link_weights(units, links)
    predecessors: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (predecessor, successor), weight in weights.items():
        if predecessor in units and successor in units and weight > 0:
            predecessors[successor].append((predecessor, weight))

    # Own part: every unit counts towards itself and its ancestors while it exists.
    own: dict[int, list[tuple]] = defaultdict(list)
    for unit in units.values():
        parts = [p for p in unit.path.split("/") if p]
        for depth in range(len(parts)):
            ancestor = by_path.get("/".join(parts[: depth + 1]) + "/")
            if ancestor is None:
                continue
            kind = SELF if ancestor.id == unit.id else ROLLUP
            own[ancestor.id].append((unit.id, 1.0, kind, unit.start, unit.end, ancestor.start, FAR_FUTURE))

    memo: dict[int, list[tuple]] = {}

    def full(target: int, depth: int) -> list[tuple]:
        if target in memo:
            return memo[target]
        rows = list(own.get(target, ()))
        if depth < MAX_LINEAGE_DEPTH:
            before = units[target].start - 1
            for predecessor, weight in predecessors.get(target, ()):
                for source, w, _kind, s_from, s_to, e_from, e_to in full(predecessor, depth + 1):
                    e_to = min(e_to, before)
                    if e_from <= e_to:
                        rows.append((source, w * weight, LINEAGE, s_from, s_to, e_from, e_to))
        memo[target] = rows
        return rows

    columns: list[list] = [[] for _ in _FIELDS]
    for target in units:
        merged: dict[tuple, list] = {}
        for source, weight, kind, s_from, s_to, e_from, e_to in full(target, 0):
            key = (source, s_from, s_to, e_from, e_to)
            if key in merged:  # the same source reached twice in the same window: shares add up
                merged[key][0] += weight
                merged[key][1] = max(merged[key][1], kind)
            else:
                merged[key] = [weight, kind]
        for (source, s_from, s_to, e_from, e_to), (weight, kind) in merged.items():
            for column, value in zip(columns, (target, source, weight, kind, s_from, s_to, e_from, e_to), strict=True):
                column.append(value)
    arrays = [
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.float64),
        np.asarray(columns[3], dtype=np.int8),
        *(np.asarray(c, dtype=np.int64) for c in columns[4:]),
    ]
    order = np.lexsort((arrays[0], arrays[1]))
    return ContributorMap(*(a[order] for a in arrays))
