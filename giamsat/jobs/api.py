"""Background jobs in the API: status, progress and result of one's own jobs."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from .selectors import job_get_for
from .services import job_progress

router = Router(tags=["jobs"])


def job_as_dict(job) -> dict:
    processed, total, stage = job_progress(job)
    return {
        "id": str(job.id),
        "kind": job.kind,
        "status": job.status,
        "stage": stage,
        "total": total,
        "processed": processed,
        "created": job.created_at.isoformat(),
        "started": job.started_at.isoformat() if job.started_at else None,
        "finished": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error,
        "summary": job.result,
    }


@router.get("/jobs/{job_id}", summary="A background job (an import, a recompute): status, progress and result")
def job_status(request, job_id: str):
    job = job_get_for(request.user, job_id)
    if job is None:
        return JsonResponse({"detail": _("No job has this identifier."), "code": "not_found"}, status=404)
    return job_as_dict(job)
