"""Health check and error pages."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def healthz(request):
    """Liveness and database reachability, for load balancers and `make run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def error_400(request, exception=None):
    return render(request, "errors/400.html", {"message": str(exception or "")}, status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_405(request, exception=None):
    return render(request, "errors/405.html", status=405)


def error_500(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (often an expired page): say what to do."""
    message = _("The form has expired or was not sent from this site. Reload the page and try again.")
    return render(request, "errors/403.html", {"message": message}, status=403)
