"""Sign-in, the token pages, the user menu; cross-user token access is refused."""

import pytest
from django.test import Client

from giamsat.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from giamsat.accounts.models import ApiToken, User
from giamsat.accounts.services import token_create

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese():
    html = Client().get("/accounts/login/").content.decode()
    assert "Đăng nhập" in html and "Mật khẩu" in html and "Tên đăng nhập" in html


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_demo_login_works(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_clearly():
    response = Client().post("/accounts/login/", {"username": "hanoi.baocao", "password": "sai"})
    assert response.status_code == 200
    assert "alert error" in response.content.decode()


def test_anonymous_home_redirects_to_login():
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_create_token_shows_it_once(client_a, user_a):
    response = client_a.post("/accounts/tokens/", {"name": "Cổng dữ liệu Hà Nội", "days": 30})
    html = response.content.decode()
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user_a, name="Cổng dữ liệu Hà Nội")
    assert f"gs_{token.prefix}_" in html
    again = client_a.get("/accounts/tokens/").content.decode()
    assert f"gs_{token.prefix}_" not in again and f"gs_{token.prefix}…" in again


@pytest.mark.parametrize("data", [{"name": "", "days": 30}, {"name": "x", "days": 0}, {"name": "x", "days": "abc"}])
def test_bad_token_form_is_400_with_message(client_a, data):
    response = client_a.post("/accounts/tokens/", data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_user_cannot_revoke_another_users_token(client_a, user_b):
    token, raw = token_create(user=user_b, name="b")
    response = client_a.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_owner_revokes_token(client_a, user_a):
    token, _ = token_create(user=user_a, name="a")
    response = client_a.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_revoke_needs_post(client_a, user_a):
    token, _ = token_create(user=user_a, name="a")
    assert client_a.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405


def test_profile_and_navigation_by_role(client_a, client_admin):
    html = client_a.get("/accounts/profile/").content.decode()
    assert "Cán bộ báo cáo của Sở" in html
    assert "/admin/" not in client_a.get("/").content.decode()
    assert "/admin/" in client_admin.get("/").content.decode()


def test_logout_is_post_only(client_a):
    assert client_a.post("/accounts/logout/").status_code == 302
    assert client_a.get("/").status_code == 302


def test_token_page_shows_the_header_placeholder(client_a):
    html = client_a.get("/accounts/tokens/").content.decode()
    intro = html[html.index('data-testid="token-intro"') :]
    intro = intro[: intro.index("</p>")]
    assert "Authorization: Bearer &lt;mã truy cập&gt;" in intro
    assert "<mã" not in intro


def test_the_admin_names_permissions_in_vietnamese(client_admin):
    """Django stores permission names in English ("Can add data value"); the admin's pickers show
    them in the reader's language (issue 20)."""
    from django.contrib.auth.models import Permission
    from django.utils import translation

    from giamsat.accounts.admin import permission_label

    permission = Permission.objects.get(codename="add_datavalue")
    with translation.override("vi"):
        assert permission_label(permission) == "Báo cáo | Có thể thêm giá trị số liệu"
    with translation.override("en"):
        assert permission_label(permission) == "Reporting | Can add data value"
    page = client_admin.get("/admin/auth/group/add/").content.decode()
    assert "Có thể thêm giá trị số liệu" in page and "Can add data value" not in page


def test_a_unit_filter_offers_the_scope_root_and_the_units_just_below_it(user_a):
    """A provincial user: the province and its communes; the ministry: the country and the
    provinces in force (not the 63 former ones) (issue 20)."""
    import datetime as dt

    from giamsat.accounts.selectors import unit_filter_choices

    on = dt.date(2026, 12, 7)
    provincial = unit_filter_choices(user_a, on=on)
    assert provincial[0].code == "P01" and all(u.path.startswith(provincial[0].path) for u in provincial)
    assert len(provincial) > 10
    ministry = unit_filter_choices(User.objects.get(username="ministry.leader"), on=on)
    assert sum(u.type == "PROVINCE" for u in ministry) == 34
