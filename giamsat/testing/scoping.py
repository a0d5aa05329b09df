"""The shared cross-province check: every route that takes a unit refuses units outside scope.

Each app lists its unit-bound routes as `ScopedRoute`s; `assert_scope_enforced` then proves
for each that the owner's request succeeds and another province's is refused, and that the
refusal leaks nothing (no name of the other unit in the response). `all_routes()` lists
every URL pattern and API operation so a test can fail when a new route is left unchecked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from giamsat.orgunits.models import OrgUnit

DENIED = {403, 404}


@dataclass(frozen=True)
class ScopedRoute:
    """A route bound to one unit. `url(unit)` builds it; `data` is sent for POST."""

    name: str
    pattern: str  # the route as listed by all_routes(): "GET /units/<str:code>/"
    url: Callable[[OrgUnit], str]
    method: str = "GET"
    data: Callable[[OrgUnit], dict] | None = None
    ok_status: frozenset[int] = field(default_factory=lambda: frozenset({200}))
    api: bool = False
    user: str = "a.reporter"  # who tries it: a user of province A with the role the route needs

    def __str__(self) -> str:
        return self.name


def request(client: Client, route: ScopedRoute, unit: OrgUnit, headers: dict | None = None):
    method = getattr(client, route.method.lower())
    kwargs = {"headers": headers} if headers else {}
    url = route.url(unit)
    if route.method == "GET":
        return method(url, **kwargs)
    data = route.data(unit) if route.data else {}
    if route.api:
        return method(url, data=data, content_type="application/json", **kwargs)
    return method(url, data=data, **kwargs)


def assert_scope_enforced(
    route: ScopedRoute,
    *,
    own_client: Client,
    own_unit: OrgUnit,
    other_unit: OrgUnit,
    headers: dict | None = None,
) -> None:
    """The owner gets an OK status for their unit and a refusal (403/404) for the other's."""
    own = request(own_client, route, own_unit, headers)
    assert own.status_code in route.ok_status, (route.name, own.status_code)
    other = request(own_client, route, other_unit, headers)
    assert other.status_code in DENIED, (route.name, other_unit.code, other.status_code)
    body = other.content.decode("utf-8", "replace")
    assert other_unit.name_vi not in body, f"{route.name} leaks {other_unit.name_vi}"
    if route.api:
        assert other["Content-Type"].startswith("application/json"), route.name


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def all_routes() -> set[str]:
    """Every web URL pattern (as "/path") and every API operation (as "METHOD /api/v1/path")."""
    from giamsat.api.api import api

    routes = {"/" + p for p in _walk(get_resolver().url_patterns) if not p.startswith("api/v1/")}
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method in operations:
            routes.add(f"{method.upper()} {path}")
    return routes


@dataclass(frozen=True)
class RouteInventory:
    """What an app declares about its routes, in `<app>/tests/routes.py` as `ROUTES`.

    - scoped: routes bound to one unit, checked by `assert_scope_enforced`;
    - listed: routes that return many units' data, filtered by scope (each app tests them);
    - owned: routes on a user's own objects (tokens), tested for cross-user access;
    - unscoped: routes that carry no unit data, each with the reason.
    """

    scoped: tuple[ScopedRoute, ...] = ()
    listed: tuple[str, ...] = ()
    owned: tuple[str, ...] = ()
    unscoped: dict[str, str] = field(default_factory=dict)

    def patterns(self) -> set[str]:
        return {r.pattern for r in self.scoped} | set(self.listed) | set(self.owned) | set(self.unscoped)


def collect_inventories() -> list[RouteInventory]:
    """Every app's declared RouteInventory."""
    import importlib

    from django.apps import apps

    inventories = []
    for config in apps.get_app_configs():
        if not config.name.startswith("giamsat."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.routes")
        except ModuleNotFoundError:
            continue
        # ROUTES, and any further ROUTES_* an app splits out (e.g. ROUTES_EXCEL).
        inventories += [getattr(module, name) for name in sorted(dir(module)) if name.startswith("ROUTES")]
    return inventories
