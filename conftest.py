"""Session-wide test data: the real unit registry, the catalogue and the demo users, loaded once
per worker into the test database.

The database is set up here rather than by pytest-django's own fixture, which creates test
databases only for tests that ask for one: the browser tests use a live server instead, and run
alone they would otherwise talk to the development database. Data loaded here is committed, so
every test (rolled back after itself) and the live server see the same data.
"""

import io
import os

import pytest
from django.core.management import call_command

from giamsat.testing.properties import load_profile

# Before any test module builds its Hypothesis settings: they inherit the loaded profile.
load_profile()

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from
# that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    # Tests that look at evaluation results ask for them; the rest do not pay for a refresh.
    settings.EVENTS_DISPATCH = "off"

    # Locks left in this worker's queue store by an interrupted run must not hold the next one.
    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # as the consumer does: every task lock's name is known
    HUEY.flush_locks()

    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False)
        call_command("load_reference", "--quiet", stdout=io.StringIO())
        call_command("load_catalog", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())
        from giamsat.testing.fixtures import create_test_users

        create_test_users()
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()
        teardown_databases(databases, verbosity=0)


def _end_other_sessions() -> None:
    """PostgreSQL will not drop a database in use: end the sessions that the live server's
    kept-alive request threads may still hold on the test database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


def pytest_collection_modifyitems(config, items):
    """Every Hypothesis test is a property test: `make fuzz` selects them with `-m property`."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
