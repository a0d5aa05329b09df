"""Vietnamese first: the language is the one the user chose (cookie), else Vietnamese.

The browser's Accept-Language is ignored on purpose: officials often run English-language
browsers but work in Vietnamese, and the ministry wants the Vietnamese UI by default.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, MiddlewareNotUsed
from django.http import Http404
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from .views import error_404, error_405


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language


class RejectNulMiddleware:
    """No code, name or date holds a NUL character, and PostgreSQL refuses one in a query:
    a path or query parameter with one is a bad request (400), wherever it is sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest(_("The request holds a NUL character."))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY with every response that has none of its own.

    Django 5.2 has no CSP support of its own. Pages load scripts from static files only: no
    inline <script> or on*= handler (they would be refused), data for charts in json_script.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class FriendlyNotFoundMiddleware:
    """With DEBUG on, Django answers a 404 with its English technical page listing every URL pattern;
    show the Vietnamese page of production instead (a 403 already goes to handler403 in both modes).
    Unused when DEBUG is off: handler404 then does it."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return error_404(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return error_404(request, exception)
        return None


class FriendlyMethodNotAllowedMiddleware:
    """An address that only receives forms (sign out, submit, acknowledge...) opened in the browser
    answers 405 with an empty page, a dead end: show a Vietnamese page with a way back instead.
    The API keeps its own answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.content
            and not request.path.startswith("/api/")
            and request.method in ("GET", "HEAD")
        ):
            friendly = error_405(request)
            if response.has_header("Allow"):
                friendly["Allow"] = response["Allow"]
            return friendly
        return response
