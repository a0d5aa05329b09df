import pytest
from django.test import Client

from giamsat.accounts.services import token_create


@pytest.fixture
def api(user_a):
    """A DHIS2 client of province A's reporter: `Authorization: ApiToken <token>`."""
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"ApiToken {token_create(user=user_a, name='t')[1]}"
    return client
