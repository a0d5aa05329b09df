"""DHIS2's unversioned Web API paths, answering in DHIS2's shapes as aliases of ours, so DHIS2
clients (e.g. the official `dhis2-client`) work with a GiamSat personal token sent as
`Authorization: ApiToken <token>`. Identifiers are codes: a DHIS2 `id` is our `code`.
"""

import math
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from giamsat.accounts.auth import PersonalTokenAuth
from giamsat.accounts.selectors import ensure_can_navigate, navigable_units, user_scope_units
from giamsat.catalog.models import DataElement, DataSet
from giamsat.core.dates import InvalidDate
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting import api as reporting_api
from giamsat.reporting.choices import Channel
from giamsat.reporting.exchange import data_value_set_import
from giamsat.reporting.models import DataValue
from giamsat.reporting.readers import RawValue

from .errors import error_handlers_register

dhis2 = NinjaAPI(
    title="GiamSat — DHIS2-compatible API",
    version="dhis2",
    description="DHIS2 Web API paths (system/info, me, dataValueSets, dataValues, metadata reads) over GiamSat data.",
    auth=[PersonalTokenAuth(), SessionAuth()],
    urls_namespace="dhis2",
    docs_url="/docs",
)
DHIS2_VERSION = "2.40.0"
MAX_PAGE_SIZE = 1000


@dhis2.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _message(401, "Unauthorized", _("Send a valid personal token: Authorization: ApiToken <token>."))


@dhis2.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _message(403, "Forbidden", str(exc))


@dhis2.exception_handler(Http404)
def on_not_found(request, exc):
    return _message(404, "Not Found", str(exc))


@dhis2.exception_handler(ValidationError)
def on_invalid(request, exc):
    return _message(400, "Bad Request", _("Invalid request."))


@dhis2.exception_handler(InvalidDate)
def on_invalid_date(request, exc):
    return _message(400, "Bad Request", str(exc))


def _message(code: int, status: str, message: str, **extra) -> JsonResponse:
    return JsonResponse(
        {"httpStatus": status, "httpStatusCode": code, "status": "ERROR", "message": message, **extra}, status=code
    )


def _error_shape(request, status: int, message: str, code: str, error_id: str | None) -> JsonResponse:
    return _message(status, HTTPStatus(status).phrase, message, **({"errorId": error_id} if error_id else {}))


error_handlers_register(dhis2, _error_shape)


def _page(request: HttpRequest, queryset, key: str, to_dict) -> JsonResponse:
    """DHIS2 paging: page, pageSize, paging=false."""
    total = queryset.count()
    if request.GET.get("paging", "true").lower() == "false":
        return JsonResponse({key: [to_dict(o) for o in queryset[:50_000]]})
    try:
        page = max(1, int(request.GET.get("page", 1)))
        size = min(MAX_PAGE_SIZE, max(1, int(request.GET.get("pageSize", 50))))
    except ValueError:
        return _message(400, "Bad Request", _("page and pageSize must be whole numbers."))
    count = max(1, math.ceil(total / size))
    # A page past the last is empty; never slice with an offset the database cannot hold.
    items = [to_dict(o) for o in queryset[(page - 1) * size : page * size]] if page <= count else []
    return JsonResponse({"pager": {"page": page, "pageCount": count, "total": total, "pageSize": size}, key: items})


@dhis2.get("/system/info", summary="System information")
def system_info(request):
    return {
        "systemName": "GiamSat",
        "version": DHIS2_VERSION,
        "revision": "giamsat",
        "serverDate": timezone.now().isoformat(),
        "contextPath": request.build_absolute_uri("/").rstrip("/"),
        "calendar": "iso8601",
        "dateFormat": "dd/mm/yyyy",
        "serverTimeZoneId": settings.TIME_ZONE,
    }


@dhis2.get("/me", summary="The authenticated user")
def me(request):
    user = request.user
    scopes = user_scope_units(user)
    return {
        "id": user.username,
        "username": user.username,
        "name": user.display_name,
        "displayName": user.display_name,
        "email": user.email,
        "userRoles": [{"id": user.role, "name": str(user.get_role_display())}],
        "organisationUnits": [{"id": u.code, "code": u.code, "name": u.name} for u in scopes["CAPTURE"]],
        "dataViewOrganisationUnits": [{"id": u.code, "code": u.code, "name": u.name} for u in scopes["VIEW"]],
    }


@dhis2.post("/dataValueSets", summary="Import a data value set", openapi_extra=reporting_api.DATA_VALUE_SET_DOC)
def data_value_sets_import(
    request,
    dryRun: bool = False,
    importStrategy: str = "CREATE_AND_UPDATE",
    idScheme: str = "CODE",
    atomic: bool = False,
    async_: bool = Query(False, alias="async"),
    ifUnmodified: bool = False,
):
    return reporting_api.data_value_sets_import(
        request,
        dryRun=dryRun,
        importStrategy=importStrategy,
        idScheme=idScheme,
        atomic=atomic,
        async_=async_,
        ifUnmodified=ifUnmodified,
    )


@dhis2.get("/dataValueSets", summary="Export data values")
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
    return reporting_api.data_value_sets_export(
        request,
        dataSet=dataSet,
        orgUnit=orgUnit,
        period=period,
        startDate=startDate,
        endDate=endDate,
        children=children,
        format=format,
    )


def _single(request, body: dict) -> JsonResponse:
    raw = RawValue(
        row=1,
        data_element=str(body.get("dataElement") or body.get("de") or ""),
        period=str(body.get("period") or body.get("pe") or ""),
        org_unit=str(body.get("orgUnit") or body.get("ou") or ""),
        value=body.get("value"),
        comment=body.get("comment") if isinstance(body.get("comment"), str) else None,
        last_updated=request.headers.get("If-Match", "").strip('"') or None,
    )
    # With If-Match (the lastUpdated the client read), a value changed since is a conflict.
    conditional = "If-Match" in request.headers
    summary = data_value_set_import(raws=[raw], by=request.user, channel=Channel.API, conditional=conditional)
    if summary.conflicts:
        return _message(409, "Conflict", summary.conflicts[0].reason)
    return JsonResponse({"httpStatus": "Created", "httpStatusCode": 201, "status": "OK"}, status=201)


@dhis2.post("/dataValues", summary="Save one data value")
def data_value_save(request):
    import json

    try:
        body = json.loads(request.body or b"{}") if "json" in (request.content_type or "") else {}
    except ValueError:
        return _message(400, "Bad Request", _("The body is not valid JSON."))
    if not isinstance(body, dict):
        return _message(400, "Bad Request", _("The body must be a JSON object."))
    return _single(request, {**request.GET.dict(), **request.POST.dict(), **body})


@dhis2.delete("/dataValues", summary="Delete one data value")
def data_value_delete(request, de: str, pe: str, ou: str):
    summary = data_value_set_import(
        raws=[RawValue(1, de, pe, ou, None)], by=request.user, channel=Channel.API, strategy="DELETE"
    )
    if summary.conflicts:
        return _message(409, "Conflict", summary.conflicts[0].reason)
    return HttpResponse(status=204)


@dhis2.get("/dataValues", summary="Read one data value")
def data_value_get(request, de: str, pe: str, ou: str):
    unit = OrgUnit.objects.filter(code=ou).first()
    if unit is None:
        return _message(404, "Not Found", _("No unit has this code."))
    from giamsat.accounts.selectors import ensure_can_view

    ensure_can_view(request.user, unit)
    value = (
        DataValue.objects.filter(data_element__code=de, period__code=pe, org_unit=unit)
        .select_related("data_element", "period", "org_unit", "updated_by")
        .first()
    )
    if value is None:
        return _message(404, "Not Found", _("No value is stored for this element, period and unit."))
    from giamsat.reporting.exchange import values_as_dhis2

    return next(values_as_dhis2([value]))


def _element(e: DataElement) -> dict:
    return {
        "id": e.code,
        "code": e.code,
        "name": e.name_vi,
        "displayName": e.name,
        "shortName": e.code,
        "valueType": e.value_type,
        "aggregationType": {"SUM_LAST": "SUM", "LAST": "LAST", "MAX": "MAX", "AVERAGE": "AVERAGE"}.get(
            e.aggregation, "SUM"
        ),
        "domainType": "AGGREGATE",
        "periodType": e.period_type.capitalize(),
    }


@dhis2.get("/dataElements", summary="Data elements (DHIS2 paging)")
def data_elements(request):
    return _page(request, DataElement.objects.order_by("code"), "dataElements", _element)


def _data_set(d: DataSet) -> dict:
    return {
        "id": d.code,
        "code": d.code,
        "name": d.name_vi,
        "displayName": d.name,
        "periodType": d.period_type.capitalize(),
        "expiryDays": d.deadline_days,
        "dataSetElements": [{"dataElement": {"id": m.data_element.code}} for m in d.members.all()],
    }


@dhis2.get("/dataSets", summary="Data sets (DHIS2 paging)")
def data_sets(request):
    return _page(
        request, DataSet.objects.prefetch_related("members__data_element").order_by("code"), "dataSets", _data_set
    )


def _unit(u: OrgUnit) -> dict:
    codes = u.ancestor_codes
    return {
        "id": u.code,
        "code": u.code,
        "name": u.name_vi,
        "displayName": u.name,
        "shortName": u.short_name_vi or u.name_vi,
        "level": u.level,
        "path": "/" + u.path.rstrip("/"),
        "parent": {"id": codes[-1]} if codes else None,
        "openingDate": u.valid_from.isoformat() if u.valid_from else None,
        "closedDate": u.valid_to.isoformat() if u.valid_to else None,
    }


@dhis2.get("/organisationUnits", summary="Units (DHIS2 paging; level, parent)")
def organisation_units(request, level: int | None = None, parent: str | None = None):
    units = navigable_units(request.user).order_by("path")
    if level:
        units = units.filter(level=level)
    if parent:
        units = units.filter(parent__code=parent)
    return _page(request, units, "organisationUnits", _unit)


@dhis2.get("/organisationUnits/{code}", summary="One unit")
def organisation_unit(request, code: str):
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("No unit has this code."))
    ensure_can_navigate(request.user, unit)
    return _unit(unit)
