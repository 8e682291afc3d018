"""The dashboard's to-do list: a representative's returns, the coordinator's reviews and windows, a member's tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.main.queries import todo_for
from association.returns.models import AnnualReturn
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role, User
from tests.conftest import headers_for, login
from tests.factories import make_user
from tests.querycount import count_queries
from tests.returns.test_api import GOOD, library_id
from tests.returns.test_api import url as api_url

# The seeded 2024 form opens on 1 January 2025 and is due on 15 February 2025.
BEFORE_DUE = date(2025, 2, 1)
AFTER_DUE = date(2025, 3, 1)


def todo_of(app, account_id: int, today: date):
    with app.app_context():
        return todo_for(db.session.get(User, account_id), today)


def url(app, year=2024, action=""):
    return api_url(library_id(app, "NU"), year, action)


def returned_with_comment(app, client, rep, coordinator, year=2024, comment="Fix the staff numbers"):
    assert client.put(url(app, year), json={"values": GOOD}, headers=rep).status_code == 200
    assert client.post(url(app, year, "submit"), headers=rep).status_code == 200
    assert client.post(url(app, year, "return"), json={"comment": comment}, headers=coordinator).status_code == 200


def test_a_representative_sees_every_open_year_with_status_due_date_lateness_and_the_last_comment(app, client):
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    returned_with_comment(app, client, rep, coordinator)

    todo = todo_of(app, rep_account.id, BEFORE_DUE)
    assert todo.library.code == "NU"
    by_year = {item.year: item for item in todo.returns}
    assert 2024 in by_year and 2025 not in by_year  # only years whose window has opened
    item = by_year[2024]
    # submitted today (2026), long after the due date: late, the same rule as the return page's
    assert (item.status, item.due_on, item.late, item.editable) == ("returned", date(2025, 2, 15), True, True)
    assert (item.review_action, item.review_comment) == ("returned", "Fix the staff numbers")
    assert by_year[2023].status == "not_started" and by_year[2023].review_action is None
    assert by_year[2023].late is True  # never submitted, due date passed

    with app.app_context():
        stored = db.session.scalars(sa.select(AnnualReturn).where(AnnualReturn.year == 2024,
                                                                  AnnualReturn.library_id == library_id(app, "NU"))).one()
        stored.first_submitted_at = datetime(2025, 2, 10, 9, tzinfo=UTC)
        db.session.commit()
    later = {item.year: item for item in todo_of(app, rep_account.id, AFTER_DUE).returns}
    assert later[2024].late is False  # first submitted before the due date: not late, whatever happens after


def test_a_closed_year_leaves_the_list_and_an_accepted_return_is_not_editable(app, client):
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    returned_with_comment(app, client, rep, coordinator)
    assert client.post(url(app, 2024, "submit"), headers=rep).status_code == 200
    assert client.post(url(app, 2024, "accept"), json={"comment": "Thank you"}, headers=coordinator).status_code == 200
    item = {i.year: i for i in todo_of(app, rep_account.id, AFTER_DUE).returns}[2024]
    assert (item.status, item.editable, item.review_action, item.review_comment) == (
        "accepted", False, "accepted", "Thank you")

    assert client.put("/api/v1/forms/2023/closed", json={"closed": True}, headers=coordinator).status_code == 200
    assert 2023 not in {i.year for i in todo_of(app, rep_account.id, AFTER_DUE).returns}


def test_the_coordinator_sees_returns_waiting_for_review_and_windows_to_close(app, client):
    coordinator_account = make_user(app, Role.COORDINATOR)
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(url(app), json={"values": GOOD}, headers=rep).status_code == 200
    assert client.post(url(app, 2024, "submit"), headers=rep).status_code == 200

    todo = todo_of(app, coordinator_account.id, BEFORE_DUE)
    assert [(y.year, y.waiting) for y in todo.to_review] == [(2024, 1)]
    assert 2024 not in {y.year for y in todo.to_close} and 2023 in {y.year for y in todo.to_close}
    assert 2024 in {y.year for y in todo_of(app, coordinator_account.id, AFTER_DUE).to_close}
    assert todo.library is None and todo.returns == []


def test_a_committee_member_sees_tasks_overdue_or_due_within_30_days_of_their_committees_only(app, client):
    member = make_user(app, committees=[("REG", False)])
    with app.app_context():
        open_reg = db.session.scalars(sa.select(RoadmapTask).where(
            RoadmapTask.committee.has(code="REG"),
            RoadmapTask.status.not_in([TaskStatus.DONE, TaskStatus.CANCELLED])).order_by(RoadmapTask.due_date)).all()
    first = open_reg[0]
    today = first.due_date - timedelta(days=10)  # the first is due within 30 days, not overdue yet
    todo = todo_of(app, member.id, today)
    codes = [task.code for task in todo.tasks]
    expected = [t.code for t in open_reg if t.due_date <= today + timedelta(days=30)]
    assert first.code in codes and codes == expected[:30]
    assert all(task.committee.code == "REG" for task in todo.tasks)
    assert not todo.tasks[0].is_overdue(today)

    overdue_day = first.due_date + timedelta(days=1)
    later = todo_of(app, member.id, overdue_day)
    assert first.code in [task.code for task in later.tasks] and later.tasks[0].is_overdue(overdue_day)
    assert [t.code for t in todo_of(app, member.id, first.due_date - timedelta(days=31)).tasks] == [
        t.code for t in open_reg if t.due_date <= first.due_date - timedelta(days=1)]
    assert todo_of(app, make_user(app, Role.OBSERVER).id, today).empty


def test_the_to_do_list_reads_with_a_constant_number_of_queries(app, client):
    account = make_user(app, Role.LIBRARY_REP, Role.COORDINATOR, library="NU", committees=[("REG", False)])
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    coordinator = headers_for(app, client, Role.COORDINATOR)

    def counted():
        with app.app_context():
            user = db.session.get(User, account.id)
            user.has_role(Role.LIBRARY_REP), user.committee_ids()  # the user's roles and committees, loaded first
            with count_queries(app) as statements:
                todo = todo_for(user, AFTER_DUE)
            return todo, len(statements)

    returned_with_comment(app, client, rep, coordinator, year=2024, comment="comment 2024")
    _todo, one_return = counted()
    for year in (2022, 2023):
        returned_with_comment(app, client, rep, coordinator, year=year, comment=f"comment {year}")
        assert client.put(url(app, year), json={"values": {**GOOD, "staff_total": 40}}, headers=rep).status_code == 200
    todo, three_returns = counted()
    assert {i.year: i.review_comment for i in todo.returns} == {
        2024: "comment 2024", 2023: "comment 2023", 2022: "comment 2022"}
    assert [y.year for y in todo.to_close] == [2024, 2023, 2022] and todo.tasks
    # forms, library, returns, reviews, waiting counts, tasks
    assert one_return == three_returns == 6


@pytest.mark.parametrize("locale, words", [
    ("en", ["To do", "Returned for correction", "Fix the staff numbers"]),
    ("ru", ["Возвращ", "Fix the staff numbers"]),
    ("kk", ["Fix the staff numbers"]),
])
def test_the_dashboard_shows_the_representatives_to_do_with_links(app, client, locale, words):
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    returned_with_comment(app, client, rep, headers_for(app, client, Role.COORDINATOR))
    account = make_user(app, Role.LIBRARY_REP, library="NU", locale=locale)
    login(client, account.email, account.password)
    html = client.get("/").get_data(as_text=True)
    assert 'id="todo-returns"' in html and 'href="/libraries/NU/returns/2024"' in html
    for word in words:
        assert word in html
    assert 'href="/my/returns"' in html  # the menu entry
    response = client.get("/my/returns")
    assert response.status_code == 302 and response.headers["Location"].endswith("/libraries/NU#returns")


def test_the_dashboard_shows_the_coordinator_the_review_queue_link(app, client):
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(url(app), json={"values": GOOD}, headers=rep).status_code == 200
    assert client.post(url(app, 2024, "submit"), headers=rep).status_code == 200
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    html = client.get("/").get_data(as_text=True)
    assert 'id="todo-review"' in html and "/returns?year=2024&amp;status=submitted" in html
    assert "1 return for 2024 waits for review" in html
    assert 'href="/my/returns"' not in html
    assert client.get("/my/returns").status_code == 403


def test_a_representative_without_a_library_gets_404_from_the_menu_entry(app, client):
    account = make_user(app, Role.LIBRARY_REP, library="NU")
    with app.app_context():
        db.session.get(User, account.id).library_id = None  # what deleting the library leaves (SET NULL)
        db.session.commit()
    login(client, account.email, account.password)
    assert client.get("/my/returns").status_code == 404
    assert 'href="/my/returns"' not in client.get("/").get_data(as_text=True)
