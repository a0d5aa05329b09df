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


def click_on_map(page, chart_id: str, lon_lat) -> None:
    """Click the map `chart_id` at a longitude/latitude, the way a person would.

    A click at pixels is only as good as the layout it was measured on: wait until nothing
    moves any more (fonts, network, the chart at its box's size), bring the point to the middle
    of the window, check that the map is what sits under it, then click there at once.
    """
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """id => {
            const chart = window.GiamSatMaps && window.GiamSatMaps.charts[id];
            const el = document.getElementById(id);
            return document.fonts.status === "loaded" && chart && el
                && chart.getWidth() === el.clientWidth && chart.getHeight() === el.clientHeight;
        }""",
        arg=chart_id,
    )
    point = page.evaluate(
        """([id, lonLat]) => {
            const chart = window.GiamSatMaps.charts[id];
            const el = document.getElementById(id);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, lonLat);
            const before = el.getBoundingClientRect();
            window.scrollBy(0, before.top + y - window.innerHeight / 2);
            const box = el.getBoundingClientRect();
            const hit = document.elementFromPoint(box.left + x, box.top + y);
            return {x: box.left + x, y: box.top + y, onMap: Boolean(hit && el.contains(hit))};
        }""",
        [chart_id, list(lon_lat)],
    )
    assert point["onMap"], f"the point {lon_lat} is not on the map #{chart_id}: {point}"
    page.mouse.click(point["x"], point["y"])
