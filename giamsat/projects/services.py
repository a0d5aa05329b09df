"""Writes for projects. Every change records a PROJECT_CHANGED event (the red flags, the
figures and the alerts follow it: handlers.py); amounts are whole đồng; `at` backdates a change
(loading history)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.events.choices import EventKind
from giamsat.events.services import event_record
from giamsat.orgunits.models import OrgUnit, OrgUnitLineage
from giamsat.tracking.models import WorkItem
from giamsat.tracking.permissions import ensure
from giamsat.tracking.services import work_item_create

from .choices import MILESTONE_KIND, OWNER_UNIT_TYPES, FlagCode, FundingSource, TransactionKind
from .engine.earned_value import planned_curve
from .engine.flags import TESTS
from .models import (
    FlagRule,
    FlagRuleSet,
    Funding,
    Milestone,
    Package,
    PhysicalProgress,
    Project,
    ProjectBaseline,
    ProjectOwnership,
    RedFlag,
    Transaction,
    YearBudget,
)
from .selectors import project_can_edit, projects_facts, rules_in_force

DEFAULT_RULES = Path(__file__).parent / "data" / "flag_rules_v1.json"


def _changed(project: Project, by, at=None, **payload) -> None:
    event_record(
        kind=EventKind.PROJECT_CHANGED, unit=project.owner_unit_id, subject=project, by=by, payload=payload, at=at
    )


def ensure_can_edit(user, project: Project) -> None:
    ensure(project_can_edit(user, project), _("You may not change this project."))


# --- owners through restructuring -------------------------------------------------------------


def successor_in_force(unit: OrgUnit, on: dt.date) -> OrgUnit | None:
    """The unit that carries `unit` on `on`: itself while in force, else its (primary) successor
    through the registry's lineage at any depth; a department without a lineage of its own
    follows its parent."""
    seen = set()
    current = unit
    while current is not None and current.pk not in seen:
        if current.is_active_on(on):
            return current
        seen.add(current.pk)
        link = (
            OrgUnitLineage.objects.filter(predecessor=current)
            .select_related("successor")
            .order_by("-is_primary", "event__date", "pk")
            .first()
        )
        if link is not None:
            current = link.successor
        elif current.parent is not None:
            current = current.parent
        else:
            current = None
    return None


def _ownership_chain(unit: OrgUnit, since: dt.date, today: dt.date) -> list[tuple[OrgUnit, dt.date, dt.date | None]]:
    """(owner, from, to) from `since` to today: a former unit until it ended, then its successor."""
    chain = []
    start, current = since, unit
    for _step in range(10):
        if current.valid_to is None or current.valid_to >= today:
            chain.append((current, start, None))
            return chain
        chain.append((current, start, current.valid_to))
        following = successor_in_force(current, current.valid_to + dt.timedelta(days=1))
        if following is None:
            chain[-1] = (current, start, None)
            return chain
        start, current = current.valid_to + dt.timedelta(days=1), following
    return chain


def projects_follow_restructuring(*, on: dt.date | None = None) -> int:
    """Hand every project whose owner is no longer in force to the owner's successor, keeping
    the former owner in the history. Returns the number of projects moved."""
    on = on or timezone.localdate()
    moved = 0
    for project in Project.objects.filter(owner_unit__valid_to__lt=on).select_related("owner_unit"):
        last = project.owners.filter(valid_to__isnull=True).order_by("-valid_from").first()
        chain = _ownership_chain(project.owner_unit, last.valid_from if last else project.decision_date, on)
        with transaction.atomic():
            if last is not None:
                last.delete()
            for unit, start, end in chain:
                ProjectOwnership.objects.create(
                    project=project,
                    unit=unit,
                    valid_from=start,
                    valid_to=end,
                    reason=_("Restructuring: %(unit)s") % {"unit": unit.name_vi} if start != chain[0][1] else "",
                )
            project.owner_unit = chain[-1][0]
            project.save(update_fields=["owner_unit"])
            # Its open milestones are the new owner's to report on.
            WorkItem.objects.filter(project_milestone__project=project, completed_on__isnull=True).update(
                owner_unit=project.owner_unit
            )
            _changed(project, None, owner=project.owner_unit.code)
        moved += 1
    return moved


# --- the registry -----------------------------------------------------------------------------

REQUIRED = ("code", "name", "type", "status", "decision_number", "decision_date", "decision_body")


def _clean_project(fields: dict) -> dict:
    errors = {}
    for name in REQUIRED:
        if fields.get(name) in (None, ""):
            errors[name] = _("This field is required.")
    total = fields.get("total_investment")
    if total is None or int(total) <= 0:
        errors["total_investment"] = _("The total investment must be a positive amount in đồng.")
    start, end = fields.get("planned_start"), fields.get("planned_end")
    if not start:
        errors["planned_start"] = _("This field is required.")
    if not end:
        errors["planned_end"] = _("This field is required.")
    if start and end and end < start:
        errors["planned_end"] = _("The planned end is before the planned start.")
    owner = fields.get("owner_unit")
    if owner is None:
        errors["owner_unit"] = _("This field is required.")
    elif owner.type not in OWNER_UNIT_TYPES:
        errors["owner_unit"] = _(
            "%(unit)s cannot own an investment project (a province, a ministry or one of their departments can)."
        ) % {"unit": owner.name_vi}
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def project_create(
    *, by, funding: dict[str, int] | None = None, check_permission: bool = True, at=None, **fields
) -> Project:
    """Register a project. An owner no longer in force (a former province's project) is kept in
    the history and the project passes to its successor."""
    fields = _clean_project(fields)
    if Project.objects.filter(code=fields["code"]).exists():
        raise ValidationError(
            {"code": _("A project with the code %(code)s already exists.") % {"code": fields["code"]}}
        )
    owner = fields["owner_unit"]
    if check_permission:
        from giamsat.tracking.permissions import can_assign, can_report_for

        ensure(can_report_for(by, owner) or can_assign(by, owner), _("You may not register projects for this unit."))
    now = at or timezone.now()
    # The owners up to today, even when loading history (`at`): the project is the successor's.
    chain = _ownership_chain(owner, fields["decision_date"], timezone.localdate())
    project = Project.objects.create(
        **{**fields, "owner_unit": chain[-1][0]}, created_by=by, created_at=now, updated_at=now
    )
    for n, (unit, start, end) in enumerate(chain):
        ProjectOwnership.objects.create(
            project=project,
            unit=unit,
            valid_from=start,
            valid_to=end,
            reason="" if n == 0 else _("Restructuring: %(unit)s") % {"unit": unit.name_vi},
        )
    for source, amount in (funding or {}).items():
        Funding.objects.create(project=project, source=source, amount=int(amount))
    _changed(project, by, at=at, action="create")
    return project


EDITABLE = (
    "name",
    "description",
    "type",
    "domain",
    "programme",
    "status",
    "decision_number",
    "decision_date",
    "decision_body",
    "total_investment",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)


@transaction.atomic
def project_update(*, project: Project, by, at=None, check_permission: bool = True, **fields) -> Project:
    if check_permission:
        ensure_can_edit(by, project)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    merged = {name: getattr(project, name) for name in REQUIRED + ("total_investment", "planned_start", "planned_end")}
    merged.update(fields)
    _clean_project({**merged, "owner_unit": project.owner_unit})
    for name, value in fields.items():
        setattr(project, name, value)
    project.updated_at = at or timezone.now()
    project.save()
    _changed(project, by, at=at, action="update", fields=sorted(fields))
    return project


def funding_set(*, project: Project, funding: dict[str, int], by, at=None) -> None:
    """The project's funding by source, as given (a source left out is removed)."""
    for source, amount in funding.items():
        if source not in FundingSource.values:
            raise ValidationError({"funding": _("Unknown funding source: %(source)s.") % {"source": source}})
        if int(amount) < 0:
            raise ValidationError({"funding": _("Amounts cannot be negative.")})
    Funding.objects.filter(project=project).exclude(source__in=list(funding)).delete()
    for source, amount in funding.items():
        Funding.objects.update_or_create(project=project, source=source, defaults={"amount": int(amount)})
    _changed(project, by, at=at, action="funding")


def year_budget_set(*, project: Project, year: int, planned: int, allocated: int, by, at=None) -> YearBudget:
    if planned < 0 or allocated < 0:
        raise ValidationError({"allocated": _("Amounts cannot be negative.")})
    budget, _created = YearBudget.objects.update_or_create(
        project=project, year=year, defaults={"planned": int(planned), "allocated": int(allocated)}
    )
    _changed(project, by, at=at, action="budget", year=year)
    return budget


def _check_amount(amount) -> int:
    try:
        value = Decimal(str(amount))
    except Exception:
        raise ValidationError({"amount": _("The amount must be a number of đồng.")}) from None
    if value <= 0 or value != value.to_integral_value():
        raise ValidationError({"amount": _("The amount must be a positive whole number of đồng.")})
    return int(value)


@transaction.atomic
def transaction_record(
    *,
    project: Project,
    kind: str,
    date: dt.date,
    amount,
    by,
    document: str = "",
    note: str = "",
    package: Package | None = None,
    check_permission: bool = True,
    at=None,
) -> Transaction:
    """Record money committed or paid out on a day, with the document that moved it."""
    if check_permission:
        ensure_can_edit(by, project)
    if kind not in TransactionKind.values:
        raise ValidationError({"kind": _("Unknown transaction kind: %(kind)s.") % {"kind": kind}})
    value = _check_amount(amount)
    today = timezone.localdate(at) if at else timezone.localdate()
    if date > today:
        raise ValidationError({"date": _("The date %(date)s is in the future.") % {"date": date.strftime("%d/%m/%Y")}})
    if date < project.decision_date:
        raise ValidationError(
            {
                "date": _("The date %(date)s is before the project was approved (%(approved)s).")
                % {"date": date.strftime("%d/%m/%Y"), "approved": project.decision_date.strftime("%d/%m/%Y")}
            }
        )
    if package is not None and package.project_id != project.pk:
        raise ValidationError({"package": _("This package belongs to another project.")})
    row = Transaction.objects.create(
        project=project,
        kind=kind,
        date=date,
        amount=value,
        document=document.strip()[:255],
        note=note.strip()[:500],
        package=package,
        recorded_by=by,
        recorded_at=at or timezone.now(),
    )
    if kind == TransactionKind.DISBURSEMENT and project.actual_start is None:
        project.actual_start = date
        project.save(update_fields=["actual_start"])
    _changed(project, by, at=at, action="transaction", year=date.year)
    return row


PACKAGE_FIELDS = (
    "name",
    "method",
    "stage",
    "estimated_value",
    "contract_value",
    "bidders",
    "supplier",
    "tender_date",
    "award_date",
    "contract_date",
)


@transaction.atomic
def package_save(*, project: Project, code: str, by, at=None, check_permission: bool = True, **fields) -> Package:
    """Create or update the package `code` of a project."""
    if check_permission:
        ensure_can_edit(by, project)
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("This field is required.")})
    unknown = set(fields) - set(PACKAGE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if fields.get("estimated_value") is not None and int(fields["estimated_value"]) <= 0:
        raise ValidationError({"estimated_value": _("The estimate must be a positive amount in đồng.")})
    if fields.get("bidders") is not None and int(fields["bidders"]) < 0:
        raise ValidationError({"bidders": _("The number of bidders cannot be negative.")})
    package, _created = Package.objects.update_or_create(project=project, code=code, defaults=fields)
    _changed(project, by, at=at, action="package")
    return package


@transaction.atomic
def milestone_add(
    *,
    project: Project,
    title: str,
    type: str,
    due_date: dt.date,
    by,
    start_date: dt.date | None = None,
    weight: int = 0,
    deliverable: str = "",
    check_permission: bool = True,
    at=None,
) -> Milestone:
    """A milestone is tracked work of the owner unit (its status, evidence and extensions are
    the tracked-work base's)."""
    if check_permission:
        ensure_can_edit(by, project)
    item = work_item_create(
        kind=MILESTONE_KIND,
        title=title,
        owner_unit=project.owner_unit,
        due_date=due_date,
        start_date=start_date,
        deliverable=deliverable,
        by=by,
        check_permission=False,
        at=at,
    )
    milestone = Milestone.objects.create(item=item, project=project, type=type, weight=weight)
    _changed(project, by, at=at, action="milestone")
    return milestone


def physical_progress_report(
    *, project: Project, on: dt.date, percent, by, note: str = "", at=None, check_permission: bool = True
) -> PhysicalProgress:
    if check_permission:
        ensure_can_edit(by, project)
    value = Decimal(str(percent))
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"percent": _("The physical progress must lie between 0 and 100 %.")})
    row = PhysicalProgress.objects.create(project=project, on=on, percent=value, note=note[:500], reported_by=by)
    _changed(project, by, at=at, action="progress")
    return row


def baseline_freeze(*, project: Project, by, on: dt.date | None = None, reason: str = "", at=None) -> ProjectBaseline:
    """Freeze the plan: the budget at completion (the total investment) and the planned value
    curve from the yearly plans (or evenly over the planned months). The first baseline is the
    one at approval; a later one needs a reason."""
    number = (project.baselines.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    if number > 1 and not reason.strip():
        raise ValidationError({"reason": _("A re-baseline needs a reason.")})
    years = dict(project.years.values_list("year", "planned"))
    curve = planned_curve(
        start=project.planned_start, end=project.planned_end, total=project.total_investment, year_plans=years
    )
    baseline = ProjectBaseline.objects.create(
        project=project,
        number=number,
        taken_on=on or project.decision_date,
        reason=reason.strip() or _("Baseline at approval"),
        budget_at_completion=project.total_investment,
        curve=[[day.isoformat(), value] for day, value in curve],
        taken_by=by,
    )
    _changed(project, by, at=at, action="baseline")
    return baseline


# --- red flags --------------------------------------------------------------------------------


@transaction.atomic
def flag_rule_set_publish(*, rules: list[dict], valid_from: dt.date, by, note: str = "", at=None) -> FlagRuleSet:
    """A new version of the red-flag rules, in force from `valid_from`. Flags already raised keep
    the version they were raised under."""
    errors = {}
    for n, rule in enumerate(rules, start=1):
        if rule.get("code") not in FlagCode.values:
            errors[f"rules[{n}].code"] = _("Unknown flag: %(code)s.") % {"code": rule.get("code")}
        if not (rule.get("legal_basis") or "").strip():
            errors[f"rules[{n}].legal_basis"] = _("Every rule states its legal basis.")
        for name, value in (rule.get("params") or {}).items():
            if not isinstance(value, int | float) or value < 0:
                errors[f"rules[{n}].params.{name}"] = _("A threshold is a number, zero or more.")
    if errors:
        raise ValidationError(errors)
    version = (FlagRuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    rule_set = FlagRuleSet.objects.create(
        version=version, valid_from=valid_from, note=note, created_by=by, created_at=at or timezone.now()
    )
    FlagRule.objects.bulk_create(
        FlagRule(
            rule_set=rule_set,
            code=rule["code"],
            name_vi=rule.get("name_vi") or FlagCode(rule["code"]).label,
            name_en=rule.get("name_en") or rule["code"],
            legal_basis=rule["legal_basis"].strip(),
            params=rule.get("params") or {},
            severity=rule.get("severity") or "WARNING",
            enabled=rule.get("enabled", True),
        )
        for rule in rules
    )
    # Every project is re-tested once the new version is in force (now, or by the nightly run).
    event_record(
        kind=EventKind.PROJECT_CHANGED,
        subject=rule_set,
        by=by,
        payload={"action": "rules", "valid_from": valid_from.isoformat()},
        at=at,
    )
    return rule_set


def flag_rules_load_default() -> FlagRuleSet | None:
    """The first rule set (data/flag_rules_v1.json), once."""
    if FlagRuleSet.objects.exists():
        return None
    data = json.loads(DEFAULT_RULES.read_text(encoding="utf-8"))
    return flag_rule_set_publish(
        rules=data["rules"], valid_from=dt.date.fromisoformat(data["valid_from"]), by=None, note=data["note"]
    )


def flag_rule_set_next(*, changes: dict[str, dict], valid_from: dt.date, by, note: str = "") -> FlagRuleSet:
    """Publish the rules in force with some thresholds changed: {code: {"params": {...},
    "enabled": bool}}."""
    from .selectors import rule_set_in_force

    current = rule_set_in_force(valid_from) or FlagRuleSet.objects.order_by("-version").first()
    rules = []
    for rule in current.rules.all() if current else []:
        change = changes.get(rule.code, {})
        rules.append(
            {
                "code": rule.code,
                "name_vi": rule.name_vi,
                "name_en": rule.name_en,
                "legal_basis": change.get("legal_basis", rule.legal_basis),
                "params": {**rule.params, **change.get("params", {})},
                "severity": change.get("severity", rule.severity),
                "enabled": change.get("enabled", rule.enabled),
            }
        )
    return flag_rule_set_publish(rules=rules, valid_from=valid_from, by=by, note=note)


def flags_evaluate(*, projects=None, today: dt.date | None = None) -> dict[str, int]:
    """Test the projects with the rules in force `today`: a flag found and not open is raised
    under today's rule version with its figures; an open flag no longer found is cleared (it
    keeps the rule it was raised under). Returns {"raised": n, "cleared": n, "open": n}."""
    from giamsat.core.periods import Period as PeriodValue
    from giamsat.reporting.services import period_get

    today = today or timezone.localdate()
    projects = list(Project.objects.all() if projects is None else projects)
    rules = rules_in_force(today)
    facts = projects_facts(projects, today)
    found: dict[tuple[int, str, str], tuple[FlagRule, dict]] = {}
    for project in projects:
        for rule in rules:
            test = TESTS.get(rule.code)
            if test is None:
                continue
            for hit in test(facts[project.pk], rule.params):
                found[(project.pk, rule.code, hit.subject)] = (rule, hit.figures)
    ids = [p.pk for p in projects]
    period = period_get(PeriodValue.parse(f"{today.year}{today.month:02d}"))
    raised = cleared = 0
    with transaction.atomic():
        open_now = {
            (f.project_id, f.code, f.subject): f
            for f in RedFlag.objects.filter(project_id__in=ids, cleared_on__isnull=True)
        }
        for key, flag in open_now.items():
            if key in found:
                figures = found[key][1]
                if flag.latest != figures:
                    flag.latest = figures
                    flag.save(update_fields=["latest"])
            else:
                flag.cleared_on = today
                flag.save(update_fields=["cleared_on"])
                cleared += 1
        new = [
            RedFlag(
                project_id=project_id,
                rule=rule,
                code=code,
                subject=subject,
                raised_on=today,
                figures=figures,
                latest=figures,
                period=period,
            )
            for (project_id, code, subject), (rule, figures) in found.items()
            if (project_id, code, subject) not in open_now
        ]
        RedFlag.objects.bulk_create(new, batch_size=1000)
        raised = len(new)
    return {"raised": raised, "cleared": cleared, "open": len(found)}


def flag_alerts_scan(*, today: dt.date | None = None) -> None:
    """Open and resolve the red flags' alerts (their rule kinds) after the flags changed."""
    from giamsat.alerts.models import AlertRule
    from giamsat.alerts.services import rules_scan

    from .kinds import KIND_PREFIX

    rules = AlertRule.objects.filter(enabled=True, kind__startswith=KIND_PREFIX)
    if rules.exists():
        rules_scan(rules=rules, today=today)


def project_changes_follow(*, projects, years) -> None:
    """After projects changed: their owners' figures for those years, and the flags' alerts."""
    from .figures import evaluated_unit_id, project_figures_write

    owner_ids = set(ProjectOwnership.objects.filter(project__in=projects).values_list("unit_id", flat=True))
    units = OrgUnit.objects.in_bulk(owner_ids)
    unit_ids = {evaluated_unit_id(u, units) for u in owner_ids} - {None}
    for year in sorted(years):
        project_figures_write(year=year, unit_ids=unit_ids)
    flag_alerts_scan()


def projects_nightly(*, today: dt.date | None = None) -> dict[str, int]:
    """Re-test every project's flags and refresh the year's figures."""

    from .figures import project_figures_write

    today = today or timezone.localdate()
    projects_follow_restructuring(on=today)
    summary = flags_evaluate(today=today)
    project_figures_write(year=today.year, today=today)
    flag_alerts_scan()
    return summary
