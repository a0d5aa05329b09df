"""The shared scope tests: every route is declared, and every unit-bound route refuses
another province's units, on the web and through the API with a personal token.

They span every app, so they live in portal, the app at the top that may import them all.
"""

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.testing.fixtures import COMMUNE_B, FORMER_PROVINCE_B, PROVINCE_A, PROVINCE_B
from giamsat.testing.scoping import all_routes, assert_scope_enforced, collect_inventories

INVENTORIES = collect_inventories()
SCOPED = [route for inventory in INVENTORIES for route in inventory.scoped]
# Units of province B the reporter of A must not reach: the province, a commune, a former unit.
OTHER_UNITS = [PROVINCE_B, COMMUNE_B, FORMER_PROVINCE_B]


def test_every_route_is_declared():
    """A new page or API route must say how it is scoped (giamsat/testing/scoping.py)."""
    declared = set().union(*(inventory.patterns() for inventory in INVENTORIES))
    routes = {r for r in all_routes() if not r.startswith("/admin/")}
    assert routes - declared == set(), "routes without a scope declaration"
    assert declared - routes == set(), "declared routes that no longer exist"


@pytest.mark.parametrize("route", SCOPED, ids=str)
@pytest.mark.parametrize("other", OTHER_UNITS)
def test_province_a_cannot_read_province_b_on_the_web(route, other, unit):
    client = Client()
    client.force_login(User.objects.get(username=route.user))
    assert_scope_enforced(route, own_client=client, own_unit=unit(PROVINCE_A), other_unit=unit(other))


@pytest.mark.parametrize("route", [r for r in SCOPED if r.api], ids=str)
@pytest.mark.parametrize("scheme", ["Bearer", "ApiToken"])
def test_province_a_token_cannot_read_province_b(route, scheme, token_a, unit):
    from django.test import Client

    assert_scope_enforced(
        route,
        own_client=Client(),
        own_unit=unit(PROVINCE_A),
        other_unit=unit(PROVINCE_B),
        headers={"Authorization": f"{scheme} {token_a}"},
    )


@pytest.mark.parametrize("route", SCOPED, ids=str)
def test_user_without_scope_reaches_no_unit(route, unit):
    from django.test import Client

    from giamsat.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="nobody"))
    from giamsat.testing.scoping import DENIED, request

    assert request(client, route, unit(PROVINCE_A)).status_code in DENIED


@pytest.mark.parametrize("route", SCOPED, ids=str)
def test_anonymous_is_sent_to_sign_in_or_refused(route, unit):
    from django.test import Client

    from giamsat.testing.scoping import request

    response = request(Client(), route, unit(PROVINCE_A))
    if route.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_site_refuses_provincial_users(client_a):
    response = client_a.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
