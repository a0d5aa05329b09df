"""Session-wide test data: the real unit registry and the demo users, loaded once per worker.

Loading happens inside pytest-django's database setup and is committed, so every test
(transactional rollback per test) and the browser tests' live server see the same data.
"""

import io
import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made from
# that thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", "--quiet", stdout=io.StringIO())
        call_command("load_catalog", stdout=io.StringIO())
        call_command("load_demo", stdout=io.StringIO())
        from giamsat.core.testing.fixtures import create_test_users

        create_test_users()
