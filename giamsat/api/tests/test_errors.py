"""An API error never answers a traceback: unhandled exceptions give a JSON 500 with an id that is
also in the log; a body Django refuses gives a JSON 413 naming the limit."""

import logging

import pytest
from django.test import Client, override_settings

from giamsat.accounts.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(user_a):
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user_a, name='t')[1]}"
    return client


def _boom(*args, **kwargs):
    raise RuntimeError("secret internals: /srv/giamsat/settings.py")


def _assert_logged_once_with_traceback(caplog, error_id: str) -> None:
    records = [r for r in caplog.records if r.name == "giamsat.api" and error_id in r.getMessage()]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info and records[0].exc_info[0] is RuntimeError


@pytest.mark.parametrize("debug", [False, True])
def test_unhandled_error_on_api_v1_is_json_with_an_id(client, monkeypatch, caplog, debug):
    monkeypatch.setattr("giamsat.accounts.api.user_scope_units", _boom)
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="giamsat.api"):
        response = client.get("/api/v1/me")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "server_error"
    assert len(body["errorId"]) == 8
    assert body["errorId"] in body["detail"]
    assert "Traceback" not in response.content.decode() and "secret internals" not in response.content.decode()
    _assert_logged_once_with_traceback(caplog, body["errorId"])


def test_unhandled_error_message_is_english_on_request(client, monkeypatch):
    monkeypatch.setattr("giamsat.accounts.api.user_scope_units", _boom)
    client.cookies["giamsat_language"] = "en"
    assert client.get("/api/v1/me").json()["detail"].startswith("An unexpected error occurred")
    client.cookies["giamsat_language"] = "vi"
    assert client.get("/api/v1/me").json()["detail"].startswith("Đã xảy ra lỗi")


@pytest.mark.parametrize("debug", [False, True])
def test_unhandled_error_on_dhis2_alias_has_dhis2_shape(client, monkeypatch, caplog, debug):
    monkeypatch.setattr("giamsat.api.dhis2.user_scope_units", _boom)
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="giamsat.api"):
        response = client.get("/api/me")
    assert response.status_code == 500
    body = response.json()
    assert {k: body[k] for k in ("httpStatus", "httpStatusCode", "status")} == {
        "httpStatus": "Internal Server Error",
        "httpStatusCode": 500,
        "status": "ERROR",
    }
    assert body["errorId"] in body["message"]
    assert "Traceback" not in response.content.decode()
    _assert_logged_once_with_traceback(caplog, body["errorId"])


def test_expected_errors_keep_their_own_answers(client):
    assert client.get("/api/v1/orgunits/NOPE").status_code == 404
    assert Client().get("/api/v1/me").json()["code"] == "unauthenticated"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize("path", ["/api/v1/dataValueSets", "/api/dataValueSets"])
def test_body_over_the_upload_limit_is_a_json_413(client, path):
    body = '{"dataValues": [' + ",".join(['{"dataElement": "DOSSIERS_TOTAL"}'] * 100) + "]}"
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 413
    data = response.json()
    message = data.get("detail") or data["message"]
    assert "1000" in message and "DATA_UPLOAD_MAX_MEMORY_SIZE" in message
    if path.startswith("/api/v1/"):
        assert data["code"] == "too_large"
    else:
        assert data["httpStatusCode"] == 413 and data["status"] == "ERROR"
