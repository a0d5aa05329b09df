"""The plans' subscribers: a task or a plan changed → its unit's figures for that year are
rewritten (so the scorecard follows) and the plans' alerts are rescanned at once (the minute's
scan would find them too). Coalesced: one refresh per evaluated unit and year per batch;
idempotent: the figures are recomputed from the tasks, not incremented."""

from __future__ import annotations

from giamsat.events.choices import EventKind
from giamsat.events.registry import subscribe

from .choices import TASK_KIND


@subscribe(EventKind.WORK_ITEM_CHANGED, EventKind.PLAN_CHANGED, name="plans.figures")
def plan_figures_on_change(events) -> None:
    from giamsat.alerts.models import AlertRule
    from giamsat.alerts.services import rules_scan

    from .kinds import TASK_DUE_SOON, TASK_OVERDUE, TASK_RETURNED
    from .models import Plan, Task
    from .services import plans_figures_refresh

    task_ids = [
        int(e.subject_id)
        for e in events
        if e.kind == EventKind.WORK_ITEM_CHANGED and (e.payload or {}).get("kind") == TASK_KIND and e.subject_id
    ]
    plan_ids = [int(e.subject_id) for e in events if e.kind == EventKind.PLAN_CHANGED and e.subject_id]
    pairs = set(Task.objects.filter(item_id__in=task_ids).values_list("plan__org_unit_id", "plan__year"))
    pairs |= set(Plan.objects.filter(pk__in=plan_ids).values_list("org_unit_id", "year"))
    for year in sorted({y for _u, y in pairs}):
        plans_figures_refresh(unit_ids=[u for u, y in pairs if y == year], years=[year])
    if task_ids:
        rules = AlertRule.objects.filter(enabled=True, kind__in=[TASK_DUE_SOON, TASK_OVERDUE, TASK_RETURNED])
        rules_scan(rules=rules)
