"""A representative's year in Kazakh and in Russian, in Chromium: the dashboard's to-do → the return form (its
section index) → the submit confirmation → submitted; screenshots of each step under test-output/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ACCOUNTS, fill_return, screenshot, sign_in_as
from tests.returns.test_api import GOOD

pytestmark = pytest.mark.real_commits

# Each language submits its own year, so that the other journeys (the 2024 return) are left as they expect.
CASES = [("kk", 2023, "Есеп тапсырылды."), ("ru", 2022, "Отчёт сдан.")]


@pytest.mark.parametrize("locale, year, submitted", CASES)
def test_a_representative_goes_from_the_to_do_to_a_submitted_return(browser, live_server, locale, year, submitted):
    context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in_as(page, ACCOUNTS["rep"][0])
        assert page.locator("html").get_attribute("lang") == locale
        todo = page.locator("#todo-returns")
        assert todo.is_visible()
        screenshot(page, f"todo-rep-{locale}")
        todo.locator(f"a[href$='/returns/{year}']").click()
        page.wait_for_url(f"**/libraries/NU/returns/{year}")
        assert page.locator("#section-index").is_visible()
        fill_return(page, GOOD)
        screenshot(page, f"return-form-{locale}")
        page.locator("button[value=confirm]").click()
        page.wait_for_url(f"**/libraries/NU/returns/{year}/submit")
        assert page.locator("#confirm-submit").is_visible()
        screenshot(page, f"submit-confirmation-{locale}")
        page.locator("#confirm-submit button[type=submit]").click()
        page.wait_for_url(f"**/libraries/NU/returns/{year}")
        assert submitted in page.locator(".flash").inner_text()
        page.goto("/")
        assert page.locator(f"#todo-returns a[href$='/returns/{year}']").is_visible()
        screenshot(page, f"todo-rep-after-submit-{locale}")
    finally:
        context.close()
