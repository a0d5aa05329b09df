"""The REST API at /api/v1/, assembled from each app's router. OpenAPI docs at /api/v1/docs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from giamsat.accounts.api import router as accounts_router
from giamsat.accounts.auth import api_auth
from giamsat.alerts.api import router as alerts_router
from giamsat.core.dates import InvalidDate
from giamsat.documents.api import router as documents_router
from giamsat.evaluation.api import router as evaluation_router
from giamsat.jobs.api import router as jobs_router
from giamsat.maps.api import router as maps_router
from giamsat.notifications.api import router as notifications_router
from giamsat.orgunits.api import router as orgunits_router
from giamsat.plans.api import router as plans_router
from giamsat.projects.api import router as projects_router
from giamsat.reporting.api import router as reporting_router

from .errors import error_handlers_register

api = NinjaAPI(
    title="GiamSat API",
    version="1",
    description=(
        "Giám sát trực tuyến ngành Khoa học và Công nghệ — API. "
        "Authenticate with a personal token: `Authorization: Bearer <token>` "
        "(or DHIS2's `ApiToken <token>`). Dates are ISO (yyyy-mm-dd) or dd/mm/yyyy."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", accounts_router)
api.add_router("/orgunits", orgunits_router)
api.add_router("/", reporting_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/", jobs_router)
api.add_router("/", alerts_router)
api.add_router("/", notifications_router)
api.add_router("/", documents_router)
api.add_router("/maps", maps_router)
api.add_router("/", plans_router)
api.add_router("/", projects_router)


def _error(request, status: int, message: str, code: str, **extra):
    return api.create_response(request, {"detail": message, "code": code, **extra}, status=status)


def _error_shape(request, status: int, message: str, code: str, error_id: str | None):
    return _error(request, status, message, code, **({"errorId": error_id} if error_id else {}))


error_handlers_register(api, _error_shape)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, str(exc) or "Forbidden.", "forbidden")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.", "not_found")


@api.exception_handler(InvalidDate)
def on_invalid_date(request, exc):
    return _error(request, 400, str(exc), "invalid_date")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer <token>' with a valid, unexpired token.",
        "unauthenticated",
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return _error(request, 422, "Invalid request.", "invalid", errors=exc.errors)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, str(exc), "error")
