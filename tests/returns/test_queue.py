"""The review queue's filters (region, status, lateness, kept in the page links) and the reminder preview/send."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from association.extensions import db
from association.returns.models import AnnualReturn, ReturnReminder
from association.users.models import Role
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user
from tests.querycount import count_queries
from tests.returns.test_api import GOOD, library_id, url
from tests.roadmap.test_notifications import inbox  # noqa: F401  (the SMTP fixture)


def submit(app, client, code, on_time=False):
    rep = make_user(app, Role.LIBRARY_REP, library=code)
    headers = api_token(client, rep.email, rep.password)
    assert client.put(url(library_id(app, code)), json={"values": GOOD}, headers=headers).status_code == 200
    assert client.post(url(library_id(app, code), action="submit"), headers=headers).status_code == 200
    if on_time:
        with app.app_context():
            stored = db.session.scalars(sa.select(AnnualReturn).where(
                AnnualReturn.library_id == library_id(app, code), AnnualReturn.year == 2024)).one()
            stored.first_submitted_at = datetime(2025, 2, 1, tzinfo=UTC)
            db.session.commit()
    return rep


def queue_codes(html):
    section = html.split('id="queue"')[1].split("</section>")[0]
    return re.findall(r'<a href="/libraries/([A-Z0-9_-]+)/returns/2024">', section)


def coordinator_client(app):
    client = app.test_client()
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    return client


def test_the_queue_filters_by_region_status_and_lateness(app, client):
    submit(app, client, "NU", on_time=True)
    submit(app, client, "ENU")
    submit(app, client, "KAZNU")
    coordinator = coordinator_client(app)
    assert queue_codes(coordinator.get("/returns?year=2024").get_data(as_text=True)) == ["ENU", "KAZNU", "NU"]
    assert queue_codes(coordinator.get("/returns?year=2024&region=AST").get_data(as_text=True)) == ["ENU", "NU"]
    assert queue_codes(coordinator.get("/returns?year=2024&region=ALA").get_data(as_text=True)) == ["KAZNU"]
    assert queue_codes(coordinator.get("/returns?year=2024&late=on_time").get_data(as_text=True)) == ["NU"]
    assert queue_codes(coordinator.get("/returns?year=2024&late=late&region=AST").get_data(as_text=True)) == ["ENU"]
    assert queue_codes(coordinator.get("/returns?year=2024&status=accepted").get_data(as_text=True)) == []
    html = coordinator.get("/returns?year=2024&region=AST").get_data(as_text=True)
    assert '<option selected value="AST">' in html or 'value="AST" selected' in html


def test_bad_filter_values_are_errors_beside_the_field_not_500(app, client):
    coordinator = coordinator_client(app)
    for query in ("region=NOPE", "late=maybe", "status=lost", "page=0", "page=x"):
        response = coordinator.get(f"/returns?year=2024&{query}")
        assert response.status_code == 200, query
    assert "Not a valid choice" in coordinator.get("/returns?year=2024&region=NOPE").get_data(as_text=True)


def test_the_queue_is_paged_and_the_filters_stay_in_the_page_links(app, client, monkeypatch):
    from association.returns import queue

    for code in ("NU", "ENU", "KAZNU"):
        submit(app, client, code)
    monkeypatch.setattr(queue, "QUEUE_PER_PAGE", 1)
    monkeypatch.setattr(queue.review_queue_page, "__defaults__", (None, 1))
    coordinator = coordinator_client(app)
    html = coordinator.get("/returns?year=2024&late=late&page=2").get_data(as_text=True)
    assert queue_codes(html) == ["KAZNU"]
    links = re.findall(r'href="([^"]*page=\d[^"]*)" rel="(?:prev|next)"', html)
    assert len(links) == 2 and all("late=late" in link and "year=2024" in link for link in links)


def test_the_queue_reads_with_a_constant_number_of_queries(app, client):
    coordinator = coordinator_client(app)
    coordinator.get("/returns?year=2024")
    with count_queries(app) as empty:
        coordinator.get("/returns?year=2024&late=late")
    for code in ("NU", "ENU", "KAZNU"):
        submit(app, client, code)
    with count_queries(app) as three:
        assert queue_codes(coordinator.get("/returns?year=2024&late=late").get_data(as_text=True))
    assert len(three) - len(empty) <= 4  # lateness forms, findings forms and last year's values: only with returns
    submit(app, client, "SATBAYEV")
    with count_queries(app) as four:
        coordinator.get("/returns?year=2024&late=late")
    assert len(four) == len(three)


def test_remind_shows_who_will_get_the_mail_then_sends_on_post(app, client, inbox):  # noqa: F811
    nu_rep = make_user(app, Role.LIBRARY_REP, library="NU")
    make_user(app, Role.LIBRARY_REP, library="ENU")
    submit(app, client, "KAZNU")  # KAZNU submitted 2024 but not the earlier years
    coordinator = coordinator_client(app)
    preview = coordinator.get("/returns/remind")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and nu_rep.email in html and 'id="recipients"' in html
    assert len(inbox) == 0  # the preview sends nothing
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReturnReminder.id))) == 0
    rows = html.split('id="recipients"')[1].split("</table>")[0].count("<tr>") - 1
    assert rows == 3

    assert coordinator.post("/returns/remind", data={}).status_code == 400  # no CSRF token: nothing sent
    assert len(inbox) == 0
    response = coordinator.post("/returns/remind", data={"csrf_token": csrf_token_from(html)},
                                follow_redirects=True)
    assert "3 reminders sent." in response.get_data(as_text=True)
    assert len(inbox) == 3 and {m["To"] for m in inbox} >= {nu_rep.email}
    again = coordinator.get("/returns/remind").get_data(as_text=True)
    assert "Nobody needs a reminder today." in again  # the same rule as the CLI: once a day


def test_only_the_coordinator_may_preview_or_send_reminders(app, client, inbox):  # noqa: F811
    make_user(app, Role.LIBRARY_REP, library="NU")
    for role in (Role.OBSERVER, Role.LIBRARY_REP):
        other = app.test_client()
        account = make_user(app, role, library="ENU" if role == Role.LIBRARY_REP else None)
        login(other, account.email, account.password)
        assert other.get("/returns/remind").status_code == 403
        token = csrf_token_from(other.get("/").get_data(as_text=True))
        assert other.post("/returns/remind", data={"csrf_token": token}).status_code == 403
    assert len(inbox) == 0


def test_a_mail_server_that_is_down_sends_nothing_and_says_so(app, client):
    make_user(app, Role.LIBRARY_REP, library="NU")
    app.config["MAIL_SERVER"], old = "127.0.0.1", (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config["MAIL_PORT"] = 9  # discard: nothing listens
    try:
        coordinator = coordinator_client(app)
        token = csrf_token_from(coordinator.get("/returns/remind").get_data(as_text=True))
        response = coordinator.post("/returns/remind", data={"csrf_token": token}, follow_redirects=True)
        assert "could not be reached" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(ReturnReminder.id))) == 0
    finally:
        app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = old
