"""Reads of the catalogue: lists, a data set's structure, who reports what, where used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from giamsat.orgunits.models import OrgUnit

from .choices import AssignmentKind
from .models import DataElement, DataSet, DataSetAssignment, DataSetElement, Indicator, ValidationRule


def _active(qs: QuerySet, on: dt.date) -> QuerySet:
    return qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def assignment_units_q(assignment: DataSetAssignment, on: dt.date) -> Q:
    """Units covered by one assignment on a date, as a filter on OrgUnit."""
    if assignment.kind == AssignmentKind.UNIT:
        return Q(pk=assignment.org_unit_id)
    if assignment.kind == AssignmentKind.GROUP:
        members = assignment.group.memberships
        return Q(pk__in=_active(members, on).values("org_unit_id"))
    return Q(type=assignment.unit_type)


def data_set_units(data_set: DataSet, *, on: dt.date) -> QuerySet[OrgUnit]:
    """The units expected to report the data set for a period ending on `on`."""
    condition = Q(pk__in=[])
    for assignment in _active(data_set.assignments.select_related("group"), on):
        condition |= assignment_units_q(assignment, on)
    return OrgUnit.objects.filter(condition).active_on(on)


def data_set_assigned_to(data_set: DataSet, org_unit: OrgUnit, *, on: dt.date) -> bool:
    return data_set_units(data_set, on=on).filter(pk=org_unit.pk).exists()


def data_sets_for_unit(org_unit: OrgUnit, *, on: dt.date) -> list[DataSet]:
    """Data sets the unit reports for periods ending on `on`."""
    return [ds for ds in DataSet.objects.prefetch_related("assignments") if data_set_assigned_to(ds, org_unit, on=on)]


@dataclass
class FormSection:
    name: str
    members: list[DataSetElement]


def data_set_sections(data_set: DataSet) -> list[FormSection]:
    """The data set's elements grouped by section, in order (one query)."""
    members = (
        DataSetElement.objects.filter(data_set=data_set)
        .select_related("data_element", "section")
        .order_by("section__sort_order", "sort_order")
    )
    sections: dict[int | None, FormSection] = {}
    for member in members:
        key = member.section_id
        if key not in sections:
            sections[key] = FormSection(member.section.name if member.section else "", [])
        sections[key].members.append(member)
    return list(sections.values())


def rules_for_elements(codes: set[str]) -> list[ValidationRule]:
    """Validation rules that mention at least one of the given elements."""
    from .engine.expressions import compile_expression

    return [
        rule
        for rule in ValidationRule.objects.all()
        if (compile_expression(rule.left_expression).references | compile_expression(rule.right_expression).references)
        & codes
    ]


@dataclass
class ElementUsage:
    data_sets: list[DataSet]
    indicators: list[Indicator]
    rules: list[ValidationRule]


def element_usage(element: DataElement) -> ElementUsage:
    """Where a data element is used: data sets, indicators and validation rules."""
    return ElementUsage(
        data_sets=list(DataSet.objects.filter(members__data_element=element).distinct()),
        indicators=list(element.indicators.all()),
        rules=rules_for_elements({element.code}),
    )
