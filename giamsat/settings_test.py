"""Settings for the test suite (pyproject.toml): the development settings, DEBUG on at start-up.

DEBUG defaults to off (giamsat/settings.py). The suite keeps the local shape it was written for:
a development key, cookies without the Secure flag for the browser tests' http:// live server,
static files found by WhiteNoise without collectstatic. pytest-django still runs every test with
DEBUG off, as production does. Set in the environment, so the processes the tests start (a
worker, a probe) read the same settings.
"""

import os

os.environ.setdefault("DEBUG", "true")
# A wrong TOTP code does not make the next, right one wait (tests never sleep).
os.environ.setdefault("TOTP_THROTTLE_FACTOR", "0")

from giamsat.settings import *  # noqa: E402, F403

# Each pytest-xdist worker has a queue store of its own (Huey's SQLite file, or its own name on
# Redis): locks, leases and marks that tests take must never be seen by the other worker's tests.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    HUEY = {**HUEY, "name": f"{HUEY['name']}-{_worker}"}  # noqa: F405
    if "filename" in HUEY:
        HUEY["filename"] = str(VAR_DIR / f"huey-{_worker}.sqlite3")  # noqa: F405

# Tests run on any day: the quiet days off are tested where they are meant (notifications tests).
NOTIFICATIONS_QUIET_DAYS_OFF = False
