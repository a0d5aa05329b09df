"""The admin speaks Vietnamese: app names, model names, column headers, filters and field labels.

Signed in as the test administrator in Vietnamese, the admin's index, every registered model's list,
add page and first row's page are rendered; every label-like text on them (app and model names,
column headers, filter titles, form labels, fieldset and inline headings) must be Vietnamese. A label
is English when it is a field's raw name ("org unit", "created at"), the English name of a field, a
model or an app, or plain ASCII words with no Vietnamese letter ("Axes", "Otp_Totp"). A few words
are the same in both languages (ID, API, Email, URL...).
"""

import html as html_lib
import re
from functools import cache
from pathlib import Path

import django
import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

pytestmark = pytest.mark.django_db

# Words an official reads the same in Vietnamese (proper names, acronyms, loan words).
SAME_IN_BOTH = {"id", "api", "email", "url", "ip", "json", "totp", "otp", "giamsat", "sms", "zalo", "pdf", "docx"}
LABEL_PATTERNS = [
    re.compile(r"<caption>(.*?)</caption>", re.S),  # index: app names
    re.compile(r'<th scope="row"[^>]*>(.*?)</th>', re.S),  # index: model names
    re.compile(r'<th scope="col"[^>]*>(.*?)</th>', re.S),  # list: column headers
    re.compile(r'data-filter-title="([^"]*)"'),  # list: filter titles
    re.compile(r"<label\b[^>]*>(.*?)</label>", re.S),  # forms: field labels
    re.compile(r'<div class="flex-container[^"]*">\s*<label>(.*?)</label>', re.S),  # readonly labels
    re.compile(r"<h2[^>]*>(.*?)</h2>", re.S),  # fieldsets and inlines
    re.compile(r"<h1[^>]*>(.*?)</h1>", re.S),
    re.compile(r'<nav aria-label="[^"]*">\s*<div class="breadcrumbs">(.*?)</div>', re.S),
]


def _text(fragment: str) -> str:
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return " ".join(text.split()).strip(" :*")


@cache
def english_names() -> frozenset[str]:
    """Every field's raw and English name, every model's and app's English name, lowercased."""
    names = set()
    with translation.override("en"):
        for config in apps.get_app_configs():
            names.add(str(config.verbose_name))
        for model in apps.get_models():
            options = model._meta
            names.update({str(options.verbose_name), str(options.verbose_name_plural)})
            for field in options.get_fields():
                names.add(field.name.replace("_", " "))
                if hasattr(field, "verbose_name"):
                    names.add(str(field.verbose_name))
    return frozenset(name.lower() for name in names if name.lower() not in SAME_IN_BOTH)


def english_label(text: str) -> bool:
    """A label an official would read as English."""
    if not text or re.fullmatch(r"[\d\s.,:/%-]*", text):
        return False
    if text.lower() in english_names():
        return True
    has_vietnamese = re.search(r"[^\x00-\x7f]", text)
    words = [w for w in re.findall(r"[A-Za-z_]+", text) if w.lower() not in SAME_IN_BOTH]
    return not has_vietnamese and any(len(word) >= 3 for word in words)


def labels(body: str) -> list[str]:
    body = re.sub(r"<(script|style|select|textarea|code)\b.*?</\1>", " ", body, flags=re.S | re.I)
    found = []
    for pattern in LABEL_PATTERNS:
        for fragment in pattern.findall(body):
            found.extend(part for part in (_text(p) for p in fragment.split("›")) if part)
    return found


CONTRIB = Path(django.__file__).parent / "contrib"


def untranslated_django_messages(*, with_project: bool = True) -> tuple[str, ...]:
    """Django's admin and auth messages of two words or more that no catalogue translates to Vietnamese
    (Django's own lacks its newest strings; the project's catalogue, read first, fills them in)."""
    catalogues = [CONTRIB / f"{app}/locale/vi/LC_MESSAGES/django.po" for app in ("admin", "auth")]
    if with_project:
        catalogues.append(Path(settings.LOCALE_PATHS[0]) / "vi/LC_MESSAGES/django.po")
    translated = set()
    for catalogue in catalogues:
        translated |= {entry.msgid for entry in polib.pofile(str(catalogue)) if entry.translated()}
    english = set()
    for app in ("admin", "auth"):
        for entry in polib.pofile(str(CONTRIB / f"{app}/locale/en/LC_MESSAGES/django.po")):
            if entry.msgid not in translated and not re.search(r"[%{<]", entry.msgid) and " " in entry.msgid:
                english.add(entry.msgid)
    return tuple(sorted(english))


def page_text(body: str) -> str:
    """Visible text, each element's text between bars, and the titles and labels of attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    attributes = re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " | ", body)
    return html_lib.unescape(" ".join(" ".join([text, *attributes]).split()))


def admin_pages() -> list[tuple[str, str]]:
    """The index, then for every registered model its list, its add page and its first row's page,
    each with the name of the row it shows (a row's name is data, not a label: "HH_FIBER_LE_HH")."""
    pages = [("/admin/", "")]
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        options = model._meta
        prefix = f"admin:{options.app_label}_{options.model_name}"
        pages.append((reverse(f"{prefix}_changelist"), ""))
        pages.append((reverse(f"{prefix}_add"), ""))
        if (first := model.objects.order_by("pk").first()) is not None:
            pages.append((reverse(f"{prefix}_change", args=[first.pk]), " ".join(str(first).split())))
    return pages


def _giamsat_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("giamsat."):
            continue
        for field in model._meta.local_fields + model._meta.local_many_to_many:
            if not field.auto_created:
                yield model, field


def test_every_admin_page_labels_in_vietnamese(client_admin):
    """Signed in as the test administrator (Vietnamese, the site's first language)."""
    found = {}
    pages = admin_pages()
    django_messages = untranslated_django_messages()
    for url, row_name in pages:
        response = client_admin.get(url)
        if response.status_code != 200:  # add pages the admin forbids (read-only models)
            assert response.status_code == 403, (url, response.status_code)
            continue
        assert response["Content-Language"] == "vi", url
        texts = {text for text in labels(response.content.decode()) if not (row_name and text in row_name)}
        english = sorted(text for text in texts if english_label(text))
        text = page_text(response.content.decode())
        english += [message for message in django_messages if message in text]
        if english:
            found[url] = english
    assert len(pages) > 40
    assert found == {}


def test_every_field_has_a_vietnamese_name():
    """A field without verbose_name=_("...") shows its raw name in every language."""
    unnamed, untranslated = [], []
    for model, field in _giamsat_fields():
        where = f"{model._meta.label}.{field.name}"
        if not isinstance(field.verbose_name, Promise):
            unnamed.append(where)
            continue
        with translation.override("en"):
            english = str(field.verbose_name)
        with translation.override("vi"):
            vietnamese = str(field.verbose_name)
        if english == vietnamese and english.lower() not in SAME_IN_BOTH:
            untranslated.append(f"{where}: {english}")
    assert unnamed == []
    assert untranslated == []


def test_the_check_catches_english_labels():
    """Not blind: raw field names, English model and app names and ASCII words are caught."""
    assert english_label("org unit") and english_label("Created at") and english_label("Axes")
    assert english_label("Otp_Totp") and english_label("Data values")
    assert not english_label("Đơn vị") and not english_label("ID") and not english_label("Email")
    body = '<caption><a href="/x/">Axes</a></caption><label for="id_a">Org unit:</label>'
    assert labels(body) == ["Axes", "Org unit"]
    assert "Skip to main content" in untranslated_django_messages(with_project=False)
    assert "| Skip to main content |" in page_text('<a href="#c">Skip to main content</a><p title="x y">')
