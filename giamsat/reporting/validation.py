"""Validation rules applied to one report: each rule compares figures of the unit and period.

A figure of a coarser period type (the year's population in a quarterly report) is taken from
the period containing the report's period, or else the latest earlier one.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

from giamsat.catalog.choices import Severity
from giamsat.catalog.engine.expressions import compile_expression
from giamsat.catalog.models import ValidationRule
from giamsat.catalog.selectors import rules_for_elements

from .models import DataValue

OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# A tolerance for rates computed from rounded figures.
EPSILON = 1e-9


@dataclass
class RuleViolation:
    rule: ValidationRule
    left: float
    right: float

    @property
    def blocking(self) -> bool:
        return self.rule.severity == Severity.ERROR

    @property
    def message(self) -> str:
        return self.rule.message


def values_for_rules(org_unit_id: int, period, codes: set[str], current: dict[str, Decimal | None]) -> dict:
    """The figures the rules need: the report's own, then those of coarser periods that contain
    the report's period (the year's population in a quarterly report). Nothing older is used."""
    values: dict[str, Decimal | None] = dict(current)
    missing = codes - set(values)
    if missing:
        rows = (
            DataValue.objects.filter(
                org_unit_id=org_unit_id,
                data_element__code__in=missing,
                period__start_date__lte=period.start_date,
                period__end_date__gte=period.end_date,
                value__isnull=False,
            )
            .order_by("data_element__code", "period__end_date")
            .values_list("data_element__code", "value")
        )
        for code, value in rows:
            values.setdefault(code, value)
    return values


def rule_violations(rules: list[ValidationRule], values: dict[str, Decimal | None]) -> list[RuleViolation]:
    violations = []
    for rule in rules:
        left = compile_expression(rule.left_expression).evaluate(values)
        right = compile_expression(rule.right_expression).evaluate(values)
        if left is None or right is None:
            continue  # a rule with a missing side says nothing yet
        compare = OPERATORS[rule.operator]
        if rule.operator in {"<=", "<"}:
            ok = compare(left, right + EPSILON) if rule.operator == "<=" else compare(left, right)
        else:
            ok = compare(left, right)
        if not ok:
            violations.append(RuleViolation(rule, left, right))
    return violations


def report_rule_violations(report, current: dict[str, Decimal | None] | None = None) -> list[RuleViolation]:
    """Rules broken by a report's figures (`current` overrides stored values, for live checks)."""
    codes = set(report.data_set.members.values_list("data_element__code", flat=True))
    rules = rules_for_elements(codes)
    if not rules:
        return []
    needed = set().union(
        *(
            compile_expression(r.left_expression).references | compile_expression(r.right_expression).references
            for r in rules
        )
    )
    stored = dict(
        DataValue.objects.filter(
            org_unit_id=report.org_unit_id, period_id=report.period_id, data_element__code__in=needed
        ).values_list("data_element__code", "value")
    )
    stored.update(current or {})
    values = values_for_rules(report.org_unit_id, report.period, needed, stored)
    return rule_violations(rules, values)
