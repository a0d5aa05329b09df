"""Vietnamese first: the language is the one the user chose (cookie), else Vietnamese.

The browser's Accept-Language is ignored on purpose: officials often run English-language
browsers but work in Vietnamese, and the ministry wants the Vietnamese UI by default.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
