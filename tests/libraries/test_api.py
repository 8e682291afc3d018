"""/api/v1/libraries: registry, profile edits, membership, progress on the library-level measures."""

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import LibraryProgress, LibraryProgressHistory, MemberLibrary
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import headers_for


def library_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))


def task_id(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == code))


def test_registry_lists_libraries_with_the_spec_fields(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get("/api/v1/libraries?per_page=200", headers=headers).get_json()
    assert body["total"] == 28
    nu = next(item for item in body["items"] if item["code"] == "NU")
    for key in ("id", "code", "name", "university", "city", "region", "type", "membership_status", "overall_percent"):
        assert key in nu
    assert (nu["region"], nu["type"], nu["membership_status"], nu["overall_percent"]) == ("AST", "autonomous", "active", 0)
    assert client.get(f"/api/v1/libraries/{nu['id']}", headers=headers).get_json() == nu


@pytest.mark.parametrize(("query", "expected"), [
    ("region=AST", None), ("region=ast", None), ("status=active", 28), ("status=left", 0), ("code=nu", 1),
    ("type=private", None), ("q=Назарбаев", 1), ("q=назарбаев", 1), ("city=almaty", None),
])
def test_registry_filters(app, client, query, expected):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get(f"/api/v1/libraries?{query}&per_page=200", headers=headers).get_json()
    if expected is None:
        assert 0 < body["total"] < 28
    else:
        assert body["total"] == expected


def test_bad_registry_filters(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    for query in ("status=gone", "type=castle", "per_page=500"):
        assert client.get(f"/api/v1/libraries?{query}", headers=headers).status_code == 422


def test_progress_put_and_get_with_figures(app, client):
    nu = library_id(app, "NU")
    headers = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    for code, status in (("1.5", "done"), ("2.5", "done"), ("3.4", "not_applicable"), ("3.6", "in_progress")):
        response = client.put(f"/api/v1/libraries/{nu}/progress/{task_id(app, code)}",
                              json={"status": status, "evidence_url": "https://nu.edu.kz/x", "note": "Дәлел"},
                              headers=headers)
        assert response.status_code == 200, response.get_json()
    body = client.get(f"/api/v1/libraries/{nu}/progress", headers=headers).get_json()
    # 10 measures, 1 not applicable -> 9 applicable, 2 done -> 22 %
    assert body["overall_percent"] == 22
    assert len(body["measures"]) == 10
    done = next(m for m in body["measures"] if m["task_code"] == "1.5")
    assert (done["status"], done["evidence_url"], done["note"]) == ("done", "https://nu.edu.kz/x", "Дәлел")
    assert done["confirmed_by"] is None  # the library's own claim is not a confirmation
    untouched = next(m for m in body["measures"] if m["task_code"] == "5.11")
    assert (untouched["status"], untouched["updated_at"]) == ("not_started", None)
    registry = client.get("/api/v1/libraries?code=NU", headers=headers).get_json()["items"][0]
    assert registry["overall_percent"] == 22


def test_committee_member_confirms_and_is_recorded(app, client):
    nu, measure = library_id(app, "NU"), task_id(app, "1.5")  # 1.5 belongs to REG
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "done"}, headers=rep)
    member = headers_for(app, client, committees=[("REG", False)])
    response = client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "done"}, headers=member)
    assert response.status_code == 200
    assert response.get_json()["confirmed_by"].startswith("Test ")
    with app.app_context():
        history = db.session.scalars(sa.select(LibraryProgressHistory).order_by(LibraryProgressHistory.id)).all()
        assert [h.confirmation for h in history] == [False, True]
    other_committee = headers_for(app, client, committees=[("EDU", False)])
    assert client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "in_progress"},
                      headers=other_committee).status_code == 403


def test_progress_bad_input(app, client):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    measure = task_id(app, "1.5")
    cases = [
        ({"status": "finished"}, measure, 422, "status"),
        ({"status": "done", "evidence_url": "ftp://x.kz/file"}, measure, 422, "evidence_url"),
        ({"status": "done", "evidence_url": "javascript:alert(1)"}, measure, 422, "evidence_url"),
        ({"status": "done"}, task_id(app, "1.1"), 422, "task_id"),  # not library-level
        ({"status": "done", "colour": "red"}, measure, 422, "colour"),
    ]
    for body, task, status, field in cases:
        response = client.put(f"/api/v1/libraries/{nu}/progress/{task}", json=body, headers=rep)
        assert response.status_code == status, (body, response.get_json())
        assert field in response.get_json()["errors"]
    assert client.put(f"/api/v1/libraries/{nu}/progress/999999", json={"status": "done"}, headers=rep).status_code == 404
    assert client.put(f"/api/v1/libraries/999999/progress/{measure}", json={"status": "done"}, headers=rep).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LibraryProgress.id))) == 0


def test_another_librarys_progress_is_403_and_unchanged(app, client):
    enu = library_id(app, "ENU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    response = client.put(f"/api/v1/libraries/{enu}/progress/{task_id(app, '1.5')}", json={"status": "done"},
                          headers=rep)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LibraryProgress.id))) == 0
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.put(f"/api/v1/libraries/{enu}/progress/{task_id(app, '1.5')}", json={"status": "done"},
                      headers=observer).status_code == 403


def test_a_library_that_left_cannot_record_progress(app, client):
    nu = library_id(app, "NU")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    response = client.post(f"/api/v1/libraries/{nu}/membership",
                           json={"status": "left", "effective_on": "2025-01-31", "reason": "Merged"}, headers=coordinator)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["membership_status"], response.get_json()["left_on"]) == ("left", "2025-01-31")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    response = client.put(f"/api/v1/libraries/{nu}/progress/{task_id(app, '1.5')}", json={"status": "done"}, headers=rep)
    assert response.status_code == 409


def test_membership_changes(app, client):
    nu = library_id(app, "NU")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    same = client.post(f"/api/v1/libraries/{nu}/membership", json={"status": "active", "effective_on": "2025-01-01"},
                       headers=coordinator)
    assert same.status_code == 409
    early = client.post(f"/api/v1/libraries/{nu}/membership", json={"status": "suspended", "effective_on": "2000-01-01"},
                        headers=coordinator)
    assert early.status_code == 422
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.post(f"/api/v1/libraries/{nu}/membership", json={"status": "left", "effective_on": "2025-01-01"},
                       headers=rep).status_code == 403


def read_etag(client, headers, library):
    return client.get(f"/api/v1/libraries/{library}", headers=headers).headers["ETag"]


def test_representative_edits_only_contact_fields_of_their_own_library(app, client):
    nu, enu = library_id(app, "NU"), library_id(app, "ENU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    response = client.patch(f"/api/v1/libraries/{nu}", json={"phone": "+7 7172 70 60 00", "website": "https://library.nu.edu.kz"},
                            headers={**rep, "If-Match": read_etag(client, rep, nu)})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["phone"] == "+7 7172 70 60 00"
    response = client.patch(f"/api/v1/libraries/{nu}", json={"name_en": "Renamed"},
                            headers={**rep, "If-Match": read_etag(client, rep, nu)})
    assert response.status_code == 403
    response = client.patch(f"/api/v1/libraries/{enu}", json={"phone": "1"},
                            headers={**rep, "If-Match": read_etag(client, rep, enu)})
    assert response.status_code == 403
    assert client.patch(f"/api/v1/libraries/{nu}", json={"phone": "2"}, headers=rep).status_code == 428


def test_coordinator_registers_and_edits_libraries(app, client):
    coordinator = headers_for(app, client, Role.COORDINATOR)
    new = {"code": "TEST", "name_kk": "Сынақ кітапханасы", "name_ru": "Тестовая библиотека", "name_en": "Test Library",
           "university": "Test University", "city": "Astana", "region": "AST", "type": "private"}
    response = client.post("/api/v1/libraries", json=new, headers=coordinator)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert client.post("/api/v1/libraries", json=new, headers=coordinator).status_code == 422  # the code is taken
    assert client.post("/api/v1/libraries", json={**new, "code": "T2", "region": "XXX"}, headers=coordinator).status_code == 422
    etag = response.headers["ETag"]
    edited = client.patch(f"/api/v1/libraries/{created['id']}", json={"name_en": "Renamed Library"},
                          headers={**coordinator, "If-Match": etag})
    assert edited.get_json()["name"] == "Renamed Library"
    stale = client.patch(f"/api/v1/libraries/{created['id']}", json={"name_en": "Again"},
                         headers={**coordinator, "If-Match": etag})
    assert stale.status_code == 412
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.post("/api/v1/libraries", json={**new, "code": "T3"}, headers=rep).status_code == 403
