"""Small request helpers shared by views."""

import re

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header


def is_htmx_target(request: HttpRequest, target_id: str) -> bool:
    """True when HTMX asks to swap only the element with this id."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target_id


def download_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A file to save (never cached: it holds a unit's data)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def safe_file_stem(text: str) -> str:
    """A file name's stem any system accepts (ASCII letters, digits, dot, dash, underscore)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "GiamSat"
