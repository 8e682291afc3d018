"""The library registry and library pages; the same number of queries with 3 libraries as with 300."""

import re
from datetime import date

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary
from association.roadmap.models import RoadmapTask
from association.users.models import Role, User
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user
from tests.forms import hidden_fields
from tests.querycount import count_queries


def signed_in(app, client, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    login(client, account.email, account.password)
    return account


def task_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == code))


def test_registry_page_filters(app, client):
    signed_in(app, client, Role.OBSERVER)
    html = client.get("/libraries?region=AST").get_data(as_text=True)
    assert "/libraries/NU" in html and "/libraries/KAZNU" not in html
    assert client.get("/libraries?type=castle&page=-1").status_code == 200


def test_library_page_shows_profile_measures_and_returns(app, client):
    signed_in(app, client, Role.OBSERVER)
    html = client.get("/libraries/nu").get_data(as_text=True)
    assert "Nazarbayev University Library" in html and "Назарбаев Университетінің кітапханасы" in html
    assert "1.5" in html and "5.11" in html
    assert "2024" in html and "Not started" in html
    assert client.get("/libraries/NOPE").status_code == 404
    assert 'name="m' not in html  # an observer gets no measure forms


def test_representative_updates_a_measure_from_the_page(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU").get_data(as_text=True)
    measure = task_id(app, "1.5")
    response = client.post(f"/libraries/NU/progress/{measure}", data={
        **hidden_fields(page, f"/libraries/NU/progress/{measure}"), f"m{measure}-status": "done",
        f"m{measure}-evidence_url": "https://nu.edu.kz/regulations", f"m{measure}-note": "Бекітілді"})
    assert response.status_code == 302
    html = client.get("/libraries/NU").get_data(as_text=True)
    assert "Бекітілді" in html and "1 of 10 applicable measures done" in html


def test_measure_form_errors_stay_beside_the_field(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU").get_data(as_text=True)
    measure = task_id(app, "1.5")
    response = client.post(f"/libraries/NU/progress/{measure}", data={
        **hidden_fields(page, f"/libraries/NU/progress/{measure}"), f"m{measure}-status": "done",
        f"m{measure}-evidence_url": "not a url"})
    assert response.status_code == 400
    assert f'id="m{measure}-evidence_url-errors"' in response.get_data(as_text=True)


def test_representative_cannot_touch_another_library(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/ENU").get_data(as_text=True)
    assert "Edit the contact details" not in page
    measure = task_id(app, "1.5")
    response = client.post(f"/libraries/ENU/progress/{measure}", data={
        "csrf_token": csrf_token_from(page), f"m{measure}-status": "done"})
    assert response.status_code == 403
    assert client.get("/libraries/ENU/edit").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LibraryProgress.id))) == 0


def test_representative_edits_contact_fields_only(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU/edit").get_data(as_text=True)
    assert 'name="phone"' in page and 'name="name_en"' not in page
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    response = client.post("/libraries/NU/edit", data={"csrf_token": csrf_token_from(page), "version": version,
                                                       "phone": "+7 7172 70 60 00", "name_en": "Hacked"})
    assert response.status_code == 302
    with app.app_context():
        library = db.session.scalars(sa.select(MemberLibrary).where(MemberLibrary.code == "NU")).one()
        assert (library.phone, library.name_en) == ("+7 7172 70 60 00", "Nazarbayev University Library")


def test_coordinator_registers_a_library_and_changes_membership(app, client):
    signed_in(app, client, Role.COORDINATOR)
    page = client.get("/libraries/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "code": "NEWLIB", "name_kk": "Жаңа", "name_ru": "Новая",
            "name_en": "New", "university": "New University", "city": "Astana", "region": "AST", "type": "private",
            "version": ""}
    assert client.post("/libraries/new", data=data).status_code == 302
    duplicate = client.post("/libraries/new", data=data)
    assert duplicate.status_code == 400 and 'id="code-errors"' in duplicate.get_data(as_text=True)
    page = client.get("/libraries/NEWLIB").get_data(as_text=True)
    response = client.post("/libraries/NEWLIB/membership", data={
        "csrf_token": csrf_token_from(page), "status": "suspended", "effective_on": "2025-03-01", "reason": "Dues"})
    assert response.status_code == 302
    html = client.get("/libraries/NEWLIB").get_data(as_text=True)
    assert "Suspended" in html and "Dues" in html


def keep_libraries(app, count):
    """Exactly `count` active libraries, each with progress on two measures."""
    with app.app_context():
        ids = db.session.scalars(sa.select(MemberLibrary.id).order_by(MemberLibrary.id)).all()
        if len(ids) > count:
            db.session.execute(sa.update(User).where(User.library_id.in_(ids[count:])).values(library_id=None))
            db.session.execute(sa.delete(MemberLibrary).where(MemberLibrary.id.in_(ids[count:])))
        region_id = db.session.scalar(sa.select(MemberLibrary.region_id).where(MemberLibrary.id == ids[0]))
        for n in range(max(count - len(ids), 0)):
            db.session.add(MemberLibrary(code=f"L{n:04d}", name_kk=f"к{n}", name_ru=f"б{n}", name_en=f"l{n}",
                                         university="U", city="Astana", region_id=region_id, type="state",
                                         joined_on=date(2020, 1, 1)))
        db.session.flush()
        measures = db.session.scalars(sa.select(RoadmapTask.id).where(RoadmapTask.library_level).limit(2)).all()
        db.session.execute(sa.delete(LibraryProgress))
        for library_id in db.session.scalars(sa.select(MemberLibrary.id)):
            for measure in measures:
                db.session.add(LibraryProgress(library_id=library_id, task_id=measure, status=MeasureStatus.DONE))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(MemberLibrary.id))) == count
        return ids[0]


def test_query_counts_do_not_grow_with_libraries(app, client):
    account = signed_in(app, client, Role.COORDINATOR)
    headers = api_token(app.test_client(), account.email, account.password)
    for warm in ({}, headers):
        client.get("/api/v1/me", headers=warm)  # the first request of a sign-in fills the identity cache (one more statement)
    first = keep_libraries(app, 3)
    pages = ["/", "/libraries", "/libraries/NU"]
    api = ["/api/v1/libraries?per_page=200", f"/api/v1/libraries/{first}/progress", "/api/v1/progress"]
    results = []
    for count in (3, 300):
        keep_libraries(app, count)
        counts = []
        for path in pages + api:
            with count_queries(app) as statements:
                response = client.get(path, headers=headers if path.startswith("/api") else {})
                assert response.status_code == 200, path
            counts.append(len(statements))
        results.append(counts)
    assert results[0] == results[1]
