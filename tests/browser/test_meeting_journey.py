"""A committee meeting in a real browser: the chair plans it, sends the invitations (each invitee gets an e-mail with
the .ics), attaches a material and downloads it intact, marks the meeting held, writes the minutes and attendance,
records a decision that creates a task, publishes the minutes; an observer then reads them, and the task's history
names the meeting."""

from __future__ import annotations

import email
import hashlib
from collections.abc import Iterator

import flask_migrate
import pytest

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.browser.conftest import PASSWORD, screenshot
from tests.conftest import empty_database
from tests.samples import PDF, Inbox, serving, smtp_inbox

pytestmark = pytest.mark.real_commits

PEOPLE = {
    "chair": ("meeting-chair@browser.test", "Saule Chair", [], [("REG", True)]),
    "member": ("meeting-member@browser.test", "Yerlan Member", [], [("REG", False)]),
    "observer": ("meeting-observer@browser.test", "Marat Observer", ["observer"], []),
}


@pytest.fixture(scope="module")
def mail_and_server(tmp_path_factory) -> Iterator[tuple[str, list]]:
    """Its own live server (on its own database and storage folder), sending to a local SMTP inbox."""
    handler = Inbox()
    folder = tmp_path_factory.mktemp("meeting_journey")
    with smtp_inbox(handler) as port, empty_database(folder, "assoc_i19_browser") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                         FILE_STORAGE_PATH=str(folder / "files"))
        with app.app_context():
            flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
            load_reference_data()
            for address, name, roles, committees in PEOPLE.values():
                create_user(address, name, PASSWORD, roles, committees=committees)
            db.session.commit()
        try:
            with serving(app) as base_url:
                yield base_url, handler.messages
        finally:
            with app.app_context():
                db.engine.dispose()


def signed_in_page(browser, base_url: str, who: str):
    context = browser.new_context(base_url=base_url, locale="en-US", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login")
    page.fill("input[name=email]", PEOPLE[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    return context, page


def test_a_meeting_from_invitation_to_published_minutes_with_a_decision_creating_a_task(browser, mail_and_server,
                                                                                      tmp_path):
    base_url, inbox = mail_and_server
    context, page = signed_in_page(browser, base_url, "chair")
    page.goto("/committees/REG")
    page.get_by_role("link", name="Meetings").first.click()
    page.fill("input[name=starts_at]", "2026-12-15T10:00")
    page.fill("input[name=place]", "Room 204, Nazarbayev University Library")
    page.fill("textarea[name=agenda]", "Model regulation on open access\n1.2")
    page.get_by_role("button", name="Plan").click()
    assert "Meeting planned." in page.locator(".flash").inner_text()
    meeting_url = page.url

    page.get_by_role("button", name="Send the invitations").click()
    assert "2 invitations sent." in page.locator(".flash").inner_text()
    assert sorted(message["To"] for message in inbox) == sorted([PEOPLE["chair"][0], PEOPLE["member"][0]])
    parsed = email.message_from_bytes(inbox[0].as_bytes())
    calendars = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert calendars and b"Room 204" in calendars[0].get_payload(decode=True)
    screenshot(page, "meeting-planned")

    material = tmp_path / "agenda.pdf"
    material.write_bytes(PDF)
    page.set_input_files("input#material", str(material))
    page.get_by_role("button", name="Attach").click()
    assert "File attached." in page.locator(".flash").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="agenda.pdf").click()
    downloaded = download_info.value.path().read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(PDF).hexdigest()

    page.get_by_role("button", name="Mark as held").click()
    page.locator("textarea[name^=minutes-]").first.fill("The draft was discussed; open access is agreed.")
    page.get_by_label("Yerlan Member").check()
    page.get_by_role("button", name="Save minutes and attendance").click()
    assert "Meeting saved." in page.locator(".flash").inner_text()

    page.fill("textarea#decision-text", "Prepare the model regulation on open access")
    page.select_option("select#decision-item", index=1)
    page.fill("input#new-code", "1.96")
    page.fill("input#new-title", "Model regulation on open access")
    page.fill("input#new-direction", "1")
    page.fill("input#new-due", "2026-06-30")
    page.get_by_role("button", name="Record the decision").click()
    assert "Decision recorded." in page.locator(".flash").inner_text()
    page.get_by_role("button", name="Publish the minutes").click()
    assert page.locator("#meeting-status").inner_text() == "Minutes published"
    assert page.locator("textarea").count() == 0  # read-only now
    screenshot(page, "meeting-published")
    context.close()

    context, page = signed_in_page(browser, base_url, "observer")
    page.goto(meeting_url)
    text = page.locator("main").inner_text()
    assert "The draft was discussed; open access is agreed." in text
    assert "Prepare the model regulation on open access" in text
    page.get_by_role("link", name="1.96").first.click()
    assert "Decided at the meeting of REG on 2026-12-15" in page.locator("ol.history").inner_text()
    context.close()
