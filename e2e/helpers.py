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


def artifacts_dir():
    """Where browser tests keep their screenshots: var/artifacts/, or GIAMSAT_ARTIFACTS_DIR."""
    import os
    from pathlib import Path

    from django.conf import settings

    folder = Path(os.environ.get("GIAMSAT_ARTIFACTS_DIR", settings.BASE_DIR / "var" / "artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str, *, full_page: bool = False):
    """Keep a screenshot of the page as an artifact (PNG) and return its path."""
    path = artifacts_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
