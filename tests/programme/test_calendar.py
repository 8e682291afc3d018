"""The reporting calendar reaches the present: the seed's forms run 2022–2025 and the current reporting year follows
the calendar, not the data's last year."""

from __future__ import annotations

from datetime import date

from association.progress.queries import current_reporting_year
from association.users.models import Role
from tests.conftest import headers_for, login
from tests.factories import make_user


def test_the_forms_list_is_the_calendar(app, client):
    body = client.get("/api/v1/forms", headers=headers_for(app, client, Role.LIBRARY_REP, library="NU")).get_json()
    assert [(i["year"], i["opens_on"], i["due_on"], i["closed"]) for i in body["items"]] == [
        (2022, "2023-01-01", "2023-02-15", False), (2023, "2024-01-01", "2024-02-15", False),
        (2024, "2025-01-01", "2025-02-15", False), (2025, "2026-01-01", "2026-02-15", False)]
    assert client.get("/api/v1/forms").status_code == 401


def test_the_2025_form_is_the_2024_form_with_its_dates_moved(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    old, new = (client.get(f"/api/v1/forms/{year}", headers=headers).get_json() for year in (2024, 2025))
    assert new["fields"] == old["fields"] and new["rules"] == old["rules"]
    assert (new["opens_on"], new["due_on"]) == ("2026-01-01", "2026-02-15")


def test_the_current_reporting_year_follows_the_calendar(ctx):
    assert current_reporting_year(date(2026, 12, 1)) == 2025  # the 2025 window opened on 2026-01-01
    assert current_reporting_year(date(2025, 12, 31)) == 2024
    assert current_reporting_year(date(2026, 1, 1)) == 2025


def test_the_returns_page_opens_on_the_current_year(app, client):
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    with app.app_context():
        year = current_reporting_year()
    assert year >= 2025
    assert f"Annual returns {year}" in client.get("/returns").get_data(as_text=True)
