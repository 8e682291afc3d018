"""The annual-return cycle in Chromium, in Kazakh and in Russian, with the e-mails it sends arriving at a real local
SMTP server (aiosmtpd): the representative's year (to-do → form → submit → returned with a comment → the e-mail →
fixed and submitted again → accepted → the e-mail) and the coordinator's (the review queue filtered by region, status
and lateness → the reminder preview → sent, to exactly the previewed addresses → a return returned, one accepted).
Screenshots of each step under test-output/screenshots/.

The module runs its own live server on its own database, so the mail it sends is its own; within it each language
works on its own libraries and years."""

from __future__ import annotations

import email.header
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.libraries.queries import get_library
from association.returns import operations
from association.returns.models import AnnualReturn
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.browser.conftest import PASSWORD, fill_return, screenshot, sign_in_as
from tests.conftest import empty_database
from tests.returns.test_api import GOOD
from tests.samples import Inbox, serving, smtp_inbox

pytestmark = pytest.mark.real_commits

COORDINATOR = ("cycle-coordinator@browser.test", "Dana Coordinator")


@dataclass
class Cycle:
    base_url: str
    inbox: list
    app: object

    def mail_to(self, address: str, since: int = 0) -> list:
        """The messages addressed to `address` among those received after the first `since`, waiting a moment for
        the SMTP server's thread to hand them over."""
        deadline = time.monotonic() + 5
        while True:
            found = [m for m in self.inbox[since:] if address in (m["To"] or "")]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> Iterator[Cycle]:
    """Its own live server (own database), sending its mail to a local SMTP inbox."""
    handler = Inbox()
    with smtp_inbox(handler) as port, \
            empty_database(tmp_path_factory.mktemp("return_cycle"), "assoc_return_cycle") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.app_context():
            flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
            load_reference_data()
            create_user(COORDINATOR[0], COORDINATOR[1], PASSWORD, ["coordinator"])
            db.session.commit()
        try:
            with serving(app) as base_url:
                yield Cycle(base_url, handler.messages, app)
        finally:
            with app.app_context():
                db.engine.dispose()


def subject_of(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def text_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")


def browser_page(browser, cycle: Cycle, locale: str):
    context = browser.new_context(base_url=cycle.base_url, locale=locale, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def flash(page) -> str:
    return page.locator(".flash").first.inner_text()


def review(page, action: str, comment: str) -> None:
    """The coordinator's review on the open return page: a comment, then "return" or "accept"."""
    page.fill("textarea[name=comment]", comment)
    page.locator(f"button[name=action][value={action}]").click()


# ---------------------------------------------------------------------------------------------------------------
# The representative's year

@dataclass(frozen=True)
class RepCase:
    locale: str
    library: str
    year: int
    name: str  # the library's name in the language
    account_language: str | None  # set on the account when it was made, or None: picked on the login page
    submitted: str
    returned_flash: str
    accepted_flash: str
    returned_subject: str
    accepted_subject: str
    greeting: str
    correct_it: str
    accepted_text: str


REP_CASES = [
    RepCase("kk", "KAZNU", 2024, "Әл-Фараби атындағы Қазақ ұлттық университетінің Әл-Фараби кітапханасы", "kk",
            "Есеп тапсырылды.", "Есеп: түзетуге қайтарылды.", "Есеп: қабылданды.",
            "жылдық есебі: түзетуге қайтарылды", "жылдық есебі: қабылданды", "Құрметті", "Түзетіп, қайта тапсырыңыз:",
            "қабылдады"),
    RepCase("ru", "ENU", 2024, "Научная библиотека Евразийского национального университета имени Л.Н. Гумилева", None,
            "Отчёт сдан.", "Отчёт: возвращён на исправление.", "Отчёт: принят.",
            "Годовой отчёт 2024 библиотеки", "Годовой отчёт 2024 библиотеки", "Уважаемый(-ая)",
            "Исправьте его и сдайте снова:", "принял"),
]


@pytest.mark.parametrize("case", REP_CASES, ids=lambda case: case.locale)
def test_the_representatives_year_with_its_emails(browser, cycle, case):
    rep = (f"rep-{case.library.lower()}@browser.test", f"Rep {case.library}")
    with cycle.app.app_context():
        create_user(rep[0], rep[1], PASSWORD, ["library_rep"], library_code=case.library, locale=case.account_language)
        db.session.commit()
    comment = {"kk": "Кітап берілімінің санын тексеріңіз", "ru": "Проверьте число выдач"}[case.locale]
    url = f"/libraries/{case.library}/returns/{case.year}"

    # The representative: the dashboard's to-do → the form → "Save and submit" → the confirmation → submitted.
    rep_context, page = browser_page(browser, cycle, case.locale)
    sign_in_as(page, rep[0], choose_language=None if case.account_language else case.locale)
    assert page.locator("html").get_attribute("lang") == case.locale
    page.locator(f"#todo-returns a[href$='{url}']").click()
    page.wait_for_url(f"**{url}")
    fill_return(page, GOOD)
    screenshot(page, f"cycle-rep-form-{case.locale}")
    page.locator("button[value=confirm]").click()
    page.wait_for_url(f"**{url}/submit")
    page.locator("#confirm-submit button[type=submit]").click()
    page.wait_for_url(f"**{url}")
    assert case.submitted in flash(page)

    # The coordinator returns it with a comment; the e-mail arrives, in the representative's language.
    coordinator_context, staff = browser_page(browser, cycle, case.locale)
    sign_in_as(staff, COORDINATOR[0])
    staff.goto(url)
    before = len(cycle.inbox)
    review(staff, "return", comment)
    staff.wait_for_url(f"**{url}")
    assert case.returned_flash in flash(staff)
    [returned] = cycle.mail_to(rep[0], since=before)
    subject, body = subject_of(returned), text_of(returned)
    assert case.returned_subject in subject and case.name in subject and str(case.year) in subject
    assert body.startswith(f"{case.greeting} {rep[1]}") and comment in body and case.correct_it in body
    assert f"{url}" in body
    assert "Dear" not in body and "returned for correction" not in subject  # not in English

    # The representative sees the comment on the to-do and on the form, fixes the figure and submits again.
    page.goto("/")
    assert comment in page.locator("#todo-returns").inner_text()
    screenshot(page, f"cycle-rep-todo-returned-{case.locale}")
    page.locator(f"#todo-returns a[href$='{url}']").click()
    page.wait_for_url(f"**{url}")
    assert comment in page.locator("#latest-review").inner_text()
    fill_return(page, {"loans_total": 97000})
    screenshot(page, f"cycle-rep-fixing-{case.locale}")
    page.locator("button[value=confirm]").click()
    page.wait_for_url(f"**{url}/submit")
    page.locator("#confirm-submit button[type=submit]").click()
    page.wait_for_url(f"**{url}")
    assert case.submitted in flash(page)

    # The coordinator accepts it; the "accepted" e-mail arrives, in the representative's language.
    staff.goto(url)
    before = len(cycle.inbox)
    review(staff, "accept", "")
    staff.wait_for_url(f"**{url}")
    assert case.accepted_flash in flash(staff)
    screenshot(staff, f"cycle-coordinator-accepted-{case.locale}")
    [accepted] = cycle.mail_to(rep[0], since=before)
    subject, body = subject_of(accepted), text_of(accepted)
    assert case.accepted_subject in subject and case.name in subject
    assert body.startswith(f"{case.greeting} {rep[1]}") and case.accepted_text in body and url in body
    coordinator_context.close()

    # The representative's page: accepted, read-only, and its printable version says so in the language.
    page.goto(url)
    assert page.locator("textarea, input[name=loans_total]").count() == 0
    page.locator("#print-links a").first.click()
    page.wait_for_url(f"**{url}/print")
    assert page.locator("#printed-history li").count() == 4  # submitted, returned, submitted again, accepted
    assert comment in page.locator("#printed-history").inner_text()
    assert case.name in page.locator("#library-name").inner_text()
    screenshot(page, f"cycle-rep-printable-{case.locale}")
    page.emulate_media(media="print")  # printed: the return alone, without the menus, the language switch, the links
    assert page.locator("header.topbar").is_hidden() and page.locator("#print-actions").is_hidden()
    assert page.locator("#printout").is_visible()
    screenshot(page, f"cycle-rep-printed-{case.locale}")
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.locator("#print-actions a[href$='/print.pdf']").click()
    assert download.value.suggested_filename == f"return-{case.library}-{case.year}-{case.locale}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    with cycle.app.app_context():
        stored = db.session.scalar(sa.select(AnnualReturn.values).join(MemberLibrary).where(
            AnnualReturn.year == case.year, MemberLibrary.code == case.library))
        assert stored["loans_total"] == 97000
    rep_context.close()


# ---------------------------------------------------------------------------------------------------------------
# The coordinator's round

@dataclass(frozen=True)
class CoordinatorCase:
    locale: str
    year: int
    region: str
    late: str  # submitted after the due date
    on_time: str  # submitted before it
    elsewhere: str  # submitted late, in another region
    waiting: str  # not submitted: to be reminded
    show: str
    reminder_subject: str
    returned_flash: str
    accepted_flash: str


COORDINATOR_CASES = [
    CoordinatorCase("kk", 2023, "KAR", "BUKETOV", "KARTU", "KIMEP", "TOU", "Көрсету", "жылдық есебі: еске салу",
                    "Есеп: түзетуге қайтарылды.", "Есеп: қабылданды."),
    CoordinatorCase("ru", 2022, "ALA", "SATBAYEV", "KAZNPU", "AUEZOV", "QYZPU", "Показать", "напоминание",
                    "Отчёт: возвращён на исправление.", "Отчёт: принят."),
]


def _libraries_of(case: CoordinatorCase) -> None:
    """Each library with a representative (in the case's language); three have submitted the year's return, one of
    them before the due date."""
    users = {}
    for code in (case.late, case.on_time, case.elsewhere, case.waiting):
        users[code] = create_user(f"rep-{code.lower()}@browser.test", f"Rep {code}", PASSWORD, ["library_rep"],
                                  library_code=code, locale=case.locale)
    db.session.flush()
    for code in (case.late, case.on_time, case.elsewhere):
        library = get_library(code=code)
        operations.save_return(library, case.year, users[code], dict(GOOD))
        submitted = operations.submit_return(library, case.year, users[code])
        if code == case.on_time:
            form = operations.form_of(submitted)
            moment = submitted.first_submitted_at - (submitted.first_submitted_at.date() - form.due_on) \
                - timedelta(days=3)
            submitted.first_submitted_at = submitted.submitted_at = moment
    db.session.commit()


def _queue_codes(page) -> list[str]:
    return [link.inner_text() for link in page.locator("#queue tbody td:nth-child(2) a").all()]


@pytest.mark.parametrize("case", COORDINATOR_CASES, ids=lambda case: case.locale)
def test_the_coordinators_round_filters_reminds_and_reviews(browser, cycle, case):
    with cycle.app.app_context():
        _libraries_of(case)
    context, page = browser_page(browser, cycle, case.locale)
    sign_in_as(page, COORDINATOR[0])
    assert page.locator("html").get_attribute("lang") == case.locale

    # The review queue, filtered as a coordinator does it: the region, the submitted ones, the late ones.
    page.goto(f"/returns?year={case.year}")
    assert {case.late, case.on_time, case.elsewhere} <= set(_queue_codes(page))
    page.select_option("select[name=region]", case.region)
    page.select_option("select[name=status]", "submitted")
    page.select_option("select[name=late]", "late")
    page.get_by_role("button", name=case.show).click()
    page.wait_for_url("**/returns?*")
    assert _queue_codes(page) == [case.late]
    screenshot(page, f"cycle-queue-late-{case.locale}")
    page.select_option("select[name=late]", "on_time")
    page.get_by_role("button", name=case.show).click()
    page.wait_for_url("**late=on_time*")
    assert _queue_codes(page) == [case.on_time]
    assert page.locator("select[name=region]").input_value() == case.region  # the filters stay as chosen

    # The reminder preview names who will get the e-mail; sending reaches exactly those addresses.
    page.locator("#queue a[href$='/returns/remind']").click()
    page.wait_for_url("**/returns/remind")
    rows = page.locator("#recipients tbody tr").all()
    previewed = {row.locator("td:first-child").inner_text().split()[0]:
                 set(row.locator("td:nth-child(3)").inner_text().replace(" ", "").split(",")) for row in rows}
    assert case.waiting in previewed and previewed[case.waiting] == {f"rep-{case.waiting.lower()}@browser.test"}
    assert str(case.year) in page.locator("#recipients").inner_text()
    screenshot(page, f"cycle-remind-preview-{case.locale}")
    before = len(cycle.inbox)
    page.locator("form[action$='/returns/remind'] button[type=submit]").click()
    page.wait_for_url("**/returns*")
    assert re.search(rf"\b{len(previewed)}\b", flash(page))
    time.sleep(0.2)
    reminders = cycle.inbox[before:]
    assert len(reminders) == len(previewed)
    assert sorted(m["To"].replace(" ", "") for m in reminders) == sorted(
        ",".join(sorted(addresses)) for addresses in previewed.values())
    [waiting] = cycle.mail_to(f"rep-{case.waiting.lower()}@browser.test", since=before)
    assert case.waiting in subject_of(waiting) and case.reminder_subject in subject_of(waiting)
    assert f"/libraries/{case.waiting}/returns/{case.year}" in text_of(waiting)
    # Sent today: the preview now has nobody of those left.
    page.goto("/returns/remind")
    assert case.waiting not in page.locator("main").inner_text()

    # Reviews from the queue: the late return goes back with a comment, the one on time is accepted.
    comment = {"kk": "Қор көлемін нақтылаңыз", "ru": "Уточните объём фонда"}[case.locale]
    page.goto(f"/returns?year={case.year}&region={case.region}&status=submitted")
    page.locator(f"#queue a[href$='/libraries/{case.late}/returns/{case.year}']").click()
    before = len(cycle.inbox)
    review(page, "return", comment)
    page.wait_for_url(f"**/libraries/{case.late}/returns/{case.year}")
    assert case.returned_flash in flash(page)
    [returned] = cycle.mail_to(f"rep-{case.late.lower()}@browser.test", since=before)
    assert comment in text_of(returned)
    page.goto(f"/returns?year={case.year}&region={case.region}&status=submitted")
    assert _queue_codes(page) == [case.on_time]
    page.locator(f"#queue a[href$='/libraries/{case.on_time}/returns/{case.year}']").click()
    review(page, "accept", "")
    page.wait_for_url(f"**/libraries/{case.on_time}/returns/{case.year}")
    assert case.accepted_flash in flash(page)
    screenshot(page, f"cycle-coordinator-reviewed-{case.locale}")
    page.goto(f"/returns?year={case.year}&region={case.region}&status=submitted")
    assert _queue_codes(page) == []
    context.close()
