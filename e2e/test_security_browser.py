"""The Content-Security-Policy in a browser: it refuses inline scripts, the violation recorder of
every browser test (conftest.py) sees it, and the pages the other tests do not open, the admin
and the API documentation among them, load without a violation."""

import re
import time

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in
from giamsat.accounts.models import User
from giamsat.accounts.services import token_create

pytestmark = pytest.mark.xdist_group("browser")


def _wait_for_violations(recorder, seconds: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + seconds
    while not recorder.violations and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(recorder.violations)


def test_an_inline_script_is_refused_and_recorded(page):
    page.goto(page.base_url + "/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true';"
        " document.body.appendChild(s); }"
    )
    violations = _wait_for_violations(page.context.csp)
    assert page.evaluate("window.__ran") is None
    assert any(v.get("directive") == "script-src-elem" or "script-src" in v.get("console", "") for v in violations)
    page.context.csp.violations.clear()  # expected here; any other test fails on one


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/units/",
        "/catalog/",
        "/catalog/elements/new/",
        "/evaluation/rankings/",
        "/reports/",
        "/jobs/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/api/v1/docs",
        "/api/docs",
    ],
)
def test_pages_load_without_a_policy_violation(page, path):
    sign_in(page, "quantri")
    response = page.goto(page.base_url + path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    # The recorder fails the test at teardown on any violation.


def test_select_filters_submit_without_inline_handlers(page):
    sign_in(page, "lanhdao.bo")
    page.goto(page.base_url + "/evaluation/rankings/")
    options = page.locator("#pillar option")
    value = options.nth(options.count() - 1).get_attribute("value")
    page.select_option("#pillar", value)
    expect(page).to_have_url(re.compile(rf"pillar={re.escape(value)}"))


def test_revoke_asks_first_without_inline_handlers(page):
    user = User.objects.get(username="hanoi.baocao")
    token, _ = token_create(user=user, name="csp-confirm")
    sign_in(page, "hanoi.baocao")
    page.goto(page.base_url + "/accounts/tokens/")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator(f"form[action$='/tokens/{token.pk}/revoke/'] button").click()
    expect(page).to_have_url(re.compile(r"/accounts/tokens/$"))
    assert questions and questions[0]
    token.refresh_from_db()
    assert token.revoked_at is None
    token.delete()
