"""Fixtures shared by every app's tests."""

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.accounts.services import token_create
from giamsat.orgunits.models import OrgUnit


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def user_a(db):
    return User.objects.get(username="a.reporter")


@pytest.fixture
def user_b(db):
    return User.objects.get(username="b.reporter")


@pytest.fixture
def client_a(db):
    return _client_for("a.reporter")


@pytest.fixture
def client_b(db):
    return _client_for("b.reporter")


@pytest.fixture
def client_leader(db):
    return _client_for("ministry.leader")


@pytest.fixture
def client_admin(db):
    return _client_for("admin")


@pytest.fixture
def token_a(user_a):
    """A raw personal API token of province A's reporter."""
    return token_create(user=user_a, name="test")[1]


@pytest.fixture
def unit(db):
    """Look up a unit by code: unit('P01')."""
    return lambda code: OrgUnit.objects.get(code=code)
