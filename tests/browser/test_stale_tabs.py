"""Two browser tabs (two contexts) on one annual return and on one library profile: saves of different fields both
land; saves of the same field show the second tab a conflict with both values, and what it typed stays."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_journeys import fill_return
from tests.returns.test_api import GOOD

pytestmark = pytest.mark.real_commits


@pytest.fixture
def two_tabs(browser, live_server):
    contexts = [browser.new_context(base_url=live_server, locale="en-US") for _ in range(2)]
    tabs = []
    for context in contexts:
        tab = context.new_page()
        tab.set_default_timeout(15000)
        sign_in(tab, "admin")
        tabs.append(tab)
    yield tabs
    for context in contexts:
        context.close()


def test_two_tabs_on_one_return(two_tabs):
    tab_a, tab_b = two_tabs
    url = "/libraries/KAZNU/returns/2024"
    tab_a.goto(url)
    fill_return(tab_a, GOOD)
    tab_a.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in tab_a.locator(".flash").inner_text()

    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.fill("[name=students_fte]", "27777")
    tab_a.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in tab_a.locator(".flash").inner_text()
    tab_b.fill("[name=academic_staff]", "555")  # opened before A saved: a different field
    tab_b.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in tab_b.locator(".flash").inner_text()
    tab_a.goto(url)
    assert tab_a.locator("[name=students_fte]").input_value() == "27777"
    assert tab_a.locator("[name=academic_staff]").input_value() == "555"

    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.fill("[name=students_fte]", "30001")
    tab_a.get_by_role("button", name="Save draft").click()
    assert "Draft saved." in tab_a.locator(".flash").inner_text()
    tab_b.fill("[name=students_fte]", "30002")  # the same field
    tab_b.get_by_role("button", name="Save draft").click()
    conflict = tab_b.locator("#conflict").inner_text()
    assert "30001" in conflict and "30002" in conflict
    assert tab_b.locator("[name=students_fte]").input_value() == "30002"  # what B typed stays
    tab_a.goto(url)
    assert tab_a.locator("[name=students_fte]").input_value() == "30001"  # nothing was overwritten


def test_two_tabs_on_one_library_profile(two_tabs):
    tab_a, tab_b = two_tabs
    url = "/libraries/SATBAYEV/edit"
    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.fill("[name=phone]", "+7 727 000 00 01")
    tab_a.get_by_role("button", name="Save").click()
    assert "Library saved." in tab_a.locator(".flash").inner_text()
    tab_b.fill("[name=address]", "Satpaev street 22")
    tab_b.get_by_role("button", name="Save").click()
    assert "Library saved." in tab_b.locator(".flash").inner_text()
    tab_a.goto(url)
    assert tab_a.locator("[name=phone]").input_value() == "+7 727 000 00 01"
    assert tab_a.locator("[name=address]").input_value() == "Satpaev street 22"

    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.fill("[name=phone]", "+7 727 111 11 11")
    tab_a.get_by_role("button", name="Save").click()
    assert "Library saved." in tab_a.locator(".flash").inner_text()
    tab_b.fill("[name=phone]", "+7 727 222 22 22")
    tab_b.get_by_role("button", name="Save").click()
    conflict = tab_b.locator("#conflict").inner_text()
    assert "+7 727 111 11 11" in conflict and "+7 727 222 22 22" in conflict
    assert tab_b.locator("[name=phone]").input_value() == "+7 727 222 22 22"
    tab_a.goto(url)
    assert tab_a.locator("[name=phone]").input_value() == "+7 727 111 11 11"
