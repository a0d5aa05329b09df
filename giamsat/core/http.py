"""Small request helpers shared by views."""

from django.http import HttpRequest


def is_htmx_target(request: HttpRequest, target_id: str) -> bool:
    """True when HTMX asks to swap only the element with this id."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == target_id
