"""The indicator pages in Chromium: a representative's "How we compare" and the coordinator's indicator table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from association import create_app
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from tests.browser.conftest import screenshot, sign_in
from tests.indicators.conftest import BASE_VALUES

PEERS = {"NU": (4000, 30000), "ENU": (3000, 9000), "AITU": (2500, 20000), "AMU": (4800, 60000), "MNU": (2000, 5000),
         "KATU": (3500, 14000)}


@pytest.fixture(scope="module")
def accepted_returns(live_server, live_database):
    """Accepted returns for 2023 and 2024 of six libraries in the same size band (written beside the server)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=live_database)
    with app.app_context():
        for year in (2023, 2024):
            form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == year))
            for code, (students, loans) in PEERS.items():
                library_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
                exists = db.session.scalar(sa.select(AnnualReturn.id).where(
                    AnnualReturn.library_id == library_id, AnnualReturn.year == year))
                if exists:
                    continue
                at = datetime(year + 1, 2, 1, tzinfo=UTC)
                db.session.add(AnnualReturn(
                    library_id=library_id, year=year, form_id=form_id, status=ReturnStatus.ACCEPTED,
                    values={**BASE_VALUES, "students_fte": students, "loans_total": loans + (year - 2023) * 3000},
                    first_submitted_at=at, submitted_at=at, accepted_at=at))
        db.session.commit()
        db.engine.dispose()


def test_a_representative_sees_how_their_library_compares(page, accepted_returns):
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


def test_the_coordinator_sorts_the_indicator_table(page, accepted_returns):
    sign_in(page, "coordinator")
    page.click("nav >> text=Indicators")
    page.click("text=Indicator table of all libraries")
    page.click("th >> text=Loans per registered user")
    page.click("th >> text=Loans per registered user")  # descending
    first_row = page.locator("table.indicator-table tbody tr").first
    assert "AMU" in first_row.inner_text()
    assert page.locator("td[data-quartile='4']").count() >= 1
    screenshot(page, "indicator-table")
