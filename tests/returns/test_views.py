"""The annual-return form in the browser, the review queue and completeness pages."""

import re
from datetime import datetime

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.lateness import association_timezone
from association.returns.models import AnnualReturn, ReturnStatus
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.forms import hidden_fields
from tests.querycount import count_queries
from tests.returns.test_api import GOOD


def signed_in(app, client, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    login(client, account.email, account.password)
    return account


def form_data(page_html, values, action="save", url=None):
    """The return form as the page would post it: its hidden fields (token, version, values read) and `values`."""
    url = url or re.search(r'action="(/libraries/[^/"]+/returns/\d+)"', page_html).group(1)
    data = {**hidden_fields(page_html, url), "action": action}
    for code, value in values.items():
        data[code] = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else str(value)
    return data


def stored(app, code="NU", year=2024):
    with app.app_context():
        library_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
        return db.session.scalars(sa.select(AnnualReturn).where(AnnualReturn.library_id == library_id,
                                                                AnnualReturn.year == year)).one_or_none()


def test_representative_fills_gets_an_error_fixes_and_submits(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert 'name="staff_trained"' in page and 'name="users_active__na"' in page
    assert "Institutional context" in page  # sections from the definition

    response = client.post("/libraries/NU/returns/2024", data=form_data(page, {**GOOD, "staff_trained": 50}, "submit"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Staff who completed advanced training cannot exceed total library staff." in html
    assert 'value="50"' in html  # what was typed is kept
    assert stored(app).status == ReturnStatus.DRAFT and stored(app).values["staff_trained"] == 50

    response = client.post("/libraries/NU/returns/2024", data=form_data(html, {**GOOD, "users_active__na": "y"}, "submit"))
    assert response.status_code == 302
    saved = stored(app)
    assert saved.status == ReturnStatus.SUBMITTED
    assert saved.values["users_active"] == "NA" and saved.values["has_repository"] is True
    assert saved.values["area_total_m2"] == 3200.5
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert "Submitted" in page and 'name="staff_trained"' not in page  # no longer editable


def test_wrong_types_save_nothing_and_show_beside_the_field(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    response = client.post("/libraries/NU/returns/2024", data=form_data(page, {**GOOD, "staff_total": "thirty"}))
    assert response.status_code == 400
    assert "Not a valid integer value" in response.get_data(as_text=True)
    assert 'value="thirty"' in response.get_data(as_text=True)
    assert stored(app) is None


def test_other_libraries_and_committee_members_cannot_open_the_return(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="ENU")
    assert client.get("/libraries/NU/returns/2024").status_code == 403
    page = client.get("/libraries/ENU/returns/2024").get_data(as_text=True)
    assert client.post("/libraries/NU/returns/2024", data=form_data(page, GOOD)).status_code == 403
    assert stored(app) is None


def test_year_without_a_form_is_404(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    response = client.get("/libraries/NU/returns/2019")
    assert response.status_code == 404
    assert "There is no annual-return form for 2019." in response.get_data(as_text=True)


def submit_as_rep(app, code="NU"):
    rep = app.test_client()
    signed_in(app, rep, Role.LIBRARY_REP, library=code)
    page = rep.get(f"/libraries/{code}/returns/2024").get_data(as_text=True)
    assert rep.post(f"/libraries/{code}/returns/2024", data=form_data(page, GOOD, "submit")).status_code == 302


def test_coordinator_returns_with_a_comment_then_accepts(app, client):
    submit_as_rep(app)
    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    token = csrf_token_from(page)
    client.post("/libraries/NU/returns/2024/review", data={"csrf_token": token, "action": "return",
                                                           "comment": "Проверьте число посещений"})
    assert stored(app).status == ReturnStatus.RETURNED
    rep = app.test_client()
    signed_in(app, rep, Role.LIBRARY_REP, library="NU")
    page = rep.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert "Проверьте число посещений" in page
    rep.post("/libraries/NU/returns/2024", data=form_data(page, GOOD, "submit"))
    client.post("/libraries/NU/returns/2024/review", data={"csrf_token": token, "action": "accept"})
    assert stored(app).status == ReturnStatus.ACCEPTED


def test_review_queue_and_bulk_accept(app, client):
    for code in ("NU", "ENU"):
        submit_as_rep(app, code)
    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/returns?year=2024").get_data(as_text=True)
    assert "Review queue" in page and 'value="NU"' in page
    response = client.post("/returns/bulk-accept", data={"csrf_token": csrf_token_from(page), "year": "2024",
                                                         "library": ["NU", "ENU", "KAZNU"]})
    assert response.status_code == 302
    assert stored(app, "NU").status == stored(app, "ENU").status == ReturnStatus.ACCEPTED
    flashes = client.get("/returns?year=2024").get_data(as_text=True)
    assert "Not accepted (not submitted): KAZNU" in flashes


def test_observer_sees_completeness_but_no_queue(app, client):
    submit_as_rep(app)
    signed_in(app, client, Role.OBSERVER)
    page = client.get("/returns?year=2024").get_data(as_text=True)
    assert "Review queue" not in page and "By region" in page


def test_review_queue_queries_do_not_grow_with_returns(app, client):
    from association.returns.models import ReturnForm

    signed_in(app, client, Role.COORDINATOR)
    client.get("/api/v1/me")  # the first request of a sign-in fills the identity cache (one more statement)
    counts = []
    with app.app_context():
        form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == 2024))
        libraries = db.session.scalars(sa.select(MemberLibrary.id).order_by(MemberLibrary.id)).all()
    for batch in (libraries[:2], libraries[2:20]):
        with app.app_context():
            for library_id in batch:
                db.session.add(AnnualReturn(library_id=library_id, year=2024, form_id=form_id, values=GOOD,
                                            status=ReturnStatus.DRAFT))
            db.session.commit()
        with count_queries(app) as statements:
            assert client.get("/returns?year=2024").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_coordinator_manages_the_form_from_the_returns_page(app, client):
    import io

    import yaml

    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/returns?year=2024").get_data(as_text=True)
    token = csrf_token_from(page)
    definition = client.get("/api/v1/forms/2024/definition").get_data(as_text=True)
    data = yaml.safe_load(definition)
    data["fields"][0]["label"]["en"] = "Students (FTE), edited"
    upload = client.post("/returns/2024/definition", data={
        "csrf_token": token, "file": (io.BytesIO(yaml.safe_dump(data, allow_unicode=True).encode()), "form.yaml")},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    assert "Students (FTE), edited" in client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    wrong_year = client.post("/returns/2023/definition", data={
        "csrf_token": token, "file": (io.BytesIO(yaml.safe_dump(data).encode()), "form.yaml")},
        content_type="multipart/form-data")
    assert "This definition is not for 2023." in client.get(wrong_year.headers["Location"]).get_data(as_text=True)
    assert client.post("/returns/2024/closed", data={"csrf_token": token, "closed": "1"}).status_code == 302
    with app.app_context():
        from association.returns.models import ReturnForm

        assert db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024)).first().closed_at is not None
    assert client.post("/returns/2025/copy", data={"csrf_token": token}).headers["Location"].endswith("year=2026")


def test_the_page_shows_the_newest_history_and_links_to_all_of_it(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    for n in range(22):
        page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
        client.post("/libraries/NU/returns/2024", data=form_data(page, {**GOOD, "loans_total": n}))
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert history.count("<li>") == 20 and "The newest 20 of 22 entries." in history
    everything = client.get("/libraries/NU/returns/2024?history=all").get_data(as_text=True)
    assert everything[everything.index('id="history"'):].count("<li>") == 22


def test_a_submitted_return_reads_in_words_not_codes(app, client):
    """The read-only return: Yes/No, choice labels, "not available", grouped numbers, long dates (issue 15)."""
    signed_in(app, client, Role.LIBRARY_REP, library="NU", locale="ru")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    values = {**GOOD, "lms_type": "kabis", "users_active__na": "y"}
    assert client.post("/libraries/NU/returns/2024", data=form_data(page, values, "submit")).status_code == 302
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    outputs = re.findall(r"<output>([^<]*)</output>", html)
    assert "Да" in outputs and "КАБИС" in outputs and "Нет данных" in outputs
    assert "350\N{NO-BREAK SPACE}000" in outputs and "3\N{NO-BREAK SPACE}200,5" in outputs
    assert not {"True", "False", "kabis", "NA"} & set(outputs)
    assert "15 февраля 2025" in html  # the due date


def test_the_review_queue_and_history_show_long_dates(app, client):
    rep = make_user(app, Role.LIBRARY_REP, library="NU")
    login(client, rep.email, rep.password)
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert client.post("/libraries/NU/returns/2024", data=form_data(page, GOOD, "submit")).status_code == 302
    client = app.test_client()
    signed_in(app, client, Role.COORDINATOR, locale="en")
    queue = client.get("/returns?year=2024").get_data(as_text=True)
    today = datetime.now(association_timezone()).date()
    assert f"{today.day} {today.strftime('%B')} {today.year}" in queue
    history = client.get("/libraries/NU/returns/2024").get_data(as_text=True).split('id="history"')[1]
    assert f"{today.day} {today.strftime('%B')} {today.year}, " in history
