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


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def _friendly(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert heading in body
    assert "Page not found at" not in body and "URLconf" not in body and "Using the URLconf" not in body


def test_unknown_address_is_a_vietnamese_404_even_with_debug(debug, client_a):
    _friendly(client_a.get("/evaluation/khong-co/"), 404, "Không tìm thấy trang")


def test_a_missing_object_is_a_vietnamese_404_even_with_debug(debug, client_a):
    _friendly(client_a.get("/evaluation/explain/ADULT_EID_RATE/P01/2019Q1/"), 404, "Không tìm thấy trang")


def test_refusal_is_a_vietnamese_403_even_with_debug(debug, client_a):
    from django.utils import translation

    with translation.override("vi"):
        heading = translation.gettext("You do not have access to this page")
    _friendly(client_a.get("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/"), 403, heading)


def test_api_404_stays_json_with_debug(debug, client_a):
    response = client_a.get("/api/v1/evaluation/scorecards/NOPE")
    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url", ["/accounts/logout/", "/reports/open/", "/alerts/acknowledge/", "/notifications/read/"])
def test_a_form_only_address_opened_in_the_browser_is_a_page_with_a_way_back(client_a, url):
    """It answered 405 with an empty body, a blank dead end (issue 20)."""
    response = client_a.get(url)
    body = response.content.decode()
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert "Địa chỉ này chỉ nhận dữ liệu gửi từ biểu mẫu" in body and 'href="/"' in body


def test_the_api_keeps_its_own_405(client_a):
    response = client_a.delete("/api/v1/orgunits")
    assert response.status_code in (401, 404, 405) and "Địa chỉ này" not in response.content.decode()
