"""Errors no API handler expected, in the shapes API clients read, never as a traceback.

An unhandled exception answers 500 with a short random id and logs its traceback under the same
id, so an administrator finds the cause of the error a user reports. A body Django refuses to
read (larger than DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files) answers 413 or 400.
Both NinjaAPI instances register these handlers; each passes its own response shape.
"""

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

logger = logging.getLogger("giamsat.api")

# (request, HTTP status, message, machine-readable code, error id or None) -> response
Responder = Callable[[HttpRequest, int, str, str, str | None], HttpResponse]


def error_id_new() -> str:
    """A short id for one error, printed to the client and written to the log."""
    return secrets.token_hex(4)


def unhandled_error_log(request: HttpRequest, exc: Exception) -> str:
    """Log an unhandled exception with its traceback; return the id the client is given."""
    error_id = error_id_new()
    logger.exception("Unhandled API error %s on %s %s", error_id, request.method, request.get_full_path(), exc_info=exc)
    return error_id


def body_too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE = %(limit)s bytes).") % {
        "limit": limit
    }


def error_handlers_register(api: NinjaAPI, respond: Responder) -> None:
    """Answer unhandled exceptions and refused bodies on `api` through `respond`."""

    def on_unhandled(request, exc):
        error_id = unhandled_error_log(request, exc)
        message = _("An unexpected error occurred. Give the administrators this error id: %(id)s.") % {"id": error_id}
        return respond(request, 500, message, "server_error", error_id)

    def on_body_too_large(request, exc):
        return respond(request, 413, body_too_large_message(), "too_large", None)

    def on_suspicious(request, exc):
        # Too many fields or files, a malformed multipart body: the client's mistake, not ours.
        logger.warning("Refused API request on %s %s: %s", request.method, request.path, exc)
        message = _("The request could not be read: %(reason)s") % {"reason": exc}
        return respond(request, 400, message, "bad_request", None)

    api.add_exception_handler(Exception, on_unhandled)
    api.add_exception_handler(RequestDataTooBig, on_body_too_large)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
