"""scratch"""
import pytest

import tests.queue.test_console_phone_look_browser as m
from tests.queue.test_console_browser import browser, db_url, kiosk, server, shots  # noqa: F401

pytestmark = pytest.mark.browser


def test_en(server, kiosk, browser, shots, monkeypatch):  # noqa: F811
    orig = m.small_phone

    def small_phone(browser, url, user):  # noqa: F811
        page = orig(browser, url, user)
        page.goto(url + "/console/?lang=en")
        page.wait_for_selector("#login:not([hidden])")
        return page
    monkeypatch.setattr(m, "small_phone", small_phone)
    try:
        m.test_a_helpers_day_on_a_360_px_phone_fits_and_is_tappable(server, kiosk, browser, shots)
    except AssertionError as e:
        print("PROBLEMS", e)
