"""No Vietnamese page shows an English message of the project that has a Vietnamese translation.

Every GET page of the route inventory is rendered as each role; its visible text (outside <script>,
<style> and <code>) must not contain any translated msgid of three words or more (for a msgid with
placeholders, any of its literal stretches of three words or more). The refusals and "not found"
pages some roles get are read too, and so are the admin's pages, a few searches and addresses that
name nothing.
"""

import html as html_lib
import importlib
import re
from functools import cache
from pathlib import Path

import polib
import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit
from giamsat.testing.fixtures import PROVINCE_A
from giamsat.testing.scoping import collect_inventories

pytestmark = pytest.mark.django_db

PO = Path(__file__).resolve().parents[3] / "locale/vi/LC_MESSAGES/django.po"
ROLES = ["a.reporter", "a.leader", "a.analyst", "ministry.leader", "it.reporter", "admin"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\{.*?\}\}|\{\w*\}")
# Routes with parameters that no scoped route builds: one example each.
EXAMPLES = {
    "code": {"elements": "HH_TOTAL", "indicators": "HH_SMART_DEVICE_RATE", "data-sets": "BC_TINH_MONTHLY"},
    "rules": "HH_SMART_LE_HH",
}
READ_STATUSES = {200, 400, 403, 404, 405}
HIDDEN = re.compile(r"<(script|style|code|textarea)\b.*?</\1>", flags=re.S | re.I)


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]+", text))


@cache
def english_phrases() -> tuple[str, ...]:
    """Literal stretches of translated msgids, three words or more, normalised."""
    phrases = set()
    for entry in polib.pofile(str(PO)):
        if entry.obsolete or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        for piece in PLACEHOLDER.split(entry.msgid):
            piece = " ".join(piece.split()).strip(" .,:;“”\"'()")
            if _words(piece) >= 3:
                phrases.add(piece)
    return tuple(sorted(phrases))


def visible_text(body: str) -> str:
    body = HIDDEN.sub(" ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html_lib.unescape(body).split())


def _first_pk(model_path: str) -> str | None:
    module, name = model_path.rsplit(".", 1)
    model = getattr(importlib.import_module(module), name)
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


# Routes with a pk: the first row of the model (a missing one shows the 404 page, read as well).
PK_EXAMPLES = {
    "/catalog/indicators/<str:code>/targets/<int:pk>/": "giamsat.catalog.models.Target",
    "/alerts/rules/<int:pk>/": "giamsat.alerts.models.AlertRule",
    "/notifications/<int:pk>/": "giamsat.notifications.models.Notification",
}
# Pages no route pattern builds: searches, an invalid signed link, addresses that name nothing.
EXTRA_URLS = (
    "/units/?q=quang+nam",
    "/units/?q=ha+noi",
    "/accounts/password/reset/MQ/invalid-token/",
    "/khong-co-trang-nay/",
    "/evaluation/explain/ADULT_EID_RATE/P01/2019Q1/",
    "/evaluation/indicators/NOPE/",
    "/reports/999999/",
)


def admin_urls() -> list[str]:
    """The admin's index, and every registered model's list, add page and first row's page."""
    from django.contrib import admin
    from django.urls import reverse

    urls = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        if first := model.objects.order_by("pk").values_list("pk", flat=True).first():
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first]))
    return urls


def _example(pattern: str) -> str | None:
    """The pattern with example values, or None when it needs ones not listed (a token)."""
    parts = pattern.strip("/").split("/")
    if pattern in PK_EXAMPLES:
        pk = _first_pk(PK_EXAMPLES[pattern])
        pattern = pattern.replace("<int:pk>", pk or "999999")
        parts = pattern.strip("/").split("/")
    if parts[-1] in {"remove", "end", "revoke", "errors"} or any("<int:" in p or "<slug:" in p for p in parts):
        return None
    out = []
    for index, part in enumerate(parts):
        if part.startswith("<"):
            kind = parts[index - 1]
            value = EXAMPLES["rules"] if kind == "rules" else EXAMPLES["code"].get(kind)
            if kind == "indicators" and parts[0] == "evaluation":
                value = "ADULT_EID_RATE"
            if value is None:
                return None
            part = value
        out.append(part)
    return "/" + "/".join(out) + "/"


def page_urls() -> list[str]:
    """One URL for every web GET route of the inventory: unit routes built for province A."""
    unit = OrgUnit.objects.get(code=PROVINCE_A)
    urls = []
    for inventory in collect_inventories():
        for route in inventory.scoped:
            if route.method == "GET" and not route.api:
                urls.append(route.url(unit))
        for pattern in (*inventory.listed, *inventory.owned, *inventory.unscoped):
            if not pattern.startswith("/") or pattern.startswith("/api/"):
                continue
            url = pattern if "<" not in pattern else _example(pattern)
            if url:
                urls.append(url)
    return sorted(set(urls))


def read_pages(client: Client, urls) -> dict[str, list[str]]:
    """The English phrases found on each page (pages, refusals, "not found"; not downloads)."""
    phrases = english_phrases()
    found = {}
    for url in urls:
        response = client.get(url)
        if response.status_code not in READ_STATUSES or not response["Content-Type"].startswith("text/html"):
            continue
        text = visible_text(response.content.decode())
        leaks = [phrase for phrase in phrases if phrase in text]
        if leaks:
            found[url] = leaks
    return found


@pytest.mark.parametrize("username", ROLES)
def test_no_untranslated_english_on_vietnamese_pages(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    assert len(english_phrases()) > 300
    urls = [*page_urls(), *EXTRA_URLS, *(admin_urls() if username == "admin" else [])]
    assert read_pages(client, urls) == {}


def test_no_untranslated_english_for_a_visitor_not_signed_in():
    assert read_pages(Client(), ["/accounts/login/", "/accounts/password/reset/", "/khong-co-trang-nay/"]) == {}


def test_the_pages_read_include_refusals_not_found_and_the_admin():
    """The extended inventory is really rendered: a 404, a 403 and the admin's model lists."""
    admin_client = Client()
    admin_client.force_login(User.objects.get(username="admin"))
    assert admin_client.get("/khong-co-trang-nay/").status_code == 404
    assert len(admin_urls()) > 20
    changelist = admin_client.get("/admin/reporting/datavalue/").content.decode()
    assert "Giá trị số liệu" in changelist or "giá trị số liệu" in changelist
    reporter = Client()
    reporter.force_login(User.objects.get(username="a.reporter"))
    assert reporter.get("/alerts/rules/new/").status_code == 403
    assert any("targets/" in url and "new" not in url for url in page_urls())


def test_the_check_finds_english_when_there_is_some(client_a):
    """The same page in English is caught: the check is not blind."""
    from django.conf import settings

    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = visible_text(client_a.get("/reports/").content.decode())
    assert [phrase for phrase in english_phrases() if phrase in text]
    assert visible_text("<p>a <code>x y z</code> b<script>var c;</script></p>") == "a b"
