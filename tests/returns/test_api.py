"""The annual-return API of SPEC §3.1: forms, drafts, submission, review, completeness."""

import threading

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnHistory
from association.users.models import Role
from tests.conftest import headers_for

GOOD = {
    "students_fte": 5200, "academic_staff": 480, "area_total_m2": 3200.5, "seats_reading": 420,
    "opening_hours_week": 72, "collection_print_items": 350000, "users_registered": 6100, "visits_physical": 180000,
    "loans_total": 95000, "ebooks_titles": 21000, "databases_licensed": 18, "staff_total": 34, "staff_trained": 20,
    "expenditure_total_kzt": 250000000, "lms_type": "koha", "lms_name": "Koha 23.05", "has_repository": True,
}



def library_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))


@pytest.fixture
def nu(app):
    return library_id(app, "NU")


@pytest.fixture
def rep(app, client):
    return headers_for(app, client, Role.LIBRARY_REP, library="NU")


@pytest.fixture
def coordinator(app, client):
    return headers_for(app, client, Role.COORDINATOR)


def url(library, year=2024, action=""):
    return f"/api/v1/libraries/{library}/returns/{year}" + (f"/{action}" if action else "")


def test_form_definition(app, client, rep):
    body = client.get("/api/v1/forms/2024", headers=rep).get_json()
    assert (body["year"], body["opens_on"], body["due_on"]) == (2024, "2025-01-01", "2025-02-15")
    codes = {f["code"]: f for f in body["fields"]}
    for required in ("users_registered", "visits_physical", "loans_total", "collection_print_items", "ebooks_titles",
                     "databases_licensed", "staff_total", "staff_trained", "expenditure_total_kzt", "lms_name",
                     "has_repository"):
        assert required in codes
    assert codes["lms_name"]["type"] == "text" and codes["has_repository"]["type"] == "boolean"
    for key in ("code", "label", "section", "type", "unit", "required", "min", "max", "allow_na", "choices"):
        assert key in codes["staff_total"]
    assert any(r["expression"] == "staff_trained <= staff_total" for r in body["rules"])
    missing = client.get("/api/v1/forms/2019", headers=rep)
    assert missing.status_code == 404 and "2019" in missing.get_json()["detail"]


def test_never_started_is_404(client, nu, rep):
    assert client.get(url(nu), headers=rep).status_code == 404


def test_save_draft_then_submit(app, client, nu, rep):
    response = client.put(url(nu), json={"values": {**GOOD, "users_active": "NA"}}, headers=rep)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["library"], body["year"], body["status"], body["errors"]) == ("NU", 2024, "draft", {})
    assert body["values"]["users_active"] == "NA" and body["values"]["has_repository"] is True
    assert response.headers["ETag"]
    submitted = client.post(url(nu, action="submit"), headers=rep)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["status"] == "submitted" and submitted.get_json()["submitted_at"]
    again = client.post(url(nu, action="submit"), json={}, headers=rep)
    assert again.status_code == 409
    assert client.put(url(nu), json={"values": {"staff_total": 1}}, headers=rep).status_code == 409


def test_rule_breaches_are_saved_and_block_submission(app, client, nu, rep):
    body = client.put(url(nu), json={"values": {**GOOD, "staff_trained": 40, "opening_hours_week": 200}},
                      headers=rep).get_json()
    assert body["values"]["staff_trained"] == 40  # saved
    assert "staff_trained" in body["errors"] and "staff_total" in body["errors"]  # listed under each field named
    assert body["errors"]["opening_hours_week"] == ["At most 168."]
    refused = client.post(url(nu, action="submit"), headers=rep)
    assert refused.status_code == 422
    assert "staff_trained" in refused.get_json()["errors"]
    kept = client.get(url(nu), headers=rep).get_json()
    assert kept["status"] == "draft" and kept["values"]["staff_trained"] == 40  # the draft is still there


def test_required_fields_and_not_available_is_not_zero(client, nu, rep):
    body = client.put(url(nu), json={"values": {"users_registered": 0}}, headers=rep).get_json()
    assert "users_registered" not in body["errors"]  # 0 is an answer
    assert body["errors"]["staff_total"] == ["Required."]
    assert client.put(url(nu), json={"values": {"staff_total": "NA"}}, headers=rep).status_code == 422  # no NA here


@pytest.mark.parametrize(("values", "field"), [
    ({"no_such_field": 1}, "no_such_field"), ({"staff_total": "many"}, "staff_total"), ({"staff_total": 3.5}, "staff_total"),
    ({"has_repository": "perhaps"}, "has_repository"), ({"lms_type": "card-index"}, "lms_type"),
    ({"lms_name": 42}, "lms_name"), ({"staff_total": True}, "staff_total"),
])
def test_unknown_codes_and_wrong_types_save_nothing(app, client, nu, rep, values, field):
    response = client.put(url(nu), json={"values": {**GOOD, **values}}, headers=rep)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AnnualReturn.id))) == 0


def test_refused_save_keeps_the_existing_draft(client, nu, rep):
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    assert client.put(url(nu), json={"values": {"staff_total": "x", "loans_total": 1}}, headers=rep).status_code == 422
    assert client.get(url(nu), headers=rep).get_json()["values"]["loans_total"] == GOOD["loans_total"]


def test_review_return_resubmit_accept_lock_reopen(app, client, nu, rep, coordinator):
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    client.post(url(nu, action="submit"), headers=rep)
    assert client.post(url(nu, action="return"), json={}, headers=coordinator).status_code == 422  # comment needed
    returned = client.post(url(nu, action="return"), json={"comment": "Тексеріңіз: staff_total"}, headers=coordinator)
    assert returned.get_json()["status"] == "returned"
    assert returned.get_json()["review_comment"] == "Тексеріңіз: staff_total"
    assert client.put(url(nu), json={"values": {"staff_total": 35}}, headers=rep).status_code == 200
    assert client.post(url(nu, action="submit"), headers=rep).get_json()["status"] == "submitted"
    accepted = client.post(url(nu, action="accept"), headers=coordinator)
    assert accepted.get_json()["status"] == "accepted"
    assert client.put(url(nu), json={"values": {"staff_total": 36}}, headers=rep).status_code == 409  # locked
    assert client.post(url(nu, action="accept"), headers=coordinator).status_code == 409
    reopened = client.post(url(nu, action="reopen"), json={"comment": "Typo in finance"}, headers=coordinator)
    assert reopened.get_json()["status"] == "returned"
    history = reopened.get_json()["history"]
    assert [h["action"] for h in history] == ["reopened", "accepted", "submitted", "saved", "returned", "submitted",
                                              "saved"]
    assert history[3]["values_before"]["staff_total"] == 34  # every save keeps the values before
    assert history[-1]["values_before"] is None


def test_only_the_coordinator_reviews(client, nu, rep):
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    client.post(url(nu, action="submit"), headers=rep)
    assert client.post(url(nu, action="accept"), headers=rep).status_code == 403
    assert client.post(url(nu, action="return"), json={"comment": "x"}, headers=rep).status_code == 403


def test_another_librarys_return_is_403(app, client, nu, rep):
    enu = library_id(app, "ENU")
    assert client.put(url(enu), json={"values": GOOD}, headers=rep).status_code == 403
    other_rep = headers_for(app, client, Role.LIBRARY_REP, library="ENU")
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    assert client.get(url(nu), headers=other_rep).status_code == 403
    member = headers_for(app, client, committees=[("REG", False)])
    assert client.get(url(nu), headers=member).status_code == 403
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.get(url(nu), headers=observer).status_code == 200
    assert client.put(url(nu), json={"values": GOOD}, headers=observer).status_code == 403


def test_stale_if_match_is_412(client, nu, rep):
    first = client.put(url(nu), json={"values": GOOD}, headers=rep)
    etag = first.headers["ETag"]
    assert client.put(url(nu), json={"values": {"staff_total": 35}}, headers={**rep, "If-Match": etag}).status_code == 200
    assert client.put(url(nu), json={"values": {"staff_total": 36}}, headers={**rep, "If-Match": etag}).status_code == 412
    assert client.get(url(nu), headers=rep).get_json()["values"]["staff_total"] == 35


def test_closed_year_refuses_saves_and_submissions(app, client, nu, rep):
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    with app.app_context():
        from association.core.models import utcnow

        db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024)).one().closed_at = utcnow()
        db.session.commit()
    assert client.put(url(nu), json={"values": GOOD}, headers=rep).status_code == 409
    assert client.post(url(nu, action="submit"), headers=rep).status_code == 409


def test_year_over_year_warning_does_not_block(app, client, nu, rep, coordinator):
    client.put(url(nu, 2023), json={"values": GOOD}, headers=rep)
    client.post(url(nu, 2023, "submit"), headers=rep)
    client.post(url(nu, 2023, "accept"), headers=coordinator)
    body = client.put(url(nu), json={"values": {**GOOD, "visits_physical": 400000},
                                     "notes": {"visits_physical": "New building opened."}}, headers=rep).get_json()
    assert "visits_physical" in body["warnings"] and body["errors"] == {}
    assert body["notes"] == {"visits_physical": "New building opened."}
    assert client.post(url(nu, action="submit"), headers=rep).status_code == 200


def test_late_submission_is_allowed_and_reported(app, client, nu, rep):
    client.put(url(nu, 2022), json={"values": GOOD}, headers=rep)
    body = client.post(url(nu, 2022, "submit"), headers=rep).get_json()
    assert body["status"] == "submitted" and body["late"] is True
    completeness = client.get("/api/v1/returns?year=2022", headers=rep).get_json()
    assert (completeness["expected"], completeness["submitted"], completeness["on_time"]) == (28, 1, 0)


def test_completeness(app, client, nu, rep, coordinator):
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    client.post(url(nu, action="submit"), headers=rep)
    body = client.get("/api/v1/returns?year=2024", headers=coordinator).get_json()
    assert (body["year"], body["expected"], body["submitted"], body["accepted"]) == (2024, 28, 1, 0)
    item = next(i for i in body["items"] if i["library"] == "NU")
    assert item["status"] == "submitted" and item["submitted_at"]
    assert client.get("/api/v1/returns", headers=coordinator).status_code == 422
    assert client.get("/api/v1/returns?year=2019", headers=coordinator).status_code == 404


@pytest.fixture
def committed_rep(app):
    """KAZNU's id and a bearer token of its new representative, committed for real (threads need to see them);
    removed afterwards with the returns and audit rows the test wrote."""
    from association.audit.models import AuditEvent
    from association.users.models import User
    from association.users.operations import create_user
    from tests.factories import PASSWORD

    with app.app_context():
        last_audit = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        library_pk = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "KAZNU"))
        user = create_user("parallel@example.org", "Parallel", PASSWORD, ["library_rep"], library_code="KAZNU")
        db.session.commit()
        user_pk = user.id
    try:
        token = app.test_client().post("/api/v1/auth/token", json={"email": "parallel@example.org",
                                                                   "password": PASSWORD}).get_json()["token"]
        yield library_pk, {"Authorization": f"Bearer {token}"}
    finally:
        with app.app_context():
            db.session.execute(sa.delete(AnnualReturn).where(AnnualReturn.library_id == library_pk))
            db.session.execute(sa.delete(User).where(User.id == user_pk))
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > last_audit))
            db.session.commit()


@pytest.fixture
def committed_draft(app, committed_rep):
    """As committed_rep, with KAZNU's 2024 draft saved."""
    library_pk, headers = committed_rep
    assert app.test_client().put(url(library_pk), json={"values": GOOD}, headers=headers).status_code == 200
    return committed_rep


def at_once(calls) -> list[int]:
    """Run the calls in threads released together; answers their status codes in call order."""
    barrier = threading.Barrier(len(calls))
    statuses = [0] * len(calls)

    def run(index, call):
        barrier.wait()
        statuses[index] = call()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


# Ten fields for ten concurrent saves, each thread writing one: if any save were lost, its value would be missing.
PARALLEL_FIELDS = ["students_fte", "academic_staff", "seats_reading", "opening_hours_week", "collection_print_items",
                   "users_registered", "visits_physical", "loans_total", "ebooks_titles", "databases_licensed"]


def saver(app, library_pk, headers):
    """save(field, value): a call that PUTs one value into the library's 2024 return and answers the status."""
    def save(field, value):
        return lambda: app.test_client().put(url(library_pk), json={"values": {field: value}},
                                             headers=headers).status_code
    return save


def stored_return(app, library_pk) -> AnnualReturn:
    with app.app_context():
        annual_return = db.session.scalars(sa.select(AnnualReturn).where(AnnualReturn.library_id == library_pk)).one()
        db.session.expunge(annual_return)
        return annual_return


def history_actions(app, return_id) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(ReturnHistory.action).where(ReturnHistory.return_id == return_id)))


@pytest.mark.real_commits
def test_ten_parallel_submits_make_one_submission(app, committed_draft):
    library_pk, headers = committed_draft
    statuses = at_once([lambda: app.test_client().post(url(library_pk, action="submit"), headers=headers).status_code
                        for _ in range(10)])
    assert sorted(statuses) == [200] + [409] * 9
    assert history_actions(app, stored_return(app, library_pk).id) == ["saved", "submitted"]


def test_return_get_and_put_make_a_constant_number_of_queries(app, client, nu, rep):
    from tests.querycount import count_queries

    counts = []
    for saves in (1, 10):
        for n in range(saves):
            client.put(url(nu), json={"values": {**GOOD, "loans_total": 1000 + n}}, headers=rep)
        with count_queries(app) as get_statements:
            assert client.get(url(nu), headers=rep).status_code == 200
        with count_queries(app) as put_statements:
            assert client.put(url(nu), json={"values": {"loans_total": 5}}, headers=rep).status_code == 200
        counts.append((len(get_statements), len(put_statements)))
    assert counts[0] == counts[1]


def test_a_return_shows_its_newest_history_and_pages_the_rest(client, nu, rep):
    """Every save adds a history entry: the return itself carries the newest 20, /history all of them."""
    saves = 25
    for n in range(saves):
        assert client.put(url(nu), json={"values": {"loans_total": n}}, headers=rep).status_code == 200
    body = client.get(url(nu), headers=rep).get_json()
    assert body["history_total"] == saves and len(body["history"]) == 20
    assert body["history"][0]["values_before"]["loans_total"] == saves - 2  # newest first
    first = client.get(url(nu, action="history") + "?per_page=10", headers=rep).get_json()
    last = client.get(url(nu, action="history") + "?per_page=10&page=3", headers=rep).get_json()
    assert first["total"] == saves and len(first["items"]) == 10 and len(last["items"]) == 5
    assert first["items"][0] == body["history"][0]
    assert last["items"][-1]["values_before"] is None  # the first save: nothing before it


def test_history_of_a_return_follows_the_return_rules(app, client, nu, rep):
    other = headers_for(app, client, Role.LIBRARY_REP, library="ENU")
    assert client.get(url(nu, action="history"), headers=rep).status_code == 404  # not started
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    assert client.get(url(nu, action="history"), headers=other).status_code == 403
    assert client.get(url(nu, year=2019, action="history"), headers=rep).status_code == 404


@pytest.mark.real_commits
def test_ten_parallel_saves_of_one_return_all_land(app, committed_draft):
    """Saves without If-Match merge: ten at once take turns on the return's row, and none is lost."""
    library_pk, headers = committed_draft
    fields = PARALLEL_FIELDS
    save = saver(app, library_pk, headers)

    statuses = at_once([save(field, 100 + n) for n, field in enumerate(fields)])
    assert statuses == [200] * len(fields)
    annual_return = stored_return(app, library_pk)
    assert {field: annual_return.values[field] for field in fields} == {field: 100 + n for n, field in enumerate(fields)}
    assert annual_return.version == 1 + 1 + len(fields)  # created, the first save, then one per thread
    assert history_actions(app, annual_return.id) == ["saved"] * (1 + len(fields))


@pytest.mark.real_commits
def test_ten_parallel_first_saves_make_one_return_with_every_value(app, committed_rep):
    """No return yet: ten saves create it at the same instant; one creates it, the others merge into it."""
    library_pk, headers = committed_rep
    fields = PARALLEL_FIELDS
    save = saver(app, library_pk, headers)

    assert at_once([save(field, 100 + n) for n, field in enumerate(fields)]) == [200] * len(fields)
    annual_return = stored_return(app, library_pk)
    assert annual_return.values == {field: 100 + n for n, field in enumerate(fields)}
    assert history_actions(app, annual_return.id) == ["saved"] * len(fields)
