"""The user's own jobs, with their progress (refreshed while any runs)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .choices import JobStatus
from .registry import kind_get
from .selectors import jobs_visible_to
from .services import job_progress

PAGE_SIZE = 50


@login_required
def job_list(request):
    rows = []
    for job in jobs_visible_to(request.user).select_related("owner")[:PAGE_SIZE]:
        processed, total, stage = job_progress(job)
        kind = kind_get(job.kind)
        rows.append(
            {
                "job": job,
                "label": kind.label if kind else job.kind,
                "processed": processed,
                "total": total,
                "stage": stage,
                "percent": round(100 * processed / total) if total else None,
            }
        )
    running = any(r["job"].status in {JobStatus.QUEUED, JobStatus.RUNNING} for r in rows)
    template = "jobs/_table.html" if request.headers.get("HX-Request") else "jobs/list.html"
    return render(request, template, {"rows": rows, "running": running})
