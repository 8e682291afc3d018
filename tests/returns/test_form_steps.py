"""The return form's section index, last year's change, the unsaved-edits script, print CSS and the confirmation
steps for submitting and for closing a year."""

from __future__ import annotations

import re

import sqlalchemy as sa

from association.extensions import db
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.users.models import Role
from tests.conftest import csrf_token_from
from tests.returns.test_api import GOOD
from tests.returns.test_views import form_data, signed_in, stored


def index_row(html, section):
    row = re.search(rf'<tr id="index-{section}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)][1:]


def test_the_section_index_counts_filled_missing_and_erroneous_fields(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert 'id="section-index"' in html and 'href="#section-' in html
    sections = re.findall(r'<tr id="index-([^"]+)">', html)
    assert sections and all(index_row(html, s)[0] == "0" for s in sections)
    assert sum(int(index_row(html, s)[1]) for s in sections) >= 11  # every required field is missing
    response = client.post("/libraries/NU/returns/2024", data=form_data(html, {**GOOD, "staff_trained": 50}))
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    counts = {s: index_row(html, s) for s in sections}
    assert response.status_code == 302
    assert sum(int(c[0]) for c in counts.values()) == len(GOOD)
    assert sum(int(c[2]) for c in counts.values()) >= 1  # staff_trained > staff_total is an error


def test_last_years_accepted_value_and_the_change_in_percent(app, client):
    with app.app_context():
        from association.libraries.models import MemberLibrary

        library = db.session.scalar(sa.select(MemberLibrary).where(MemberLibrary.code == "NU"))
        form = db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2023)).first()
        db.session.add(AnnualReturn(library_id=library.id, year=2023, form_id=form.id, status=ReturnStatus.ACCEPTED,
                                    values={"staff_total": 40}, notes={}, first_submitted_at=sa.func.now(),
                                    accepted_at=sa.func.now()))
        db.session.commit()
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    client.post("/libraries/NU/returns/2024", data=form_data(page, {"staff_total": 30}))
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    field = html.split('id="field-staff_total"')[1].split('class="return-field')[0]
    assert "last year" in field and "40" in field and "(-25.0 %)" in field


def test_the_form_loads_its_unsaved_edits_script_and_print_css_from_files(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert '<script src="/static/return-form.js" defer></script>' in html and "<script>" not in html
    assert 'href="/static/print.css" media="print"' in html
    script = client.get("/static/return-form.js").get_data(as_text=True)
    assert "beforeunload" in script
    assert "@media print" in client.get("/static/print.css").get_data(as_text=True)


def test_submit_goes_through_a_confirmation_page(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert 'value="confirm"' in page
    response = client.post("/libraries/NU/returns/2024", data=form_data(page, GOOD, "confirm"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/libraries/NU/returns/2024/submit")
    assert stored(app).status == ReturnStatus.DRAFT  # saved, not yet submitted
    confirm = client.get("/libraries/NU/returns/2024/submit")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "goes to the coordinator for review" in html
    assert client.post("/libraries/NU/returns/2024/submit", data={}).status_code == 400  # no CSRF token
    assert stored(app).status == ReturnStatus.DRAFT
    done = client.post("/libraries/NU/returns/2024/submit", data={"csrf_token": csrf_token_from(html)})
    assert done.status_code == 302 and stored(app).status == ReturnStatus.SUBMITTED
    assert client.get("/libraries/NU/returns/2024/submit").status_code == 409  # nothing left to submit


def test_a_return_with_errors_never_reaches_the_confirmation(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    response = client.post("/libraries/NU/returns/2024", data=form_data(page, {**GOOD, "staff_trained": 50}, "confirm"))
    assert response.status_code == 422 and "Not submitted" in response.get_data(as_text=True)
    assert stored(app).status == ReturnStatus.DRAFT
    token = csrf_token_from(client.get("/libraries/NU/returns/2024/submit").get_data(as_text=True))
    assert client.post("/libraries/NU/returns/2024/submit", data={"csrf_token": token}).status_code == 422
    assert stored(app).status == ReturnStatus.DRAFT


def test_other_libraries_cannot_use_the_confirmation(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="ENU")
    assert client.get("/libraries/NU/returns/2024/submit").status_code == 403


def test_closing_a_year_goes_through_a_confirmation_page(app, client):
    signed_in(app, client, Role.COORDINATOR)
    overview = client.get("/returns?year=2024").get_data(as_text=True)
    assert 'href="/returns/2024/close"' in overview
    html = client.get("/returns/2024/close").get_data(as_text=True)
    assert "No library can save or submit its return for 2024 any more" in html
    with app.app_context():
        assert db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024)).first().closed_at is None
    client.post("/returns/2024/closed", data={"csrf_token": csrf_token_from(html), "closed": "1"})
    with app.app_context():
        assert db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024)).first().closed_at is not None
    assert "already closed" in client.get("/returns/2024/close").get_data(as_text=True)
