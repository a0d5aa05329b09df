"""The rendering of an issued document's DOCX and PDF as a background job, followed with its
progress on the jobs page and the document's page."""

from django.utils.translation import gettext_lazy

from giamsat.jobs.registry import job_kind
from giamsat.jobs.services import JobFailed, Progress, job_create

RENDER = "documents.render"


@job_kind(
    RENDER,
    label=gettext_lazy("Rendering of an official document (DOCX and PDF)"),
    interrupted=gettext_lazy("The document stays issued; its files are made when it is downloaded."),
)
def render_run(job, progress: Progress) -> dict:
    from django.utils.translation import gettext as _

    from .models import OfficialDocument
    from .services import document_files_store

    document = OfficialDocument.objects.select_related("period", "org_unit").filter(pk=job.params["document"]).first()
    if document is None:
        raise JobFailed(_("The document no longer exists."))
    sizes = document_files_store(document=document, progress=progress)
    return {"document": document.pk, "bytes": sizes}


def render_job_create(*, document, by):
    """Queue the rendering of an issued document's files (after the transaction commits)."""
    return job_create(kind=RENDER, owner=by, params={"document": document.pk})
