"""Projects as Open Contracting for Infrastructure Data Standard (OC4IDS 0.9) data: one project,
or a project package of many, valid against the published schema vendored in schema/ (see its
README). Amounts are whole đồng (VND); dates are dates-times in Việt Nam's time zone."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import override

from giamsat.core.text import fold

from .choices import MILESTONE_KIND, OC4IDS_STATUS, OCDS_METHOD, PackageStage, ProjectType, TransactionKind
from .models import Milestone, Package, PhysicalProgress, Project, Transaction
from .selectors import disbursed

SCHEMA_DIR = Path(__file__).parent / "schema"
VERSION = "0.9"
# The project identifier prefix, to be registered with the OC4IDS helpdesk before publishing.
DEFAULT_PREFIX = "oc4ids-giamsat"
ORG_SCHEME = "VN-GIAMSAT"  # the registry's unit codes
# OC4IDS's projectType is about assets: an investment or a software acquisition builds a new one;
# a hire of IT services builds none, so it has no type there (our own type is in the classifications).
PROJECT_TYPE = {ProjectType.INVESTMENT: "construction", ProjectType.SOFTWARE: "construction"}
SECTOR = {"IT_DX": ["communications"], "TELECOM": ["communications"], "POST": ["communications"]}
PROCESS_STATUS = {
    PackageStage.PLANNING: "pre-award",
    PackageStage.TENDER: "pre-award",
    PackageStage.AWARD: "pre-award",
    PackageStage.CONTRACT: "active",
    PackageStage.IMPLEMENTATION: "active",
}


def prefix() -> str:
    return getattr(settings, "OC4IDS_PREFIX", DEFAULT_PREFIX)


def project_id(project: Project) -> str:
    return f"{prefix()}-{project.code}"


def _moment(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone()).isoformat()


def _value(amount) -> dict | None:
    return None if amount is None else {"amount": int(amount), "currency": "VND"}


def _org_id(code: str) -> str:
    return f"{ORG_SCHEME}-{code}"


def _supplier_id(name: str) -> str:
    return "supplier-" + (fold(name).replace(" ", "-") or "unnamed")[:80]


def _drop_empty(data):
    """OC4IDS forbids empty strings, lists and objects (minLength/minItems/minProperties)."""
    if isinstance(data, dict):
        cleaned = {k: _drop_empty(v) for k, v in data.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(data, list):
        cleaned = [_drop_empty(v) for v in data]
        return [v for v in cleaned if v not in (None, "", [], {})]
    return data


class _Related:
    """Everything the projects' documents need, in a fixed number of queries."""

    def __init__(self, projects: list[Project], today: dt.date):
        ids = [p.pk for p in projects]
        self.today = today
        self.packages: dict[int, list[Package]] = defaultdict(list)
        for package in Package.objects.filter(project_id__in=ids).order_by("code"):
            self.packages[package.project_id].append(package)
        self.transactions: dict[int, list[Transaction]] = defaultdict(list)
        for row in Transaction.objects.filter(project_id__in=ids, kind=TransactionKind.DISBURSEMENT).order_by(
            "date", "pk"
        ):
            self.transactions[row.project_id].append(row)
        self.milestones: dict[int, list[Milestone]] = defaultdict(list)
        for milestone in (
            Milestone.objects.filter(project_id__in=ids, item__kind=MILESTONE_KIND)
            .select_related("item")
            .order_by("item__due_date", "pk")
        ):
            self.milestones[milestone.project_id].append(milestone)
        self.progress: dict[int, list[PhysicalProgress]] = defaultdict(list)
        for row in PhysicalProgress.objects.filter(project_id__in=ids).order_by("on", "pk"):
            self.progress[row.project_id].append(row)
        self.disbursed = disbursed(ids, to=today)


def _milestone(milestone: Milestone, today: dt.date) -> dict:
    item = milestone.item
    if item.completed_on:
        status = "met"
    elif item.due_date and item.due_date < today:
        status = "notMet"
    else:
        status = "scheduled"
    return {
        "id": str(milestone.pk),
        "title": item.title,
        "type": milestone.type,
        "description": item.deliverable,
        "dueDate": _moment(item.due_date),
        "dateMet": _moment(item.completed_on),
        "status": status,
    }


def _process(project: Project, package: Package) -> dict:
    supplier = {"id": _supplier_id(package.supplier), "name": package.supplier} if package.supplier else None
    return {
        "id": f"{project.code}/{package.code}",
        "summary": {
            "title": package.name,
            "status": PROCESS_STATUS.get(package.stage, "pre-award"),
            "tender": {
                "procurementMethod": OCDS_METHOD.get(package.method),
                "procurementMethodDetails": str(package.get_method_display()),
                "costEstimate": _value(package.estimated_value),
                "numberOfTenderers": package.bidders,
                "datePublished": _moment(package.tender_date),
            },
            "suppliers": [supplier] if supplier else [],
            "contractValue": _value(package.contract_value),
        },
    }


def _metrics(project: Project, related: _Related) -> list[dict]:
    paid = related.disbursed.get(project.pk, 0)
    today = related.today
    financial = {
        "id": "financialProgress",
        "title": "Giải ngân lũy kế / Cumulative disbursement",
        "observations": [
            {
                "id": f"disbursed-{today.isoformat()}",
                "period": {"startDate": _moment(project.decision_date), "endDate": _moment(today)},
                "value": _value(paid),
                "measure": round(paid * 100 / project.total_investment, 2) if project.total_investment else None,
                "unit": {"name": "percent of total investment"},
            }
        ],
    }
    physical = {
        "id": "physicalProgress",
        "title": "Tiến độ thực hiện / Physical progress",
        "observations": [
            {
                "id": f"progress-{row.pk}",
                "period": {"endDate": _moment(row.on)},
                "measure": float(row.percent),
                "unit": {"name": "percent"},
                "notes": row.note,
            }
            for row in related.progress.get(project.pk, [])
        ],
    }
    return [m for m in (financial, physical) if m["observations"]]


def _project(project: Project, related: _Related) -> dict:
    owner = project.owner_unit
    with override("vi"):
        type_label = str(project.get_type_display())
    parties = [
        {
            "id": _org_id(owner.code),
            "name": owner.name_vi,
            "identifier": {"scheme": ORG_SCHEME, "id": owner.code, "legalName": owner.name_vi},
            "roles": ["publicAuthority", "buyer"],
        }
    ]
    seen = {parties[0]["id"]}
    for package in related.packages.get(project.pk, []):
        if package.supplier and _supplier_id(package.supplier) not in seen:
            seen.add(_supplier_id(package.supplier))
            parties.append({"id": _supplier_id(package.supplier), "name": package.supplier, "roles": ["supplier"]})
    data = {
        "id": project_id(project),
        "updated": timezone.localtime(project.updated_at).isoformat() if project.updated_at else None,
        "language": "vi",
        "identifiers": [{"id": project.code, "scheme": ORG_SCHEME}],
        "title": project.name,
        "description": project.description,
        "status": OC4IDS_STATUS.get(project.status),
        "type": PROJECT_TYPE.get(project.type),
        "sector": SECTOR.get(project.domain, ["communications"])
        + (["governance"] if project.programme == "DIGITAL_GOVERNMENT" else []),
        "additionalClassifications": [{"scheme": "GIAMSAT-projectType", "id": project.type, "description": type_label}],
        "purpose": "",
        "period": {"startDate": _moment(project.planned_start), "endDate": _moment(project.planned_end)},
        "budget": {"amount": _value(project.total_investment), "approvalDate": _moment(project.decision_date)},
        "publicAuthority": {"id": _org_id(owner.code), "name": owner.name_vi},
        "parties": parties,
        "contractingProcesses": [_process(project, p) for p in related.packages.get(project.pk, [])],
        "milestones": [_milestone(m, related.today) for m in related.milestones.get(project.pk, [])],
        "transactions": [
            {
                "id": str(t.pk),
                "date": _moment(t.date),
                "value": _value(t.amount),
                "payee": {"id": _org_id(owner.code), "name": owner.name_vi},
            }
            for t in related.transactions.get(project.pk, [])
        ],
        "metrics": _metrics(project, related),
    }
    if project.actual_start or project.actual_end:
        data["implementationPeriod"] = {
            "startDate": _moment(project.actual_start),
            "endDate": _moment(project.actual_end),
        }
    return _drop_empty(data)


def project_document(project: Project, *, today: dt.date | None = None) -> dict:
    """One project in OC4IDS form."""
    today = today or timezone.localdate()
    return _project(project, _Related([project], today))


def project_package(projects, *, uri: str, today: dt.date | None = None) -> dict:
    """An OC4IDS project package of the projects (at least one)."""
    today = today or timezone.localdate()
    projects = list(projects.select_related("owner_unit") if hasattr(projects, "select_related") else projects)
    related = _Related(projects, today)
    latest = max((p.updated_at for p in projects if p.updated_at), default=timezone.now())
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timezone.localtime(latest).isoformat(),
        "publisher": {"name": "GiamSat — Bộ Khoa học và Công nghệ"},
        "license": "http://opendatacommons.org/licenses/pddl/1.0/",
        "projects": [_project(p, related) for p in projects],
    }


@cache
def schemas() -> tuple[dict, dict]:
    """The vendored package schema and project schema."""
    package = json.loads((SCHEMA_DIR / "project-package-schema.json").read_text(encoding="utf-8"))
    project = json.loads((SCHEMA_DIR / "project-schema.json").read_text(encoding="utf-8"))
    return package, project
