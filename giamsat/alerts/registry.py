"""Rule kinds are a registry, not a fixed list: the built-in kinds (kinds.py) and every module's
own (an overdue task, a project red flag, an incident not reported in time) register here and
raise alerts through the same service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Alert, AlertRule


@dataclass(frozen=True)
class Finding:
    """A condition found for a unit and period (and a subject within them, e.g. a data element)."""

    unit_id: int
    period_id: int
    subject: str = ""
    evidence: dict = field(default_factory=dict, hash=False, compare=False)
    severity: str | None = None  # the rule's unless the kind says otherwise

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.unit_id, self.period_id, self.subject)


@dataclass
class ScanScope:
    """What a scan looks at: every unit and period its rule covers (pairs None), or only the
    (unit id, period id) pairs a change touched."""

    today: dt.date
    pairs: set[tuple[int, int]] | None = None
    # What the rules of one scan share (read once: an element's latest period and its values);
    # None: nothing is kept.
    cache: dict | None = None


@dataclass
class Scan:
    findings: list[Finding]
    # The (unit id, period id) pairs looked at, where an active alert not found again resolves;
    # None: everything the rule covers.
    covered: set[tuple[int, int]] | None = None


@dataclass(frozen=True)
class AlertKind:
    code: str
    label: str  # a lazy translation
    scan: Callable[[AlertRule, ScanScope], Scan]
    describe: Callable[[Alert], str]  # one line, in the active language, from the evidence
    applies_to: str = ""  # "data_set", "data_element", "indicator" or "" (the kind needs none)
    defaults: dict = field(default_factory=dict)  # thresholds, overridable per rule
    time_based: bool = False  # re-scanned every minute (deadlines pass without any change)
    value_based: bool = False  # re-scanned for the units and periods whose values changed
    muted_by_missing_report: bool = False  # a missing report says it all for that unit and period
    # Where the alert's subject is shown (a module's page: the task overdue), or None.
    subject_link: Callable[[Alert], str | None] | None = None


KINDS: dict[str, AlertKind] = {}


def alert_kind_register(kind: AlertKind) -> AlertKind:
    KINDS[kind.code] = kind
    return kind


def kind_get(code: str) -> AlertKind | None:
    return KINDS.get(code)


def kind_choices() -> list[tuple[str, str]]:
    return [(code, kind.label) for code, kind in sorted(KINDS.items())]


# Modules add the rules a new installation starts with (`load_alert_rules`): each function
# returns (code, fields) pairs, created when no rule has that code.
DEFAULT_RULES: list[Callable[[], list[tuple[str, dict]]]] = []


def default_rules_register(provide: Callable[[], list[tuple[str, dict]]]) -> Callable[[], list[tuple[str, dict]]]:
    DEFAULT_RULES.append(provide)
    return provide
