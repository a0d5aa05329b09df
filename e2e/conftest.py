"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

The server runs in a thread of the test process on the test database, which the session
setup (../conftest.py) filled with the real registry and the demo users. No browser is
downloaded: the tests use /usr/bin/chromium (CHROMIUM env var to override).
"""

import os
import shutil

import pytest
from django.test.testcases import LiveServerThread, _StaticFilesHandler

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_url(django_db_setup, django_db_blocker):
    """A real server on 127.0.0.1 for this worker, serving the test database."""
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, connections_override={}, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
        thread.terminate()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs it (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_url, django_db_blocker):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_url
    with django_db_blocker.unblock():
        # Sign-ins through the live server are committed: start each test with no failed attempts,
        # so one test's wrong passwords can never lock the next one out.
        from axes.utils import reset

        reset()
        yield page
        reset()
    context.close()
