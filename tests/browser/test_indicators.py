"""The indicator pages in Chromium: a representative's "How we compare" and the coordinator's indicator table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.browser.conftest import ACCOUNTS, PASSWORD, screenshot, sign_in
from tests.conftest import empty_database
from tests.indicators.conftest import BASE_VALUES

PEERS = {"NU": (4000, 30000), "ENU": (3000, 9000), "AITU": (2500, 20000), "AMU": (4800, 60000), "MNU": (2000, 5000),
         "KATU": (3500, 14000)}


@pytest.fixture(scope="module")
def indicator_server(tmp_path_factory) -> Iterator[str]:
    """A server of its own (the journeys' database must not see these accepted returns): migrated, seeded, with
    accepted returns for 2023 and 2024 of six libraries in the same size band and the journeys' accounts."""
    with empty_database(tmp_path_factory.mktemp("db"), "assoc_browser_indicators") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
            load_reference_data()
            for email, name, roles, committees, library in ACCOUNTS.values():
                create_user(email, name, PASSWORD, roles, committees=committees, library_code=library)
            for year in (2023, 2024):
                form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == year))
                for code, (students, loans) in PEERS.items():
                    library_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
                    at = datetime(year + 1, 2, 1, tzinfo=UTC)
                    db.session.add(AnnualReturn(
                        library_id=library_id, year=year, form_id=form_id, status=ReturnStatus.ACCEPTED,
                        values={**BASE_VALUES, "students_fte": students, "loans_total": loans + (year - 2023) * 3000},
                        first_submitted_at=at, submitted_at=at, accepted_at=at))
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def page(browser, indicator_server):
    context = browser.new_context(base_url=indicator_server, locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_representative_sees_how_their_library_compares(page):
    sign_in(page, "rep")
    page.goto("/libraries/NU")
    page.click("text=How we compare")
    page.wait_for_url("**/libraries/NU/compare")
    assert page.locator("section.compare").count() >= 12
    first = page.locator("#indicator-loans_per_user")
    assert first.locator("svg .library-mark").count() == 1
    assert first.locator("details.data table").is_visible()
    assert "ENU" not in page.content()
    screenshot(page, "how-we-compare")


def test_the_coordinator_sorts_the_indicator_table(page):
    sign_in(page, "coordinator")
    page.click("nav >> text=Indicators")
    page.click("text=Indicator table of all libraries")
    page.click("th >> text=Loans per registered user")
    page.click("th >> text=Loans per registered user")  # descending
    first_row = page.locator("table.indicator-table tbody tr").first
    assert "AMU" in first_row.inner_text()
    assert page.locator("td[data-quartile='4']").count() >= 1
    screenshot(page, "indicator-table")
