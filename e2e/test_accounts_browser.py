"""Accounts in a browser: a locked-out sign-in explains itself; a user changes their password
(the rules answer in Vietnamese); a leader turns on two-step verification and signs in with a code."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import sign_in
from giamsat.accounts.demo import DEMO_PASSWORD
from giamsat.accounts.models import User

pytestmark = pytest.mark.xdist_group("browser")


def test_wrong_passwords_lock_sign_in_with_a_vietnamese_message(page):
    page.goto(page.base_url + "/accounts/login/")
    for _ in range(5):
        page.get_by_label("Tên đăng nhập").fill("hanoi.lanhdao")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-locked")).to_contain_text("thử lại sau 15 phút")
    expect(page.get_by_test_id("forgot-password")).to_be_visible()


def test_user_changes_password_from_the_profile(page):
    sign_in(page, "hanoi.lanhdao")
    new_password = "Kiem-Soat-Truc-Tuyen-27"
    try:
        page.goto(page.base_url + "/accounts/profile/")
        page.get_by_test_id("password-change-link").click()
        expect(page.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
        page.get_by_label("Mật khẩu cũ").fill(DEMO_PASSWORD)
        page.get_by_label("Mật khẩu mới", exact=True).fill("12345678")
        page.get_by_label("Xác nhận mật khẩu mới").fill("12345678")
        page.get_by_test_id("password-change-submit").click()
        expect(page.get_by_test_id("field-errors")).to_contain_text("Mật khẩu này quá phổ biến")
        page.get_by_label("Mật khẩu cũ").fill(DEMO_PASSWORD)
        page.get_by_label("Mật khẩu mới", exact=True).fill(new_password)
        page.get_by_label("Xác nhận mật khẩu mới").fill(new_password)
        page.get_by_test_id("password-change-submit").click()
        expect(page.get_by_text("Mật khẩu của bạn đã được thay đổi.")).to_be_visible()
        expect(page.get_by_role("heading", name="Tài khoản của tôi")).to_be_visible()
    finally:
        # The live server commits: give the demo leader their documented password back.
        user = User.objects.get(username="hanoi.lanhdao")
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])


def test_leader_turns_on_two_step_verification_and_signs_in_with_a_code(page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from e2e.helpers import sign_out
    from giamsat.testing.totp import totp_code

    username = "hanoi.lanhdao"
    try:
        sign_in(page, username)
        page.goto(page.base_url + "/accounts/profile/")
        page.get_by_test_id("second-factor-link").click()
        expect(page.get_by_role("heading", name="Xác thực hai bước", exact=True)).to_be_visible()
        page.get_by_test_id("second-factor-start").click()
        expect(page.get_by_test_id("second-factor-qr")).to_be_visible()
        secret = page.get_by_test_id("second-factor-secret").inner_text().replace(" ", "")
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        assert len(secret) == 32
        page.get_by_label("Mã từ ứng dụng xác thực").fill(totp_code(device))
        page.get_by_test_id("second-factor-confirm").click()
        expect(page.get_by_text("Đã bật xác thực hai bước.")).to_be_visible()

        sign_out(page)
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_role("heading", name="Xác thực hai bước")).to_be_visible()
        # The code of the next time step: the one used to confirm is not accepted twice.
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.get_by_label("Mã từ ứng dụng xác thực").fill(totp_code(device, steps_ahead=1))
        page.get_by_test_id("second-factor-submit").click()
        expect(page.get_by_role("heading", name=re.compile("Xin chào"))).to_be_visible()
    finally:
        # The live server commits: leave the demo leader without a second factor for other tests.
        TOTPDevice.objects.filter(user__username=username).delete()
