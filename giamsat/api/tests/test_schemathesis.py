"""Property-based API testing: schemathesis generates requests from each OpenAPI document
(/api/v1/ and the DHIS2 aliases) and none may end in a server error, with a provincial
reporter's token or without one."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from giamsat.accounts.services import token_create
from giamsat.testing.properties import examples

SCHEMAS = ["/api/v1/openapi.json", "/api/openapi.json"]


@pytest.fixture
def wsgi_app(db):
    from django.core import signals
    from django.db import close_old_connections

    from giamsat.wsgi import application

    # As Django's test client does: keep the test's connection (and transaction) open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.property
@pytest.mark.parametrize("path", SCHEMAS)
def test_no_server_error(wsgi_app, user_a, path):
    token = token_create(user=user_a, name="schemathesis")[1]
    schema = schemathesis.openapi.from_wsgi(path, wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(headers=headers)
                statuses.append(response.status_code)
                assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])

        check()
    assert len(statuses) >= 10 * len(operations)  # hypothesis really generated requests
    assert {200, 401} <= set(statuses)
