"""API: DHIS2-style data value sets (JSON and CSV), read and written through the one value service."""

import csv
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from giamsat.accounts.selectors import ensure_can_view, scope_filter
from giamsat.catalog.models import DataSet
from giamsat.core.dates import parse_date
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from .choices import Channel
from .exchange import data_value_set_import, values_as_adx, values_as_csv, values_as_dhis2
from .jobs import ASYNC_THRESHOLD_BYTES, BodyTooLarge, body_spool, import_job_create
from .models import DataValue, DataValueAudit
from .readers import PayloadError, raw_from_adx, raw_from_csv, raw_from_json
from .selectors import (
    AUDIT_MAX_PAGE_SIZE,
    AUDIT_PAGE_SIZE,
    AuditFilterError,
    audit_entries,
    audit_filters_parse,
    audit_page_number,
)

router = Router(tags=["data values"])
TRUE = {"true", "1", "yes"}

DATA_VALUE_SET_DOC = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "dataSet": {"type": "string"},
                        "period": {"type": "string", "example": "202510"},
                        "orgUnit": {"type": "string", "example": "P01"},
                        "dataValues": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "dataElement": {"type": "string", "example": "DOSSIERS_TOTAL"},
                                    "period": {"type": "string"},
                                    "orgUnit": {"type": "string"},
                                    "value": {"type": "string", "example": "1234"},
                                    "comment": {"type": "string"},
                                },
                            },
                        },
                    },
                }
            },
            "text/csv": {"schema": {"type": "string", "description": "DHIS2 CSV: dataelement,period,orgunit,,,value"}},
            "application/adx+xml": {"schema": {"type": "string", "description": "ADX: <adx><group orgUnit period>…"}},
        }
    }
}


def _unsupported_media_type() -> JsonResponse:
    message = _("Send application/json, text/csv or application/adx+xml.")
    return JsonResponse({"detail": message, "code": "unsupported_media_type"}, status=415)


def _declared_length(request) -> int:
    """The body's length as the client declared it (Django reads no more than that)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _too_large(limit: int) -> JsonResponse:
    megabytes = f"{limit / 1024 / 1024:,.0f}".replace(",", ".")
    message = _("The body is larger than the %(limit)s MB an import may have. Split the file.") % {"limit": megabytes}
    return JsonResponse({"detail": message, "code": "too_large", "limitBytes": limit}, status=413)


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": "invalid"}, status=400)


@router.post(
    "/dataValueSets",
    summary="Import a data value set (DHIS2 JSON, CSV or ADX)",
    openapi_extra=DATA_VALUE_SET_DOC,
)
def data_value_sets_import(
    request,
    dryRun: bool = False,
    importStrategy: str = "CREATE_AND_UPDATE",
    idScheme: str = "CODE",
    atomic: bool = False,
    async_: bool = Query(False, alias="async", description="Import in the background and answer at once."),
    ifUnmodified: bool = Query(
        False,
        description="Refuse (as a conflict) each value changed since the lastUpdated it carries, as exported: "
        "no silent overwrite. Without it, values are written unconditionally.",
    ),
):
    if idScheme.upper() != "CODE":
        return _bad_request(_("Only idScheme=CODE is supported: identify elements, units and periods by code."))
    limit = settings.IMPORT_MAX_BODY_BYTES
    declared = _declared_length(request)
    if declared > limit:
        return _too_large(limit)
    content_type = request.content_type or ""
    if (async_ or declared > ASYNC_THRESHOLD_BYTES) and not ifUnmodified:
        # Large: streamed to storage, never held in memory, imported as a job.
        if not any(kind in content_type for kind in ("json", "csv", "xml")) and content_type:
            return _unsupported_media_type()
        try:
            body = body_spool(request, limit=limit)
        except BodyTooLarge:
            return _too_large(limit)
        job = import_job_create(
            user=request.user,
            body=body,
            content_type=content_type or "application/json",
            channel=Channel.API,
            options={"dryRun": dryRun, "importStrategy": importStrategy, "atomic": atomic},
        )
        return JsonResponse(
            {
                "httpStatus": "Accepted",
                "httpStatusCode": 202,
                "status": "OK",
                "message": _("Import queued: follow its progress at the job's address."),
                "response": {
                    "id": str(job.id),
                    "jobType": "DATAVALUE_IMPORT",
                    "relativeNotifierEndpoint": f"/api/v1/jobs/{job.id}",
                },
            },
            status=202,
        )
    try:
        text = request.body.decode("utf-8-sig")
        if "xml" in content_type:
            raws = raw_from_adx(request.body)
        elif "csv" in content_type:
            raws = raw_from_csv(text)
        elif "json" in content_type or not content_type:
            raws = raw_from_json(json.loads(text or "{}"))
        else:
            return _unsupported_media_type()
        summary = data_value_set_import(
            raws=raws,
            by=request.user,
            channel=Channel.API,
            strategy=importStrategy,
            dry_run=dryRun,
            atomic=atomic,
            conditional=ifUnmodified,
        )
    except UnicodeDecodeError:
        return _bad_request(_("The body is not UTF-8 text."))
    except json.JSONDecodeError as exc:
        return _bad_request(
            _("The body is not valid JSON (line %(line)s, column %(col)s).") % {"line": exc.lineno, "col": exc.colno}
        )
    except (PayloadError, csv.Error) as exc:
        return _bad_request(str(exc))
    body = summary.as_dhis2()
    return JsonResponse(body, status=body["httpStatusCode"])


@router.get("/dataValueSets", summary="Export data values (DHIS2 JSON or CSV)")
def data_value_sets_export(
    request,
    dataSet: str | None = None,
    orgUnit: str | None = None,
    period: str | None = None,
    startDate: str | None = None,
    endDate: str | None = None,
    children: bool = False,
    format: str = "json",
):
    values = scope_filter(
        DataValue.objects.select_related("data_element", "org_unit", "period", "updated_by"),
        request.user,
        unit_field="org_unit",
    )
    if dataSet:
        data_set = DataSet.objects.filter(code=dataSet).first()
        if data_set is None:
            return JsonResponse({"detail": _("No data set has this code."), "code": "not_found"}, status=404)
        values = values.filter(data_element__data_set_members__data_set=data_set)
    if orgUnit:
        unit = OrgUnit.objects.filter(code=orgUnit).first()
        if unit is None:
            return JsonResponse({"detail": _("No unit has this code."), "code": "not_found"}, status=404)
        ensure_can_view(request.user, unit)
        values = values.filter(org_unit__path__startswith=unit.path) if children else values.filter(org_unit=unit)
    if period:
        try:
            codes = [PeriodValue.parse(p).code for p in period.split(",")]
        except InvalidPeriod as exc:
            return _bad_request(str(exc))
        values = values.filter(period__code__in=codes)
    start, end = parse_date(startDate), parse_date(endDate)  # blank (e.g. "%0D") is no date, not a 500
    if start:
        values = values.filter(period__start_date__gte=start)
    if end:
        values = values.filter(period__end_date__lte=end)
    if not (dataSet or orgUnit or period or start or end):
        return _bad_request(_("Give at least one of dataSet, orgUnit, period, startDate or endDate."))
    values = values.order_by("org_unit__path", "period__start_date", "data_element__code")
    accept = request.headers.get("Accept", "")
    if format.lower() == "adx" or "adx+xml" in accept:
        return HttpResponse(
            values_as_adx(values.iterator(chunk_size=2000), data_set=dataSet),
            content_type="application/adx+xml; charset=utf-8",
        )
    wants_csv = format.lower() == "csv" or "text/csv" in accept
    if wants_csv:
        response = HttpResponse(values_as_csv(values.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    body = {"dataValues": list(values_as_dhis2(values.iterator(chunk_size=2000)))}
    if dataSet:
        body["dataSet"] = dataSet
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


FALSE = {"false", "0", "no", ""}


def _decimal_text(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _audit_item(entry: DataValueAudit) -> dict:
    return {
        "dataElement": entry.data_element.code,
        "orgUnit": entry.org_unit.code,
        "period": entry.period.code,
        "action": entry.action,
        "oldValue": _decimal_text(entry.old_value),
        "newValue": _decimal_text(entry.new_value),
        "oldComment": entry.old_comment,
        "newComment": entry.new_comment,
        "user": entry.changed_by.username if entry.changed_by else None,
        "time": timezone.localtime(entry.changed_at).isoformat(),
        "channel": entry.channel,
    }


@router.get("/audit", summary="Changes to figures (the audit trail), newest first, in your scope")
def audit_list(
    request,
    orgUnit: str | None = None,
    children: str | None = Query(None, description="true: the unit and its subordinate units"),
    dataElement: str | None = None,
    period: str | None = None,
    user: str | None = Query(None, description="The username of who made the change"),
    channel: str | None = Query(None, description="FORM, EXCEL, API, IMPORT or DEMO"),
    startDate: str | None = Query(None, description="First day, yyyy-mm-dd or dd/mm/yyyy"),
    endDate: str | None = Query(None, description="Last day, included"),
    page: str | None = Query(None, description="From 1; a page past the end is empty"),
    pageSize: str | None = Query(None, description=f"At most {AUDIT_MAX_PAGE_SIZE}"),
):
    flag = (children or "").strip().lower()
    if flag not in TRUE | FALSE:
        return _bad_request(_("“children” must be true or false."))
    try:
        filters = audit_filters_parse(
            user=request.user,
            org_unit=orgUnit,
            children=flag in TRUE,
            data_element=dataElement,
            period=period,
            username=user,
            channel=channel,
            start=startDate,
            end=endDate,
        )
        number = audit_page_number(page)
        size = min(audit_page_number(pageSize, name="pageSize", default=AUDIT_PAGE_SIZE), AUDIT_MAX_PAGE_SIZE)
    except AuditFilterError as exc:
        return _bad_request(str(exc))
    entries = audit_entries(user=request.user, filters=filters)
    total = entries.count()
    offset = (number - 1) * size
    items = [_audit_item(e) for e in entries[offset : offset + size]] if offset < total else []
    body = {
        "pager": {"page": number, "pageSize": size, "total": total, "pageCount": -(-total // size)},
        "dataValueAudits": items,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
