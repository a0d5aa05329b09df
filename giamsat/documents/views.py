"""Official documents' pages: the list of the user's documents, a new draft for a period and
a unit, the draft's preview and edit form, issuing, and downloads (DOCX, PDF)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.selectors import ensure_can_view, user_scope
from giamsat.core.dates import today
from giamsat.core.periods import Period, PeriodType
from giamsat.evaluation.selectors import index_period_choices
from giamsat.jobs.models import Job
from giamsat.jobs.services import job_progress
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit

from . import services
from .choices import CONTENT_TYPES
from .engine.chart import bar_chart_png
from .engine.model import BarChart, Heading, Paragraph, Table, recipients_lines
from .forms import DocumentForm
from .models import OfficialDocument
from .selectors import NATIONAL_UNIT, documents_visible


def _bad_request(request, message: str):
    return render(request, "errors/400.html", {"message": message}, status=400)


def draftable_units(user) -> list[OrgUnit]:
    """The units the user may draft a sector report for: the country, its provinces."""
    capture = user_scope(user, ScopeKind.CAPTURE)
    candidates = OrgUnit.objects.filter(code=NATIONAL_UNIT) | OrgUnit.objects.filter(
        capture.q(), type=OrgUnitType.PROVINCE, valid_to__isnull=True
    )
    if user.is_superuser:
        candidates = OrgUnit.objects.filter(code=NATIONAL_UNIT) | OrgUnit.objects.filter(
            type=OrgUnitType.PROVINCE, valid_to__isnull=True
        )
    return [u for u in candidates.order_by("path") if services.can_draft(user, u)]


@login_required
def document_list(request):
    """The documents of the units in the user's scope, and a form for a new draft."""
    units = draftable_units(request.user)
    periods = [
        (label, group)
        for label, group in index_period_choices()
        if group and group[0].period_type in (PeriodType.MONTHLY, PeriodType.QUARTERLY)
    ]
    # The month just ended is preselected (the month in progress has partial figures).
    last_month = Period.containing(PeriodType.MONTHLY, today()).previous().code
    context = {
        "documents": documents_visible(request.user)[:200],
        "units": units,
        "period_choices": periods,
        "default_period": last_month,
    }
    return render(request, "documents/list.html", context)


@login_required
@require_POST
def document_create(request):
    """A new draft sector report for the chosen period and unit."""
    try:
        unit = services.report_unit(request.POST.get("unit"), user=request.user)
        period = services.report_period(request.POST.get("period", ""))
    except services.DocumentError as exc:
        return _bad_request(request, str(exc))
    document = services.sector_draft_create(by=request.user, unit=unit, period=period)
    messages.success(request, _("The draft is ready: check the figures, edit the text, then issue it."))
    return redirect("documents:detail", pk=document.pk)


def _document_or_404(request, pk: int) -> OfficialDocument:
    document = get_object_or_404(OfficialDocument.objects.select_related("org_unit", "period"), pk=pk)
    ensure_can_view(request.user, document.org_unit)
    return document


def _preview_blocks(model) -> list[dict]:
    """The body as the preview shows it (the chart as an image of the same drawing)."""
    blocks = []
    for block in model.body:
        if isinstance(block, Heading):
            blocks.append({"type": "heading", "text": block.text})
        elif isinstance(block, Paragraph):
            blocks.append({"type": "paragraph", "text": block.text})
        elif isinstance(block, Table):
            rows = [list(zip(row, block.numeric, strict=True)) for row in block.rows]
            blocks.append({"type": "table", "caption": block.caption, "columns": block.columns, "rows": rows})
        elif isinstance(block, BarChart):
            picture = base64.b64encode(bar_chart_png(block)).decode()
            blocks.append({"type": "chart", "caption": block.caption, "src": f"data:image/png;base64,{picture}"})
    return blocks


def _page(request, document: OfficialDocument, form: DocumentForm | None = None, status: int = 200):
    model = services.document_model(document)
    job = Job.objects.filter(pk=document.job_id).first() if document.job_id else None
    progress = job_progress(job) if job else None
    editable = document.is_draft and services.can_draft(request.user, document.org_unit)
    context = {
        "document": document,
        "model": model,
        "blocks": _preview_blocks(model),
        "recipients": recipients_lines(model.recipients),
        "form": form or (DocumentForm(instance=document) if editable else None),
        "can_issue": document.is_draft and services.can_issue(request.user, document),
        "job": job,
        "progress": progress,
    }
    return render(request, "documents/detail.html", context, status=status)


@login_required
def document_detail(request, pk: int):
    """The document as it will read (a preview of its content), its edit form while a draft."""
    return _page(request, _document_or_404(request, pk))


@login_required
@require_POST
def document_edit(request, pk: int):
    document = _document_or_404(request, pk)
    services.ensure_can_draft(request.user, document.org_unit)
    if not document.is_draft:
        messages.error(request, _("This document has been issued: it can no longer be changed."))
        return redirect("documents:detail", pk=pk)
    form = DocumentForm(request.POST, instance=OfficialDocument.objects.get(pk=pk))
    if not form.is_valid():
        return _page(request, document, form=form, status=400)
    services.document_update(document=document, by=request.user, **{f: form.cleaned_data[f] for f in form.fields})
    messages.success(request, _("The draft is saved."))
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def document_refresh(request, pk: int):
    document = _document_or_404(request, pk)
    try:
        services.document_figures_refresh(document=document, by=request.user)
    except services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The figures were read again from the stored results."))
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def document_issue(request, pk: int):
    document = _document_or_404(request, pk)
    try:
        document = services.document_issue(document=document, by=request.user)
    except services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Issued as number %(number)s. Its DOCX and PDF files are being made; they can be downloaded now.")
            % {"number": f"{document.number:02d}/{document.symbol}"},
        )
    return redirect("documents:detail", pk=pk)


@login_required
def document_download(request, pk: int, fmt: str):
    """The document as DOCX or PDF: an issued one's kept file, a draft's made now."""
    document = _document_or_404(request, pk)
    if fmt not in CONTENT_TYPES:
        return _bad_request(request, _("Unknown format “%(format)s”: use docx or pdf.") % {"format": fmt[:10]})
    response = HttpResponse(services.document_render(document, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{services.document_file_name(document, fmt)}"'
    return response
