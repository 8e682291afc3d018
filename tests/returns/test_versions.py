"""Stale tabs on the return page: a save sends only what changed since the page was read; a field changed meanwhile
by someone else is a conflict page with both values; a missing or forged version is a 400. The review's comments
belong to their action, the upload-confirm refusal shows nothing of another library's return, `next` stays here."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.returns.models import ReturnHistory, ReturnStatus
from association.users.models import Role
from tests.forms import hidden_fields
from tests.returns.test_api import GOOD
from tests.returns.test_views import form_data, signed_in, stored, submit_as_rep

URL = "/libraries/NU/returns/2024"


@pytest.fixture
def rep(app):
    client = app.test_client()
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get(URL).get_data(as_text=True)
    assert client.post(URL, data=form_data(page, GOOD)).status_code == 302
    return client


def tab(client) -> str:
    return client.get(URL).get_data(as_text=True)


def typed(page: str, **changes) -> dict:
    """The form as the page shows it, with `changes` typed in (every other input posted as read)."""
    read = json.loads(hidden_fields(page, URL)["read_values"])
    return form_data(page, {**{code: value for code, value in read["values"].items() if value is not None},
                            **changes})


def test_two_tabs_saving_different_fields_keep_both(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, students_fte=27777)).status_code == 302
    assert rep.post(URL, data=typed(tab_b, academic_staff=555)).status_code == 302
    values = stored(rep.application).values
    assert values["students_fte"] == 27777 and values["academic_staff"] == 555


def test_two_tabs_saving_one_field_the_second_gets_a_conflict_page_with_both_values(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, students_fte=27777)).status_code == 302
    version = stored(rep.application).version
    response = rep.post(URL, data=typed(tab_b, students_fte=31313, academic_staff=556))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="conflict"' in html and "27777" in html and "31313" in html
    assert 'value="31313"' in html and 'value="556"' in html  # what was typed is kept in the form
    assert stored(rep.application).version == version  # nothing was saved, not even the other field
    assert stored(rep.application).values["academic_staff"] == GOOD["academic_staff"]
    # the conflict page is read at the new version: saving it again is a deliberate choice, and lands
    assert rep.post(URL, data=typed(html, students_fte=31313, academic_staff=556)).status_code == 302
    values = stored(rep.application).values
    assert values["students_fte"] == 31313 and values["academic_staff"] == 556


def test_the_same_value_typed_in_both_tabs_is_no_conflict(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, students_fte=27777)).status_code == 302
    assert rep.post(URL, data=typed(tab_b, students_fte=27777)).status_code == 302


def test_untouched_fields_of_a_stale_tab_do_not_revert_a_newer_save(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, students_fte=27777, lms_name="Koha 24")).status_code == 302
    assert rep.post(URL, data=typed(tab_b, visits_physical=190000)).status_code == 302
    values = stored(rep.application).values
    assert values["students_fte"] == 27777 and values["lms_name"] == "Koha 24" and values["visits_physical"] == 190000


@pytest.mark.parametrize("forged", [{"version": ""}, {"version": "abc"}, {"version": "-1"}, {"version": "999"},
                                    {"read_values": "[1]"}, {"read_values": "{oops"},
                                    {"read_values": '{"values": {"students_fte": "many"}, "notes": {}}'}])
def test_a_missing_or_forged_version_is_a_400_and_changes_nothing(rep, forged):
    before = stored(rep.application)
    data = {**typed(tab(rep), students_fte=1), **forged}
    response = rep.post(URL, data=data)
    assert response.status_code == 400
    assert "version" in response.get_data(as_text=True)
    after = stored(rep.application)
    assert after.version == before.version and after.values == before.values


def test_a_version_field_left_out_is_a_400(rep):
    data = typed(tab(rep), students_fte=1)
    del data["version"]
    assert rep.post(URL, data=data).status_code == 400
    assert stored(rep.application).values["students_fte"] == GOOD["students_fte"]


def test_without_the_values_read_a_stale_save_conflicts_on_every_field_it_would_change(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, students_fte=27777)).status_code == 302
    data = {**typed(tab_b, academic_staff=555), "read_values": ""}
    response = rep.post(URL, data=data)
    assert response.status_code == 409 and "27777" in response.get_data(as_text=True)
    assert stored(rep.application).values["academic_staff"] == GOOD["academic_staff"]
    fresh = {**typed(tab(rep), academic_staff=555), "read_values": ""}
    assert rep.post(URL, data=fresh).status_code == 302
    assert stored(rep.application).values["academic_staff"] == 555


def test_the_upload_confirm_of_a_stale_preview_is_a_conflict(app, rep):
    from tests.returns.test_spreadsheets import filled, template, upload

    page = tab(rep)
    workbook = template(rep)
    preview = upload(rep, hidden_fields(page, URL)["csrf_token"], filled(workbook, {**GOOD, "students_fte": 40404}))
    html = preview.get_data(as_text=True)
    confirm = hidden_fields(html, URL + "/upload/confirm")
    assert json.loads(confirm["values"]) == {"students_fte": 40404}  # only what the spreadsheet changes
    assert rep.post(URL, data=typed(tab(rep), students_fte=27777)).status_code == 302
    response = rep.post(URL + "/upload/confirm", data=confirm)
    assert response.status_code == 409 and "40404" in response.get_data(as_text=True)
    assert stored(app).values["students_fte"] == 27777


def test_the_upload_confirm_of_another_library_shows_nothing_of_its_return(app, rep):
    assert rep.post(URL, data=typed(tab(rep), students_fte=86421, lms_name="Secret LMS 77")).status_code == 302
    other = app.test_client()
    signed_in(app, other, Role.LIBRARY_REP, library="ENU")
    own = other.get("/libraries/ENU/returns/2024").get_data(as_text=True)
    response = other.post(URL + "/upload/confirm", data={"csrf_token": hidden_fields(own)["csrf_token"],
                                                           "values": json.dumps({"students_fte": 1}),
                                                           "version": "2", "read_values": '{"values": {}}'})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    for secret in ("86421", "Secret LMS 77", "Nazarbayev", "Draft", 'name="students_fte"', "History"):
        assert secret not in html, secret
    assert stored(app).values["students_fte"] == 86421


def test_the_accept_comment_shows_on_the_page_and_in_the_history(app, client):
    submit_as_rep(app)
    signed_in(app, client, Role.COORDINATOR)
    page = client.get(URL).get_data(as_text=True)
    client.post(URL + "/review", data={**hidden_fields(page, URL + "/review"), "action": "return",
                                       "comment": "Please correct the visits"})
    rep = app.test_client()
    signed_in(app, rep, Role.LIBRARY_REP, library="NU")
    rep_page = rep.get(URL).get_data(as_text=True)
    assert "Returned on" in rep_page and "Please correct the visits" in rep_page
    assert rep.post(URL, data=form_data(rep_page, GOOD, "submit")).status_code == 302
    page = client.get(URL).get_data(as_text=True)
    response = client.post(URL + "/review", data={**hidden_fields(page, URL + "/review"), "action": "accept",
                                                  "comment": "Thank you, all in order"})
    assert response.status_code == 302
    page = client.get(URL).get_data(as_text=True)
    latest = page[page.index('id="latest-review"'):page.index("</dd>", page.index('id="latest-review"'))]
    assert "Accepted on" in latest and "Thank you, all in order" in latest and "Please correct" not in latest
    with app.app_context():
        comments = dict(db.session.execute(sa.select(ReturnHistory.action, ReturnHistory.comment)
                                           .where(ReturnHistory.action.in_(("returned", "accepted")))).all())
    assert comments == {"returned": "Please correct the visits", "accepted": "Thank you, all in order"}
    assert stored(app).status == ReturnStatus.ACCEPTED


def test_the_api_accept_keeps_its_comment(app, client):
    from tests.conftest import headers_for

    submit_as_rep(app)
    coordinator = headers_for(app, client, Role.COORDINATOR)
    library_id = stored(app).library_id
    response = client.post(f"/api/v1/libraries/{library_id}/returns/2024/accept", json={"comment": "Fine"},
                           headers=coordinator)
    assert response.status_code == 200
    assert response.get_json()["history"][0]["comment"] == "Fine"
    assert response.get_json()["review_comment"] == "Fine"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                                    "http:/evil.example", "/\t/evil.example", " //evil.example", "\\\\evil.example"])
def test_the_review_next_never_leaves_the_site(app, client, target):
    submit_as_rep(app)
    signed_in(app, client, Role.COORDINATOR)
    page = client.get(URL).get_data(as_text=True)
    response = client.post(URL + "/review", data={**hidden_fields(page, URL + "/review"), "action": "accept",
                                                  "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == URL


def test_the_review_next_follows_a_path_of_the_site(app, client):
    submit_as_rep(app)
    signed_in(app, client, Role.COORDINATOR)
    page = client.get(URL).get_data(as_text=True)
    response = client.post(URL + "/review", data={**hidden_fields(page, URL + "/review"), "action": "accept",
                                                  "next": "/returns?year=2024"})
    assert response.headers["Location"] == "/returns?year=2024"


def test_a_library_that_has_left_gets_no_editable_form(app, rep):
    from association.libraries.models import MemberLibrary, MembershipStatus

    with app.app_context():
        library = db.session.scalar(sa.select(MemberLibrary).where(MemberLibrary.code == "NU"))
        library.membership_status = MembershipStatus.LEFT
        db.session.commit()
    page = tab(rep)
    assert 'name="students_fte"' not in page and "Save draft" not in page


def test_a_zero_saved_meanwhile_is_a_change_of_its_own(rep):
    tab_a, tab_b = tab(rep), tab(rep)
    assert rep.post(URL, data=typed(tab_a, service_points=0)).status_code == 302
    response = rep.post(URL, data=typed(tab_b, service_points=7))
    assert response.status_code == 409
    assert stored(rep.application).values["service_points"] == 0
