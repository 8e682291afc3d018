"""A live server on its own database, and Debian's Chromium driven by Playwright, for the browser journeys."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.conftest import empty_database

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"
PASSWORD = "browser journeys password"

ACCOUNTS = {
    "admin": ("admin@browser.test", "Ainur Admin", ["admin"], [], None),
    "coordinator": ("coordinator@browser.test", "Dana Coordinator", ["coordinator"], [], None),
    "observer": ("observer@browser.test", "Marat Observer", ["observer"], [], None),
    "chair": ("chair@browser.test", "Saule Chair", [], [("REG", True)], None),
    "member": ("member@browser.test", "Yerlan Member", [], [("REG", False)], None),
    "rep": ("rep@browser.test", "Asel Representative", ["library_rep"], [], "NU"),
}


@pytest.fixture(scope="session")
def live_database(tmp_path_factory) -> Iterator[str]:
    with empty_database(tmp_path_factory.mktemp('db'), "assoc_browser") as url:
        yield url


@pytest.fixture(scope="session")
def live_server(live_database) -> Iterator[str]:
    """The application served on a free local port, migrated and seeded, with one account per role."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=live_database)
    with app.app_context():
        flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
        load_reference_data()
        for email, name, roles, committees, library in ACCOUNTS.values():
            create_user(email, name, PASSWORD, roles, committees=committees, library_code=library)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, role: str) -> None:
    sign_in_as(page, ACCOUNTS[role][0])


def sign_in_as(page, address: str, choose_language: str | None = None) -> None:
    page.goto("/login")
    if choose_language:  # picked on the login page, before signing in: the account keeps it
        page.select_option("#locale-switch", choose_language)
        page.locator("form.language button").click()
        page.wait_for_url("**/login*")
    page.fill("input[name=email]", address)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def fill_return(page, values: dict) -> None:
    """Type a return's values into its form, as a person would (yes/no and choices by their select)."""
    for code, value in values.items():
        field = page.locator(f"[name={code}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option({True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value)
        else:
            field.fill(str(value))


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def clear_screenshots() -> None:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)


os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
