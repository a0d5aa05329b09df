"""Two-step verification (TOTP): set-up from the profile, the sign-in's second step, the lockout,
the admin reset, compulsory roles, and API tokens left alone.

Codes are computed from the device's key as the app would (giamsat.testing.totp); a device takes
each time step once, so a second code in the same test is the next step's (steps_ahead=1).
"""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from giamsat.accounts.models import User
from giamsat.accounts.selectors import totp_device_confirmed, totp_device_pending
from giamsat.accounts.services import SecondFactorError, totp_reset, totp_setup_start
from giamsat.testing.fixtures import PASSWORD
from giamsat.testing.totp import totp_code

pytestmark = pytest.mark.django_db

LEADER = "a.leader"
VERIFY = "/accounts/two-factor/verify/"


def _device_for(username: str) -> TOTPDevice:
    user = User.objects.get(username=username)
    device = totp_setup_start(user=user)
    device.confirmed = True
    device.save()
    return device


def _password_step(client: Client, username: str = LEADER, path: str = "/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": PASSWORD, **extra})


def _fresh(device: TOTPDevice) -> TOTPDevice:
    return TOTPDevice.objects.get(pk=device.pk)


def _wrong_code(device: TOTPDevice) -> str:
    """Six digits the device accepts at no time step near now."""
    near = {totp_code(device, steps_ahead=n) for n in (-2, -1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in near)


# Set-up from the profile ------------------------------------------------------------------------


def test_leader_turns_it_on_with_a_right_code_only():
    client = Client()
    client.force_login(User.objects.get(username=LEADER))
    profile = client.get("/accounts/profile/").content.decode()
    assert "Xác thực hai bước" in profile and 'data-testid="second-factor-link"' in profile

    assert client.post("/accounts/two-factor/setup/").status_code == 302
    page = client.get("/accounts/two-factor/")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # drawn here, no outside service
    device = totp_device_pending(User.objects.get(username=LEADER))
    secret = re.search(r'data-testid="second-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32

    wrong = client.post("/accounts/two-factor/confirm/", {"code": _wrong_code(device)})
    assert wrong.status_code == 400
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    assert totp_device_confirmed(device.user) is None

    right = client.post("/accounts/two-factor/confirm/", {"code": totp_code(device)})
    assert right.status_code == 302 and right["Location"] == "/accounts/profile/"
    assert totp_device_confirmed(device.user) is not None
    # The session that turned it on stays signed in.
    assert client.get("/").status_code == 200


def test_a_reporter_cannot_turn_it_on(client_a, user_a):
    assert "second-factor-link" not in client_a.get("/accounts/profile/").content.decode()
    assert client_a.get("/accounts/two-factor/").status_code == 403
    assert client_a.post("/accounts/two-factor/setup/").status_code == 403
    assert not TOTPDevice.objects.filter(user=user_a).exists()
    with pytest.raises(SecondFactorError):
        totp_setup_start(user=user_a)


def test_turning_it_off_needs_a_code_or_the_password():
    device = _device_for(LEADER)
    client = Client()
    _password_step(client)
    client.post(VERIFY, {"code": totp_code(device)})
    refused = client.post("/accounts/two-factor/disable/", {"code": "", "password": "sai-mat-khau"})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(pk=device.pk).exists()
    done = client.post("/accounts/two-factor/disable/", {"password": PASSWORD})
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=device.user).exists()


# Sign-in ----------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_then_lands_on_the_home_page():
    device = _device_for(LEADER)
    client = Client()
    response = _password_step(client)
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(VERIFY)
    page = client.get(follow["Location"])
    assert page.status_code == 200 and "Nhập mã 6 chữ số" in page.content.decode()

    wrong = client.post(VERIFY, {"code": "12345x"})
    assert wrong.status_code == 200 and "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()

    right = client.post(VERIFY, {"code": totp_code(_fresh(device)), "next": "/"})
    assert right.status_code == 302 and right["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/accounts/profile/", "/reports/", "/admin/", "/accounts/two-factor/"])
def test_pages_are_unreachable_before_the_code(path):
    _device_for(LEADER)
    client = Client()
    _password_step(client)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)


def test_the_session_api_is_refused_before_the_code():
    _device_for(LEADER)
    client = Client()
    _password_step(client)
    assert client.get("/api/v1/me").status_code == 401


def test_htmx_requests_are_sent_to_the_code_page():
    _device_for(LEADER)
    client = Client()
    _password_step(client)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == VERIFY


def test_sign_out_is_reachable_before_the_code():
    _device_for(LEADER)
    client = Client()
    _password_step(client)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_asks_for_the_code_too():
    device = _device_for("admin")
    client = Client()
    response = _password_step(client, "admin", path="/admin/login/", next="/admin/")
    assert response.status_code == 302
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_count_towards_the_sign_in_lockout():
    from axes.models import AccessAttempt

    device = _device_for(LEADER)
    client = Client()
    _password_step(client)
    statuses = [client.post(VERIFY, {"code": _wrong_code(device)}).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4
    assert statuses[4] == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=LEADER).get().failures_since_start == 5
    # Locked: even the right password is refused now.
    assert _password_step(Client()).status_code == 429


def test_without_axes_five_wrong_codes_send_back_to_the_password(settings):
    settings.AXES_ENABLED = False
    device = _device_for(LEADER)
    client = Client()
    _password_step(client)
    for _ in range(4):
        assert client.post(VERIFY, {"code": _wrong_code(device)}).status_code == 200
    last = client.post(VERIFY, {"code": _wrong_code(device)})
    assert last.status_code == 302 and last["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert "Nhập sai mã quá nhiều lần" in client.get("/accounts/login/").content.decode()


def test_after_a_wrong_code_the_device_makes_the_next_one_wait(settings):
    from axes.models import AccessAttempt

    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = _device_for(LEADER)
    client = Client()
    _password_step(client)
    client.post(VERIFY, {"code": _wrong_code(device)})
    waiting = client.post(VERIFY, {"code": totp_code(_fresh(device))})
    assert waiting.status_code == 200 and "hãy chờ vài giây" in waiting.content.decode()
    # Only the wrong code counted as a failed sign-in.
    assert AccessAttempt.objects.get(username=LEADER).failures_since_start == 1


def test_a_user_without_a_device_signs_in_with_the_password_alone():
    client = Client()
    response = _password_step(client)
    assert client.get(response["Location"]).status_code == 200


# Administration ---------------------------------------------------------------------------------


def test_admin_resets_a_lost_phone(client_admin):
    device = _device_for(LEADER)
    response = client_admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [device.user_id]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đã đặt lại xác thực hai bước cho 1 người dùng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user_id=device.user_id).exists()
    client = Client()
    response = _password_step(client)
    assert client.get(response["Location"]).status_code == 200


def test_only_an_administrator_may_reset():
    device = _device_for(LEADER)
    with pytest.raises(SecondFactorError):
        totp_reset(user=device.user, by=User.objects.get(username="ministry.leader"))


def test_device_admin_hides_the_secret(client_admin):
    device = _device_for(LEADER)
    html = client_admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in html


# Compulsory roles -------------------------------------------------------------------------------


def test_a_required_role_is_sent_to_set_it_up(settings):
    settings.TOTP_REQUIRED_ROLES = ["PROVINCE_LEADER"]
    client = Client()
    _password_step(client)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/")
    page = client.get("/accounts/two-factor/")
    assert 'data-testid="second-factor-required"' in page.content.decode()
    client.post("/accounts/two-factor/setup/")
    device = totp_device_pending(User.objects.get(username=LEADER))
    client.post("/accounts/two-factor/confirm/", {"code": totp_code(device)})
    assert client.get("/").status_code == 200
    # It cannot be turned off while the role requires it.
    refused = client.post("/accounts/two-factor/disable/", {"password": PASSWORD})
    assert refused.status_code == 400 and totp_device_confirmed(device.user) is not None


def test_a_role_not_required_is_not_sent(settings):
    settings.TOTP_REQUIRED_ROLES = ["ADMIN"]
    client = Client()
    response = _password_step(client)
    assert client.get(response["Location"]).status_code == 200


# API tokens -------------------------------------------------------------------------------------


def test_api_tokens_are_not_affected():
    from giamsat.accounts.services import token_create

    device = _device_for(LEADER)
    raw = token_create(user=device.user, name="script")[1]
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["username"] == LEADER
    # Nor by a half-signed-in session in the same client.
    client = Client()
    _password_step(client)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
