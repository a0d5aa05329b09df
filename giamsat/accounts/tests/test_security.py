"""Sign-in lockout, password change and reset, session timeouts.

Failed attempts are database rows (django-axes), rolled back after each test like any other, so
no test can lock another out. Time is never waited for: attempt times and session stamps are
moved back instead.
"""

import datetime as dt
import re
import time

import pytest
from axes.models import AccessAttempt
from django.test import Client

from giamsat.accounts.demo import DEMO_PASSWORD
from giamsat.accounts.middleware import LAST_ACTIVITY_KEY, STARTED_KEY, session_expiry_reason
from giamsat.accounts.models import User
from giamsat.accounts.services import user_unlock

pytestmark = pytest.mark.django_db

USERNAME = "hanoi.baocao"
NEW_PASSWORD = "Trạm-Kiểm-Soát-2027"
LOCKED_VI = "Đăng nhập đã bị khóa tạm thời do nhập sai mật khẩu quá nhiều lần"


def _login(client: Client, username: str = USERNAME, password: str = DEMO_PASSWORD, path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


def _fail(client: Client, times: int, username: str = USERNAME, path: str = "/accounts/login/"):
    return [_login(client, username, "sai-mat-khau", path).status_code for _ in range(times)]


# Lockout ----------------------------------------------------------------------------------------


def test_six_wrong_passwords_lock_the_account_then_the_right_one_fails_in_vietnamese():
    client = Client()
    codes = _fail(client, 6)
    assert codes[:4] == [200] * 4  # the form again, with "wrong password"
    assert codes[5] == 429
    response = _login(client)
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED_VI in html and "15 phút" in html and "liên hệ quản trị viên" in html
    assert 'data-testid="login-locked"' in html
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_from_another_address_too():
    _fail(Client(REMOTE_ADDR="10.0.0.1"), 5)
    assert _login(Client(REMOTE_ADDR="10.0.0.2")).status_code == 429


def test_the_address_is_locked_for_every_account():
    client = Client(REMOTE_ADDR="10.0.0.3")
    for name in ["khong.co.1", "khong.co.2", "khong.co.3", "khong.co.4", "khong.co.5"]:
        _fail(client, 1, username=name)
    assert _login(client, "hanoi.lanhdao").status_code == 429
    # The same account from elsewhere is not affected.
    assert _login(Client(REMOTE_ADDR="10.0.0.4"), "hanoi.lanhdao").status_code == 302


def test_four_failures_then_success_resets_the_count():
    client = Client()
    _fail(client, 4)
    assert _login(client).status_code == 302
    client = Client()
    _fail(client, 4)
    assert _login(client).status_code == 302


def test_lockout_ends_after_the_wait():
    client = Client()
    _fail(client, 5)
    assert _login(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _login(client).status_code == 302


def test_lockout_until_unlock_says_contact_the_administrator(settings):
    settings.AXES_COOLOFF_TIME = None
    client = Client()
    _fail(client, 5)
    html = _login(client).content.decode()
    assert (
        "Vui lòng liên hệ quản trị viên để mở khóa tài khoản" in html
        and "phút" not in html.split("login-locked")[1][:200]
    )


def test_admin_unlock_action(client_admin):
    _fail(Client(REMOTE_ADDR="10.0.0.5"), 5)
    user = User.objects.get(username=USERNAME)
    assert _login(Client(REMOTE_ADDR="10.0.0.6")).status_code == 429
    response = client_admin.post(
        "/admin/accounts/user/", {"action": "unlock_sign_in", "_selected_action": [user.pk]}, follow=True
    )
    assert "Đã mở khóa đăng nhập cho 1 người dùng" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=USERNAME).exists()
    assert _login(Client(REMOTE_ADDR="10.0.0.6")).status_code == 302


def test_axes_admin_lists_attempts_in_vietnamese(client_admin):
    _fail(Client(), 2)
    response = client_admin.get("/admin/axes/accessattempt/")
    assert response.status_code == 200 and "lần đăng nhập sai" in response.content.decode()


def test_unlock_service():
    _fail(Client(), 5)
    assert user_unlock(user=User.objects.get(username=USERNAME)) == 1
    assert _login(Client()).status_code == 302


def test_admin_sign_in_is_under_the_same_rules():
    client = Client()
    _fail(client, 5, username="quantri", path="/admin/login/")
    response = _login(client, "quantri", path="/admin/login/")
    assert response.status_code == 429 and LOCKED_VI in response.content.decode()
    # The lock is on the account: the site's own sign-in refuses it as well.
    assert _login(client, "quantri").status_code == 429


def test_api_token_keeps_working_while_sign_in_is_locked(user_a, token_a):
    _fail(Client(), 6, username=user_a.username)
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token_a}"})
    assert response.status_code == 200


# Password change --------------------------------------------------------------------------------


def test_profile_and_user_menu_link_to_password_change(client_a):
    html = client_a.get("/accounts/profile/").content.decode()
    assert 'href="/accounts/password/change/"' in html and "Đổi mật khẩu" in html


def test_password_change_requires_sign_in():
    response = Client().get("/accounts/password/change/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_password_change_flow():
    client = Client()
    assert _login(client).status_code == 302
    page = client.get("/accounts/password/change/").content.decode()
    assert "Mật khẩu cũ" in page and "Mật khẩu mới" in page
    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "khong-dung", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "Mật khẩu cũ không chính xác" in wrong.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert "Mật khẩu của bạn đã được thay đổi" in response.content.decode()  # still signed in
    assert User.objects.get(username=USERNAME).check_password(NEW_PASSWORD)
    assert _login(Client(), password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("abc", "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 8 ký tự"),
        ("password123", "Mật khẩu này quá phổ biến"),
        ("83729105", "Mật khẩu này hoàn toàn là số"),
        ("hanoi.baocao1", "Mật khẩu quá giống với"),
    ],
)
def test_password_rules_speak_vietnamese(new_password, message):
    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    response = client.post(
        "/accounts/password/change/",
        {"old_password": DEMO_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert User.objects.get(username=USERNAME).check_password(DEMO_PASSWORD)


# Password reset ---------------------------------------------------------------------------------


def _reset_link(mailoutbox) -> str:
    (mail,) = mailoutbox
    return re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.body).group(1)


def test_password_reset_by_email(mailoutbox):
    client = Client()
    page = client.get("/accounts/password/reset/").content.decode()
    assert "Đặt lại mật khẩu" in page
    response = client.post("/accounts/password/reset/", {"email": f"{USERNAME}@giamsat.local"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert "Kiểm tra thư điện tử" in client.get(response["Location"]).content.decode()
    (mail,) = mailoutbox
    assert mail.subject == "GiamSat: đặt lại mật khẩu" and mail.to == [f"{USERNAME}@giamsat.local"]
    assert "Xin chào Lê Minh Châu" in mail.body
    form = client.get(_reset_link(mailoutbox), follow=True)
    assert "Đặt mật khẩu mới" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/complete/"
    assert "Đã đổi mật khẩu" in client.get(done["Location"]).content.decode()
    assert _login(Client(), password=NEW_PASSWORD).status_code == 302
    # The link works once.
    again = client.get(_reset_link(mailoutbox), follow=True).content.decode()
    assert "Đường dẫn không còn hiệu lực" in again


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(mailoutbox):
    response = Client().post("/accounts/password/reset/", {"email": "khong.ai@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mailoutbox == []


def test_password_reset_applies_the_rules(mailoutbox):
    client = Client()
    client.post("/accounts/password/reset/", {"email": f"{USERNAME}@giamsat.local"})
    set_url = client.get(_reset_link(mailoutbox), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and "Mật khẩu này quá phổ biến" in response.content.decode()


def test_password_reset_unlocks_sign_in(mailoutbox):
    _fail(Client(), 5)
    client = Client()
    client.post("/accounts/password/reset/", {"email": f"{USERNAME}@giamsat.local"})
    set_url = client.get(_reset_link(mailoutbox), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _login(Client(), password=NEW_PASSWORD).status_code == 302


def test_login_page_links_to_password_reset():
    assert 'href="/accounts/password/reset/"' in Client().get("/accounts/login/").content.decode()


# Session timeouts -------------------------------------------------------------------------------

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "started, last_activity, expected",
    [
        (NOW - 60, NOW - 60, None),
        (NOW - 3600, NOW - 29 * 60, None),
        (NOW - 3600, NOW - 31 * 60, "idle"),
        (NOW - 13 * 3600, NOW - 60, "age"),
        (NOW - 11 * 3600, NOW - 60, None),
        (None, None, None),  # a session signed in before the middleware: stamped on this request
    ],
)
def test_session_expiry_reason(started, last_activity, expected):
    assert session_expiry_reason(started=started, last_activity=last_activity, now=NOW) == expected


def _age_session(client: Client, **stamps: float) -> None:
    session = client.session
    for key, value in stamps.items():
        session[key] = value
    session.save()


def test_sign_in_starts_the_session_clocks(client_a):
    """Stamped at sign-in (force_login too), so the first page does not save the session again."""
    assert client_a.session[STARTED_KEY] == client_a.session[LAST_ACTIVITY_KEY] > time.time() - 60


def test_idle_session_is_signed_out_with_a_message(client_a):
    assert client_a.get("/").status_code == 200
    assert client_a.session[LAST_ACTIVITY_KEY] > 0 and client_a.session[STARTED_KEY] > 0
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 31 * 60})
    response = client_a.get("/units/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/units/"
    page = client_a.get(response["Location"]).content.decode()
    assert "Bạn đã được đăng xuất sau 30 phút không hoạt động" in page
    assert client_a.get("/").status_code == 302  # really signed out


def test_active_session_stays_signed_in(client_a):
    client_a.get("/")
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 29 * 60})
    assert client_a.get("/").status_code == 200
    assert client_a.session[LAST_ACTIVITY_KEY] > time.time() - 60  # the stamp moved on


def test_idle_timeout_follows_the_setting(client_a, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    client_a.get("/")
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 6 * 60})
    assert client_a.get("/").status_code == 302


def test_old_session_ends_even_when_active(client_a):
    client_a.get("/")
    _age_session(client_a, **{STARTED_KEY: time.time() - 13 * 3600})
    response = client_a.get("/")
    assert response.status_code == 302
    assert "Phiên làm việc đã hết hạn" in client_a.get(response["Location"]).content.decode()


def test_idle_htmx_request_redirects_the_page(client_a):
    client_a.get("/")
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 31 * 60})
    response = client_a.get("/units/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_idle_session_on_the_api_answers_401(client_a):
    client_a.get("/")
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 31 * 60})
    assert client_a.get("/api/v1/me").status_code == 401


def test_api_token_requests_are_not_timed(client_a, token_a):
    client_a.get("/")
    _age_session(client_a, **{LAST_ACTIVITY_KEY: time.time() - 31 * 60})
    response = client_a.get("/api/v1/me", headers={"Authorization": f"Bearer {token_a}"})
    assert response.status_code == 200
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token_a}"}).status_code == 200


def test_session_cookie_lifetime_defaults():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
