"""Writes to the catalogue: the idempotent seed loader and the analysts' edits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from giamsat.events.choices import EventKind
from giamsat.events.services import event_record
from giamsat.orgunits.models import OrgUnit

from . import seed
from .choices import AssignmentKind, LineageRule, ValueType
from .engine.expressions import ExpressionError, validate_expression
from .models import (
    DataElement,
    DataSet,
    DataSetAssignment,
    DataSetElement,
    DataSetSection,
    Domain,
    DomainOwnership,
    Indicator,
    Target,
    ValidationRule,
)


class CatalogError(ValueError):
    """A catalogue change that cannot be made; the message says why."""


@dataclass
class CatalogSummary:
    domains: int = 0
    data_elements: int = 0
    indicators: int = 0
    data_sets: int = 0
    rules: int = 0
    targets: int = 0


def known_element_codes() -> set[str]:
    return set(DataElement.objects.values_list("code", flat=True))


def expression_check(text: str, *, known: set[str] | None = None) -> list[str]:
    """Validate an expression against the catalogue; returns the element codes it uses."""
    try:
        compiled = validate_expression(text, known if known is not None else known_element_codes())
    except ExpressionError as exc:
        raise CatalogError(exc.describe(_)) from exc
    return sorted(compiled.references)


@transaction.atomic
def catalog_load() -> CatalogSummary:
    """Create or update the seed catalogue (idempotent; edits to other items are kept)."""
    summary = CatalogSummary()
    domains = _load_domains(summary)
    elements = _load_elements(domains, summary)
    known = set(elements)
    _load_indicators(domains, elements, known, summary)
    _load_rules(known, summary)
    _load_data_sets(domains, elements, summary)
    return summary


def _load_domains(summary: CatalogSummary) -> dict[str, Domain]:
    domains = {}
    for row in seed.read_csv("domains.csv"):
        domain, _created = Domain.objects.update_or_create(
            code=row["code"],
            defaults={"name_vi": row["name_vi"], "name_en": row["name_en"], "sort_order": int(row["sort_order"])},
        )
        domains[domain.code] = domain
        for owner in OrgUnit.objects.filter(code__in=row["owners"].split("|")):
            DomainOwnership.objects.update_or_create(
                domain=domain, owner=owner, defaults={"valid_from": owner.valid_from, "valid_to": owner.valid_to}
            )
    summary.domains = len(domains)
    return domains


def _load_elements(domains: dict[str, Domain], summary: CatalogSummary) -> dict[str, DataElement]:
    elements = {}
    for row in seed.read_csv("data_elements.csv"):
        low, high = seed.element_range(row["value_type"])
        element, _created = DataElement.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "domain": domains[row["domain"]],
                "value_type": row["value_type"],
                "unit_vi": row["unit_vi"],
                "unit_en": row["unit_en"],
                "aggregation": row["aggregation"],
                # A merged province has a DX resolution when each of its former provinces had one.
                "lineage_rule": LineageRule.ALL if row["value_type"] == ValueType.BOOLEAN else "",
                "period_type": row["period_type"],
                "reported_by": row["reported_by"],
                "min_value": low,
                "max_value": high,
                "notes": row["notes"],
            },
        )
        elements[element.code] = element
    summary.data_elements = len(elements)
    return elements


def _load_indicators(domains, elements, known, summary: CatalogSummary) -> None:
    for row in seed.read_csv("indicators.csv"):
        references = expression_check(row["expression"], known=known)
        indicator, _created = Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "domain": domains[row["domain"]],
                "pillar": row["pillar"],
                "expression": row["expression"],
                "unit_vi": row["unit_vi"],
                "unit_en": row["unit_en"],
                "direction": row["direction"],
                "decimals": int(row["decimals"] or 0),
                "source": row["source"],
            },
        )
        indicator.data_elements.set([elements[c] for c in references])
        summary.indicators += 1
        if row["target_value"]:
            scope, unit_type = seed.TARGET_SCOPES[row["target_scope"] or "NATIONAL"]
            Target.objects.update_or_create(
                indicator=indicator,
                scope=scope,
                unit_type=unit_type,
                year=int(row["target_year"]),
                org_unit=None,
                group=None,
                defaults={
                    "value": Decimal(row["target_value"]),
                    "baseline_value": Decimal(row["baseline_value"]) if row["baseline_value"] else None,
                    "baseline_year": int(row["baseline_year"]) if row["baseline_year"] else None,
                    "source": row["source"],
                },
            )
            summary.targets += 1


def _load_rules(known: set[str], summary: CatalogSummary) -> None:
    for row in seed.read_csv("validation_rules.csv"):
        expression_check(row["left"], known=known)
        expression_check(row["right"], known=known)
        ValidationRule.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["message_vi"],
                "name_en": row["message_en"],
                "left_expression": row["left"],
                "operator": row["operator"],
                "right_expression": row["right"],
                "severity": row["severity"],
                "message_vi": row["message_vi"],
                "message_en": row["message_en"],
            },
        )
        summary.rules += 1


def _load_data_sets(domains, elements, summary: CatalogSummary) -> None:
    rows = seed.read_csv("data_elements.csv")
    for data_set_seed in seed.data_set_seeds(rows, list(domains)):
        data_set, _created = DataSet.objects.update_or_create(
            code=data_set_seed.code,
            defaults={
                "name_vi": data_set_seed.name_vi,
                "name_en": data_set_seed.name_en,
                "period_type": data_set_seed.period_type,
                "deadline_days": data_set_seed.deadline_days,
                "approval_levels": data_set_seed.approval_levels,
                "covers_sub_units": data_set_seed.covers_sub_units,
            },
        )
        for position, (domain_code, codes) in enumerate(data_set_seed.sections.items()):
            domain = domains[domain_code]
            section, _created = DataSetSection.objects.update_or_create(
                data_set=data_set,
                sort_order=position,
                defaults={"name_vi": domain.name_vi, "name_en": domain.name_en},
            )
            for order, code in enumerate(codes):
                DataSetElement.objects.update_or_create(
                    data_set=data_set,
                    data_element=elements[code],
                    defaults={"section": section, "sort_order": order, "compulsory": data_set_seed.all_required},
                )
        DataSetAssignment.objects.get_or_create(
            data_set=data_set, kind=AssignmentKind.UNIT_TYPE, unit_type=data_set_seed.unit_type
        )
        summary.data_sets += 1


def indicator_save(*, indicator: Indicator, by=None) -> Indicator:
    """Save an indicator after checking its expression; keeps its element links in step."""
    references = expression_check(indicator.expression)
    with transaction.atomic():
        indicator.save()
        indicator.data_elements.set(DataElement.objects.filter(code__in=references))
        event_record(kind=EventKind.INDICATOR_CHANGED, subject=indicator, by=by)
    return indicator


@transaction.atomic
def data_element_save(*, element: DataElement, by=None) -> DataElement:
    """Save a data element (its aggregation and type change how figures roll up)."""
    element.save()
    event_record(kind=EventKind.DATA_ELEMENT_CHANGED, subject=element, by=by)
    return element


@transaction.atomic
def data_set_save(*, data_set: DataSet, by=None) -> DataSet:
    """Save a data set's own fields (deadline, approval levels, ...)."""
    data_set.save()
    event_record(kind=EventKind.DATA_SET_CHANGED, subject=data_set, by=by)
    return data_set


@transaction.atomic
def target_save(*, target: Target, by=None) -> Target:
    """Save one of an indicator's targets; statuses and scores follow once the change commits."""
    target.save()
    event_record(
        kind=EventKind.TARGET_CHANGED,
        subject=target,
        by=by,
        payload={"indicator": target.indicator_id, "year": target.year},
    )
    return target


def validation_rule_save(*, rule: ValidationRule, by=None) -> ValidationRule:
    """Save a validation rule after checking both sides."""
    known = known_element_codes()
    for side, text in ((_("left side"), rule.left_expression), (_("right side"), rule.right_expression)):
        try:
            expression_check(text, known=known)
        except CatalogError as exc:
            raise CatalogError(f"{side}: {exc}") from exc
    with transaction.atomic():
        rule.save()
        event_record(kind=EventKind.VALIDATION_RULE_CHANGED, subject=rule, by=by)
    return rule


@transaction.atomic
def data_set_member_add(
    *, data_set: DataSet, element: DataElement, section_name: str = "", required: bool = False, by=None
) -> DataSetElement:
    """Put a data element in a data set, in a section (created when new); same period type only.
    A required figure must be filled (or marked "no figure") before the report is submitted."""
    if element.period_type != data_set.period_type:
        raise CatalogError(
            _("%(code)s is reported %(element)s; this data set is %(data_set)s.")
            % {
                "code": element.code,
                "element": element.get_period_type_display().lower(),
                "data_set": data_set.get_period_type_display().lower(),
            }
        )
    section = None
    name = (section_name or "").strip() or element.domain.name_vi
    section = data_set.sections.filter(name_vi=name).first()
    if section is None:
        last = data_set.sections.order_by("-sort_order").first()
        section = DataSetSection.objects.create(
            data_set=data_set, name_vi=name, sort_order=(last.sort_order + 1) if last else 0
        )
    position = section.members.count()
    member, _created = DataSetElement.objects.update_or_create(
        data_set=data_set,
        data_element=element,
        defaults={"section": section, "sort_order": position, "compulsory": required},
    )
    _data_set_changed(data_set, by=by, change="member_add", element=element.code)
    return member


@transaction.atomic
def data_set_member_remove(*, data_set: DataSet, element: DataElement, by=None) -> None:
    """Take an element out of a data set; its stored values stay (they belong to the element)."""
    DataSetElement.objects.filter(data_set=data_set, data_element=element).delete()
    _data_set_changed(data_set, by=by, change="member_remove", element=element.code)


def _data_set_changed(data_set: DataSet, *, by, **payload) -> None:
    event_record(kind=EventKind.DATA_SET_CHANGED, subject=data_set, by=by, payload=payload)


@transaction.atomic
def data_set_assignment_add(
    *,
    data_set: DataSet,
    by=None,
    kind: str,
    org_unit=None,
    group=None,
    unit_type: str = "",
    valid_from=None,
    valid_to=None,
) -> DataSetAssignment:
    """Who reports the data set from a date: a unit, a group or every unit of a type."""
    if kind == AssignmentKind.UNIT and org_unit is None:
        raise CatalogError(_("Choose the unit."))
    if kind == AssignmentKind.GROUP and group is None:
        raise CatalogError(_("Choose the group."))
    if kind == AssignmentKind.UNIT_TYPE and not unit_type:
        raise CatalogError(_("Choose the unit type."))
    if valid_from and valid_to and valid_to < valid_from:
        raise CatalogError(_("The end date comes before the start date."))
    assignment = DataSetAssignment.objects.create(
        data_set=data_set,
        kind=kind,
        org_unit=org_unit if kind == AssignmentKind.UNIT else None,
        group=group if kind == AssignmentKind.GROUP else None,
        unit_type=unit_type if kind == AssignmentKind.UNIT_TYPE else "",
        valid_from=valid_from,
        valid_to=valid_to,
    )
    _data_set_changed(data_set, by=by, change="assignment_add", assignment=assignment.pk)
    return assignment


@transaction.atomic
def data_set_assignment_end(*, assignment: DataSetAssignment, on, by=None) -> DataSetAssignment:
    """Stop an assignment after a date (history stays: past periods still expect their reports)."""
    if assignment.valid_from and on < assignment.valid_from:
        raise CatalogError(_("The end date comes before the start date."))
    assignment.valid_to = on
    assignment.save(update_fields=["valid_to"])
    _data_set_changed(assignment.data_set, by=by, change="assignment_end", assignment=assignment.pk)
    return assignment
