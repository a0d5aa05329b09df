"""Steps the browser tests share."""

import re

from playwright.sync_api import expect

from giamsat.accounts.demo import DEMO_PASSWORD


def sign_in(page, username="hanoi.baocao"):
    page.goto(page.base_url + "/accounts/login/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("heading", name=re.compile("Xin chào"))).to_be_visible()


def sign_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
