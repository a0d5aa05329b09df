"""Conventions every page of the route inventory keeps (issue 20): a period is chosen with the one
picker, never typed as a code; a unit field offers the units by name; every page has its own title
and a heading; every page below a section's first page has a breadcrumb leading back up; no two
links of a page with the same name lead to different places; objects are shown by name, their codes
only as a detail."""

import html as html_lib
import re
from collections import defaultdict

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.portal.tests.test_untranslated import page_urls, visible_text

pytestmark = pytest.mark.django_db

PERIOD_CODE = re.compile(r"^\d{4}(\d{2}|Q[1-4]|W\d{1,2})?$")
# Pages below a section's root that are roots themselves, or a visitor's steps (no way "up").
NO_CRUMBS = {
    "/evaluation/rankings/",
    "/accounts/profile/",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/reset/",
    "/accounts/password/reset/sent/",
    "/accounts/password/reset/complete/",
    "/accounts/two-factor/verify/",
}
CRUMBS = re.compile(r'<nav class="crumbs" aria-label="[^"]+"[^>]*>\s*<a href="/')
INPUT = re.compile(r"<input\b[^>]*>", flags=re.I)


def _attr(tag: str, name: str) -> str:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return match.group(1) if match else ""


# A code shown as a detail is fine: in a hint, a breadcrumb, beside a name in a list's option, in
# <code>, or on hover (an attribute). The catalogue's own pages are about codes.
DETAILS = re.compile(
    r'<(div|span|p|small)[^>]*class="[^"]*\b(help|crumbs|muted)\b[^"]*"[^>]*>.*?</\1>|<option\b.*?</option>', flags=re.S
)
CODE = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b")


def bare_codes(body: str) -> list[str]:
    """Element, indicator or data set codes (HH_TOTAL) in the visible text, outside the details."""
    return sorted(set(CODE.findall(visible_text(DETAILS.sub(" ", body)))))


LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", flags=re.S | re.I)


def ambiguous_links(body: str) -> dict[str, set[str]]:
    """Link names (aria-label, else the text) shared by links to different addresses: a screen
    reader would read the same words for each ("Mở", "17")."""
    targets = defaultdict(set)
    for attrs, inner in LINK.findall(body):
        if not (href := _attr(attrs, "href")):
            continue
        name = _attr(attrs, "aria-label") or " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        targets[html_lib.unescape(name)].add(href)
    return {name: hrefs for name, hrefs in targets.items() if len(hrefs) > 1 and not _one_page(hrefs)}


def _one_page(hrefs: set[str]) -> bool:
    """A page and one filtered view of it (/plans/ and /plans/?year=2026): the same place."""
    paths = {href.split("?")[0] for href in hrefs}
    queries = {href.split("?", 1)[1] for href in hrefs if "?" in href}
    return len(paths) == 1 and len(queries) <= 1


def bare_unit_inputs(body: str) -> list[str]:
    """Text inputs for a unit code with no list of units offered by name."""
    return [
        tag
        for tag in INPUT.findall(body)
        if (_attr(tag, "type") or "text") == "text"
        and _attr(tag, "name") in {"unit", "org_unit"}
        and not _attr(tag, "list")
    ]


def typed_period_inputs(body: str) -> list[str]:
    """Text inputs for a period: named `period`, or hinting at a period code (202510); hidden
    inputs and dates typed as dd/mm/yyyy are fine."""
    found = []
    for tag in INPUT.findall(body):
        kind = _attr(tag, "type") or "text"
        if kind == "text" and (_attr(tag, "name") == "period" or PERIOD_CODE.match(_attr(tag, "placeholder"))):
            found.append(tag)
    return found


@pytest.mark.parametrize("username", ["a.reporter", "ministry.leader", "admin"])
def test_every_page_has_a_title_a_heading_a_way_back_and_offers_periods_and_units_by_name(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    typed, untitled, no_way_back, ambiguous, codes = {}, {}, [], {}, {}
    for url in page_urls():
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        if inputs := typed_period_inputs(body) + bare_unit_inputs(body):
            typed[url] = inputs
        if links := ambiguous_links(body):
            ambiguous[url] = links
        if not url.startswith("/catalog/") and (shown := bare_codes(body)):
            codes[url] = shown
        if "<html" not in body:
            continue  # an HTMX fragment of a page
        title = re.search(r"<title>(.*?)</title>", body, flags=re.S)
        if not title or title.group(1).split("·")[0].strip() in {"", "GiamSat"} or "<h1" not in body:
            untitled[url] = title.group(1).strip() if title else None
        path = url.split("?")[0]
        if path.count("/") > 2 and path not in NO_CRUMBS and not CRUMBS.search(body):
            no_way_back.append(url)
    assert typed == {}
    assert untitled == {}
    assert no_way_back == []
    assert ambiguous == {}
    assert codes == {}


def test_the_check_sees_a_typed_period():
    assert typed_period_inputs('<input id="p" name="period" type="text"><input type="hidden" name="period">') == [
        '<input id="p" name="period" type="text">'
    ]
    assert typed_period_inputs('<input name="end" placeholder="2025Q4">') == ['<input name="end" placeholder="2025Q4">']
    assert typed_period_inputs('<input name="end" placeholder="31/10/2025">') == []
    assert bare_unit_inputs('<input name="unit" type="text"><input name="org_unit" list="units">') == [
        '<input name="unit" type="text">'
    ]


def test_the_check_sees_links_a_screen_reader_cannot_tell_apart():
    body = '<a href="/r/1/">Mở</a><a href="/r/2/">Mở</a><a href="/r/3/" aria-label="Báo cáo 3">Mở</a>'
    body += '<a href="/r/1/">Mở</a>'
    assert ambiguous_links(body) == {"Mở": {"/r/1/", "/r/2/"}}
    assert ambiguous_links('<a href="/p/">Kế hoạch</a><a href="/p/?year=2026">Kế hoạch</a>') == {}
    assert ambiguous_links('<a href="/c/?d=A">17</a><a href="/c/?d=B">17</a>') == {"17": {"/c/?d=A", "/c/?d=B"}}


def test_the_check_sees_a_bare_code():
    body = '<p>MOBILE_DEAD_ZONES: — → 50.000</p><p class="help">HH_TOTAL</p><option>Số hộ (HH_FIBER)</option>'
    assert bare_codes(body) == ["MOBILE_DEAD_ZONES"]
    assert bare_codes('<td><span title="HH_TOTAL">Tổng số hộ</span></td><code>#{HH_FIBER}</code>') == []
