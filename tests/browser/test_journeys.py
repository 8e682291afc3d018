"""What people do, in a real browser (Debian's Chromium, headless): every role signs in; a committee member
updates a task; a library fills its return, meets an error, fixes it and submits; the coordinator returns it with a
comment and later accepts it; the coordinator downloads the XLSX export; the interface switches to Kazakh."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import ACCOUNTS, screenshot, sign_in
from tests.returns.test_api import GOOD

pytestmark = pytest.mark.real_commits


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_role_signs_in_and_finds_its_work(page, role):
    sign_in(page, role)
    assert page.locator("h1").inner_text() == f"Welcome, {ACCOUNTS[role][1]}"
    nav = page.locator("header nav").inner_text()
    assert "Tasks" in nav and "Libraries" in nav and "Exports" in nav
    assert ("Users" in nav) == (role == "admin")
    assert ("Annual returns" in nav) == (role in ("admin", "coordinator", "observer", "rep"))
    if role in ("chair", "member"):
        assert page.get_by_role("heading", name="Open tasks of my committees").is_visible()
    if role == "rep":
        assert page.get_by_role("heading", name="My library").is_visible()
    screenshot(page, f"dashboard-{role}")


def test_committee_member_updates_a_task_and_sees_it_in_the_history(page):
    sign_in(page, "member")
    page.goto("/tasks?committee=REG")
    screenshot(page, "task-list")
    page.get_by_role("link", name="Draft the Model Regulations on the library of a higher education institution").click()
    page.select_option("select[name=status]", "in_progress")
    page.fill("input[name=progress_percent]", "45")
    page.fill("textarea[name=comment]", "Жоба үлгілік ережелері таратылды.")
    page.get_by_role("button", name="Save").click()
    assert "Task updated." in page.locator(".flash").inner_text()
    history = page.locator("ol.history").inner_text()
    assert "Planned → In progress" in history and "Жоба үлгілік ережелері таратылды." in history
    screenshot(page, "task-page")


def fill_return(page, values):
    for code, value in values.items():
        field = page.locator(f"[name={code}]")
        tag = field.evaluate("element => element.tagName")
        if tag == "SELECT":
            field.select_option({True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else str(value))
        else:
            field.fill(str(value))


def test_library_fills_fixes_and_submits_then_the_coordinator_reviews(browser, live_server, page):
    sign_in(page, "rep")
    page.goto("/libraries/NU/returns/2024")
    fill_return(page, {**GOOD, "staff_trained": 50})
    page.get_by_role("button", name="Save and submit").click()
    assert "Not submitted" in page.locator(".flash").inner_text()
    assert page.locator("#field-staff_trained .errors").is_visible()
    screenshot(page, "return-with-error")
    page.fill("[name=staff_trained]", "20")
    page.get_by_role("button", name="Save and submit").click()
    page.get_by_role("button", name="Submit the return").click()  # the confirmation step
    assert "Return submitted." in page.locator(".flash").inner_text()

    coordinator = browser.new_context(base_url=live_server, locale="en-US").new_page()
    sign_in(coordinator, "coordinator")
    coordinator.goto("/returns?year=2024")
    screenshot(coordinator, "review-queue")
    coordinator.locator("table a", has_text="NU").first.click()
    coordinator.fill("textarea[name=comment]", "Please check the number of visits.")
    coordinator.get_by_role("button", name="Return for correction").click()
    assert "returned for correction" in coordinator.locator(".flash").inner_text()

    page.goto("/libraries/NU/returns/2024")
    assert "Please check the number of visits." in page.locator("main").inner_text()
    page.fill("[name=visits_physical]", "181000")
    page.get_by_role("button", name="Save and submit").click()
    page.get_by_role("button", name="Submit the return").click()
    assert "Return submitted." in page.locator(".flash").inner_text()

    coordinator.reload()
    coordinator.get_by_role("button", name="Accept").click()
    assert "accepted" in coordinator.locator(".flash").inner_text()
    assert "Accepted" in coordinator.locator("dl.facts").inner_text()
    coordinator.context.close()


def test_coordinator_downloads_the_xlsx_export(page):
    sign_in(page, "coordinator")
    page.goto("/exports")
    screenshot(page, "exports")
    with page.expect_download() as download_info:
        page.locator("form[action$='/exports/progress'] button").click()
    download = download_info.value
    assert download.suggested_filename.startswith("progress-") and download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert book.sheetnames == ["Summary", "Tasks", "Libraries", "Annual returns"]


def test_switch_to_kazakh(page):
    sign_in(page, "observer")
    page.select_option("#locale-switch", "kk")
    page.locator("form.language button").click()
    assert page.locator("html").get_attribute("lang") == "kk"
    assert "Басқару тақтасы" in page.locator("header nav").inner_text()
    assert "Қош келдіңіз" in page.locator("h1").inner_text()
    page.goto("/libraries/NU")
    assert "Кітапхана деңгейіндегі шаралардың орындалуы" in page.locator("main").inner_text()
    screenshot(page, "library-kk")
    page.select_option("#locale-switch", "en")
    page.locator("form.language button").click()


def test_anonymous_sees_the_login_page(page):
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    assert page.locator("input[name=email]").is_visible()
    screenshot(page, "login")
