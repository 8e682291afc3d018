"""Layout in Chromium: the header fits on one row at 1366 px in every language for every role, and no page scrolls
sideways at 390 px (wide tables scroll inside their own box)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from association.core.database import normalize_uri
from tests.browser.conftest import ACCOUNTS, PASSWORD, screenshot

LANGUAGES = ("kk", "ru", "en")

# The top of every item of the header (brand, each menu entry, the language form, the name, sign out) and its height.
HEADER_ROWS = """() => {
  const bar = document.querySelector('header.topbar');
  const items = [...bar.querySelectorAll('.brand, nav li, .tools > *')].filter(e => e.offsetParent !== null);
  return {height: bar.getBoundingClientRect().height,
          tops: items.map(e => Math.round(e.getBoundingClientRect().top)),
          bottoms: items.map(e => Math.round(e.getBoundingClientRect().bottom))};
}"""
SCROLL = "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"


@pytest.fixture
def languages_forgotten(live_database):
    """These tests save a language on every account (through the switch); the journeys after them expect the
    accounts as they were (no saved language, so Accept-Language decides): forget the saved ones afterwards."""
    yield
    engine = sa.create_engine(normalize_uri(live_database))
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET locale = NULL WHERE email LIKE '%@browser.test'"))
    engine.dispose()


def signed_in_page(browser, live_server, role: str, language: str, width: int):
    context = browser.new_context(base_url=live_server, locale=language, viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("input[name=email]", ACCOUNTS[role][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    # The account's saved language wins over Accept-Language (an earlier journey may have saved one): choose it.
    page.select_option("#locale-switch", language)
    with page.expect_navigation():
        page.click("form.language button[type=submit]")
    return context, page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_is_one_row_at_1366_px_for_every_role(browser, live_server, language, languages_forgotten):
    heights = {}
    for role in ACCOUNTS:
        context, page = signed_in_page(browser, live_server, role, language, 1366)
        try:
            assert page.locator("html").get_attribute("lang") == language
            measured = page.evaluate(HEADER_ROWS)
            # One row: every item starts below the others' tops end, i.e. they all overlap one band.
            assert max(measured["tops"]) < min(measured["bottoms"]), (role, measured)
            assert measured["height"] <= 72, (role, measured)
            heights[role] = measured["height"]
            if role == "admin":
                screenshot(page, f"header-1366-{language}")
        finally:
            context.close()
    assert len(heights) == len(ACCOUNTS)


PAGES_AT_390 = {
    "coordinator": ["/", "/tasks", "/tasks/1", "/committees/REG", "/libraries", "/libraries/NU", "/returns",
                    "/libraries/NU/returns/2024", "/exports", "/account", "/api/v1/docs"],
    "admin": ["/admin/users", "/admin/mail"],
    "rep": ["/", "/libraries/NU/returns/2024"],
}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_page_scrolls_sideways_at_390_px(browser, live_server, language, languages_forgotten):
    for role, paths in PAGES_AT_390.items():
        context, page = signed_in_page(browser, live_server, role, language, 390)
        try:
            for path in paths:
                page.goto(path)
                measured = page.evaluate(SCROLL)
                assert measured["scroll"] <= measured["client"], (role, path, measured)
            if role == "coordinator":
                page.goto("/tasks")
                screenshot(page, f"tasks-390-{language}")
        finally:
            context.close()


def test_the_site_has_a_favicon(page):
    page.goto("/login")
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text()
