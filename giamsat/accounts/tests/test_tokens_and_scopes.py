"""Tokens (hashed, revocable, expiring) and scopes (subtrees, lineage, capture vs view)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.models import ApiToken, User
from giamsat.accounts.selectors import ScopeDenied, ensure_can_capture, ensure_can_view, user_scope
from giamsat.accounts.services import TokenError, token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db


def me(raw, scheme="Bearer"):
    return Client().get("/api/v1/me", headers={"Authorization": f"{scheme} {raw}"})


def test_token_is_hashed_at_rest(user_a):
    token, raw = token_create(user=user_a, name="Hệ thống báo cáo tỉnh")
    assert raw.startswith("gs_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.prefix, stored.name)
    assert token_authenticate(raw) == user_a


@pytest.mark.parametrize("scheme", ["Bearer", "ApiToken", "bearer"])
def test_me_with_token(user_a, scheme):
    _, raw = token_create(user=user_a, name="t")
    data = me(raw, scheme).json()
    assert data["username"] == "a.reporter"
    assert data["role"] == "PROVINCE_REPORTER"
    assert [u["code"] for u in data["capture_scope"]] == ["P01"]


def test_revoked_token_stops_working(user_a):
    token, raw = token_create(user=user_a, name="t")
    token_revoke(token=token, by=user_a)
    assert me(raw).status_code == 401


def test_expired_token_stops_working(user_a):
    token, raw = token_create(user=user_a, name="t", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert me(raw).status_code == 401


def test_inactive_user_token_stops_working(user_a):
    _, raw = token_create(user=user_a, name="t")
    User.objects.filter(pk=user_a.pk).update(is_active=False)
    assert me(raw).status_code == 401


@pytest.mark.parametrize("raw", ["", "gs_", "gs_deadbeef_nope", "x" * 5000, "Bearer"])
def test_garbage_tokens_are_401(raw):
    assert me(raw).status_code == 401


@pytest.mark.parametrize("days", [0, -1, 10_000])
def test_token_lifetime_is_bounded(user_a, days):
    with pytest.raises(TokenError):
        token_create(user=user_a, name="t", days=days)


def test_only_the_owner_revokes(user_a, user_b):
    token, _ = token_create(user=user_a, name="t")
    with pytest.raises(TokenError):
        token_revoke(token=token, by=user_b)


def test_view_scope_reaches_predecessors_but_capture_does_not(user_b, unit):
    ha_giang = unit("P02_63")  # merged into Tuyên Quang (B)
    ensure_can_view(user_b, ha_giang)
    ensure_can_view(user_b, unit("X02269"))
    with pytest.raises(ScopeDenied):
        ensure_can_capture(user_b, ha_giang)
    ensure_can_capture(user_b, unit("X02269"))
    with pytest.raises(ScopeDenied):
        ensure_can_view(user_b, unit("P01"))


def test_scope_paths_are_minimal(user_b):
    paths = user_scope(user_b, ScopeKind.VIEW).paths
    assert "VN/P08/" in paths
    assert "VN/P02_63/" in paths and "VN/P08_63/" in paths
    assert not any(p.startswith("VN/P08/") and p != "VN/P08/" for p in paths)


def test_ministry_leader_sees_everything_registered(unit):
    leader = User.objects.get(username="ministry.leader")
    for code in ["P01", "P08", "P02_63", "X00004", "CNTT.BO_TAICHINH"]:
        ensure_can_view(leader, unit(code))
    with pytest.raises(ScopeDenied):
        ensure_can_capture(leader, unit("P01"))


def test_it_reporter_is_confined_to_their_ministry_unit(unit):
    reporter = User.objects.get(username="it.reporter")
    ensure_can_capture(reporter, unit("CNTT.BO_TAICHINH"))
    with pytest.raises(ScopeDenied):
        ensure_can_view(reporter, unit("P01"))
