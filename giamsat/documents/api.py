"""The sector report through the API: made now from the stored results, scoped like the pages."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from . import services
from .choices import CONTENT_TYPES, DocumentFormat

router = Router(tags=["documents"])


class SectorReportQuery(Schema):
    period: str | None = Field(None, description="A month (202611) or a quarter (2026Q3): required.")
    format: str = Field("pdf", description="docx or pdf.")
    orgUnit: str | None = Field(None, description="A province's code (P01); the whole country when left out.")


@router.get(
    "/documents/sector-report",
    summary="The sector report of a month or a quarter, national or for a province, as DOCX or PDF",
    response={200: None},
)
def sector_report(request, query: Query[SectorReportQuery]):
    """The report in the format of Decree 30/2020/NĐ-CP (Annex I), made now from the stored
    evaluation results with the drafted narrative and marked as a draft (no number, no date):
    the document a leader edits and issues on the documents page. Only a unit in the caller's
    view scope."""
    fmt = (query.format or "").strip().lower()
    if fmt not in DocumentFormat.values:
        raise HttpError(400, _("Unknown format “%(format)s”: use docx or pdf.") % {"format": fmt[:10]})
    if not (query.period or "").strip():
        raise HttpError(400, _("Give the period: a month (202611) or a quarter (2026Q3)."))
    try:
        period = services.report_period(query.period)
        unit = services.report_unit(query.orgUnit, user=request.user)
    except services.DocumentError as exc:
        raise HttpError(400, str(exc)) from None
    content = services.sector_report_render(user=request.user, unit=unit, period=period, fmt=fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"bao-cao-{period.code}-{unit.code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
