"""Projects in Excel: upload the project list and the transactions (checked row by row, nothing
saved while a problem remains), the blank template, and the (filtered) project list exported."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from giamsat.accounts.choices import Domain
from giamsat.core.dates import today
from giamsat.core.http import download_response, safe_file_stem
from giamsat.reporting import excel as data_excel

from . import excel
from .choices import FlagCode, Programme, ProjectStatus
from .selectors import PortfolioFilters, portfolio

PAGE = "projects/import.html"
RESULT_PAGE = "projects/import_result.html"
PROBLEMS_SHOWN = 500
MAX_EXPORT_ROWS = 20_000


class BadRequest(ValueError):
    """A parameter we cannot use; the message says which and why."""


def _context(**extra) -> dict:
    return {
        "max_mb": data_excel.MAX_UPLOAD_BYTES // (1024 * 1024),
        "statuses": ProjectStatus.choices,
        "domains": Domain.choices,
        "programmes": Programme.choices,
        "flags": FlagCode.choices,
        **extra,
    }


def _page(request, status: int = 200, **extra) -> HttpResponse:
    return render(request, PAGE, _context(**extra), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request):
    """The upload form; posted, the workbook is checked and, without any problem, saved."""
    if request.method == "GET":
        return _page(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if length > data_excel.MAX_UPLOAD_BYTES + 1024 * 1024:
            raise excel.UploadRefused(data_excel.too_large_message())
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise excel.UploadRefused(_("Choose the workbook to upload."))
        if uploaded.size > data_excel.MAX_UPLOAD_BYTES:
            raise excel.UploadRefused(data_excel.too_large_message())
        result = excel.workbook_import(data=uploaded.read(), by=request.user)
    except excel.UploadRefused as exc:
        return _page(request, 400, upload_error=str(exc))
    if result.problems:
        return _page(
            request,
            result=result,
            file_name=uploaded.name,
            problems_shown=result.problems[:PROBLEMS_SHOWN],
            problems_more=max(0, len(result.problems) - PROBLEMS_SHOWN),
        )
    return render(request, RESULT_PAGE, {"result": result, "file_name": uploaded.name})


@login_required
@require_GET
def project_import_template(request):
    """A blank project list and transactions sheet, with the instructions."""
    return download_response(
        excel.template_workbook(), excel.XLSX_CONTENT_TYPE, safe_file_stem(_("projects_template")) + ".xlsx"
    )


def export_filters(params) -> PortfolioFilters:
    """The list's filters from a query string; an unknown value is refused by name."""
    checks = {
        "status": ProjectStatus.values,
        "domain": Domain.values,
        "programme": Programme.values,
        "flag": [*FlagCode.values, "any"],
    }
    values = {}
    for name, allowed in checks.items():
        value = (params.get(name) or "").strip()
        if value and value not in allowed:
            raise BadRequest(
                _("Unknown “%(name)s”: use one of %(values)s.") % {"name": name, "values": ", ".join(allowed)}
            )
        values[name] = value
    return PortfolioFilters(
        owner=(params.get("owner") or "").replace("\x00", "").strip()[:40],
        q=(params.get("q") or "").replace("\x00", "").strip()[:200],
        **values,
    )


@login_required
@require_GET
def project_export(request):
    """The projects the user sees, with the list's filters, in the form the import reads back."""
    try:
        filters = export_filters(request.GET)
        rows = list(portfolio(request.user, filters, year=today().year).order_by("code")[: MAX_EXPORT_ROWS + 1])
        if len(rows) > MAX_EXPORT_ROWS:
            raise BadRequest(
                _("More than %(count)s projects: narrow the filters.")
                % {"count": f"{MAX_EXPORT_ROWS:,}".replace(",", ".")}
            )
    except BadRequest as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    subtitle = _("Exported on %(date)s by %(user)s") % {
        "date": today().strftime("%d/%m/%Y"),
        "user": request.user.display_name,
    }
    content = excel.projects_workbook(projects=rows, title=_("Investment projects"), subtitle=subtitle)
    return download_response(content, excel.XLSX_CONTENT_TYPE, safe_file_stem(f"{_('projects')}_{today():%Y%m%d}.xlsx"))
