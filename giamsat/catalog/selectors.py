"""Reads of the catalogue: lists, a data set's structure, who reports what, where used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from giamsat.orgunits.models import OrgUnit, OrgUnitGroupMembership

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


def _in_force(row, on: dt.date) -> bool:
    return (row.valid_from is None or row.valid_from <= on) and (row.valid_to is None or row.valid_to >= on)


def data_set_units_by_date(
    data_sets: list[DataSet], dates: dict[int, list[dt.date]], *, within: Q | None = None
) -> dict[tuple[int, dt.date], list[OrgUnit]]:
    """`data_set_units` for many data sets and dates at once, in three queries whatever their
    number: (data set id, date) -> the units expected to report it for a period ending on that
    date, among the units `within` selects (a user's scope), ordered by path. `dates` maps each
    data set id to its dates."""
    assignments = list(DataSetAssignment.objects.filter(data_set__in=data_sets))
    groups = {a.group_id for a in assignments if a.kind == AssignmentKind.GROUP and a.group_id}
    members: dict[int, list] = {}
    for membership in OrgUnitGroupMembership.objects.filter(group_id__in=groups):
        members.setdefault(membership.group_id, []).append(membership)
    wanted = Q(pk__in=[a.org_unit_id for a in assignments if a.kind == AssignmentKind.UNIT and a.org_unit_id])
    wanted |= Q(type__in={a.unit_type for a in assignments if a.kind == AssignmentKind.UNIT_TYPE})
    wanted |= Q(pk__in=[m.org_unit_id for rows in members.values() for m in rows])
    candidates = list(OrgUnit.objects.filter(wanted).filter(within or Q()).select_related("parent").order_by("path"))
    by_data_set: dict[int, list[DataSetAssignment]] = {}
    for assignment in assignments:
        by_data_set.setdefault(assignment.data_set_id, []).append(assignment)
    result: dict[tuple[int, dt.date], list[OrgUnit]] = {}
    for data_set in data_sets:
        for on in dates.get(data_set.pk, []):
            active = [a for a in by_data_set.get(data_set.pk, []) if _in_force(a, on)]
            unit_ids = {a.org_unit_id for a in active if a.kind == AssignmentKind.UNIT}
            types = {a.unit_type for a in active if a.kind == AssignmentKind.UNIT_TYPE}
            for a in active:
                if a.kind == AssignmentKind.GROUP:
                    unit_ids |= {m.org_unit_id for m in members.get(a.group_id, []) if _in_force(m, on)}
            result[(data_set.pk, on)] = [
                u for u in candidates if _in_force(u, on) and (u.pk in unit_ids or u.type in types)
            ]
    return result


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


def element_names(codes: set[str]) -> dict[str, str]:
    """The data elements' names in the active language, by code (unknown codes are left out)."""
    if not codes:
        return {}
    return {element.code: element.name for element in DataElement.objects.filter(code__in=codes)}
