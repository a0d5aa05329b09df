"""The projects' subscribers: a project changed (money, packages, milestones, progress) → its red
flags are re-tested with the rules in force, its owner's figures for the year rewritten (so the
scorecard follows) and the red-flag alerts rescanned. A registry change hands former units'
projects to their successors. Idempotent: everything is recomputed, nothing incremented."""

from __future__ import annotations

from django.utils import timezone

from giamsat.events.choices import EventKind
from giamsat.events.registry import subscribe


def _project_ids(events) -> set[int]:
    from .choices import MILESTONE_KIND
    from .models import Milestone

    ids = {
        int(e.subject_id)
        for e in events
        if e.kind == EventKind.PROJECT_CHANGED and e.subject_id and e.subject_type == "projects.project"
    }
    milestones = [
        int(e.subject_id)
        for e in events
        if e.kind == EventKind.WORK_ITEM_CHANGED and (e.payload or {}).get("kind") == MILESTONE_KIND and e.subject_id
    ]
    if milestones:  # a milestone met or moved, through the tracked-work base
        ids |= set(Milestone.objects.filter(item_id__in=milestones).values_list("project_id", flat=True))
    return ids


@subscribe(EventKind.PROJECT_CHANGED, EventKind.WORK_ITEM_CHANGED, name="projects.follow")
def projects_on_change(events) -> None:
    from .models import Project
    from .services import flags_evaluate, project_changes_follow

    if any((e.payload or {}).get("action") == "rules" for e in events if e.kind == EventKind.PROJECT_CHANGED):
        # A new version of the red-flag rules: every project re-tested with the rules in force.
        from .services import projects_nightly

        projects_nightly()
        return
    ids = _project_ids(events)
    if not ids:
        return
    projects = list(Project.objects.filter(pk__in=ids))
    flags_evaluate(projects=projects)
    years = {timezone.localdate().year}
    years |= {int(e.payload["year"]) for e in events if (e.payload or {}).get("year")}
    project_changes_follow(projects=projects, years=years)


@subscribe(EventKind.REGISTRY_CHANGED, name="projects.owners")
def projects_on_registry_change(events) -> None:
    from .services import projects_follow_restructuring

    projects_follow_restructuring()
