"""Bad requests get clear pages, never a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_expired_form_gets_a_clear_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Tải lại trang" in response.content.decode()


def test_unknown_page_is_a_vietnamese_404(client_a):
    response = client_a.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_healthz():
    assert Client().get("/healthz").json()["status"] == "ok"
