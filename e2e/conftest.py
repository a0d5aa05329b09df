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


# Every page of a test's browser contexts reports Content-Security-Policy violations: the DOM's
# securitypolicyviolation event (sent to Python through an exposed function) and, as a second
# witness, Chromium's console message. A test with any violation fails at teardown.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__giamsatCspViolation({
    page: location.href,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""


class CspRecorder:
    """The CSP violations of every page of one browser context."""

    def __init__(self, context):
        self.violations: list[dict] = []
        context.expose_function("__giamsatCspViolation", self._on_event)
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._on_console)

    def _on_event(self, violation: dict) -> None:
        self.violations.append(violation)

    def _on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append({"page": message.page.url if message.page else "", "console": message.text})


@pytest.fixture
def new_context(browser, live_url):
    """Open browser contexts that record CSP violations; close them and fail on any violation."""
    opened = []

    def open_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        context.csp = CspRecorder(context)
        opened.append(context)
        return context

    yield open_context
    violations = [v for context in opened for v in context.csp.violations]
    for context in opened:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(map(str, violations)), pytrace=False)


@pytest.fixture
def page(new_context, live_url, django_db_blocker):
    context = new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.base_url = live_url
    with django_db_blocker.unblock():
        # Sign-ins through the live server are committed: start each test with no failed attempts,
        # so one test's wrong passwords can never lock the next one out.
        from axes.utils import reset

        reset()
        yield page
        reset()
