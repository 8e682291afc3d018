"""Files: allowed types by content, the size limit, empty files and zip bombs refused with nothing stored, the
download round trip with its headers, the read check on the owner every time, and orphans found by `flask files check`."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.files import storage
from association.files.models import OwnerType, StoredFile
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import headers_for
from tests.samples import ALLOWED, EXECUTABLE, HTML, PDF, PLAIN_ZIP, ZIP_BOMB_DOCX, upload


@pytest.fixture
def task_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2"))  # a REG task


@pytest.fixture
def member(app, client):
    return headers_for(app, client, committees=[("REG", False)])


def stored_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


def keys_on_disk(app) -> set[str]:
    with app.app_context():
        return set(storage.all_keys())


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_allowed_type_is_recognised_by_content_whatever_its_name(app, client, member, task_id, name):
    data, content_type = ALLOWED[name]
    response = upload(client, member, data, name="renamed.txt", task_id=task_id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == content_type
    assert (body["name"], body["size"], body["sha256"]) == ("renamed.txt", len(data), hashlib.sha256(data).hexdigest())
    assert set(body) >= {"id", "name", "content_type", "size", "sha256"}


def test_round_trip_download_is_an_attachment_with_the_stored_type_and_the_same_hash(app, client, member, task_id):
    created = upload(client, member, PDF, name="../../etc/Приказ №5.pdf", owner_type="task", owner_id=task_id)
    assert created.status_code == 201
    meta = created.get_json()
    assert meta["name"] == "Приказ №5.pdf"  # folders are dropped from the name
    reader = headers_for(app, client, Role.OBSERVER)
    response = client.get(f"/api/v1/files/{meta['id']}", headers=reader)
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == meta["sha256"]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    as_json = client.get(f"/api/v1/files/{meta['id']}", headers={**reader, "Accept": "application/json"})
    assert as_json.get_json() == {**meta}


@pytest.mark.parametrize(("data", "name"), [
    (HTML, "report.pdf"), (EXECUTABLE, "order.docx"), (PLAIN_ZIP, "figures.xlsx"), (b"just text", "notes.odt"),
    (ZIP_BOMB_DOCX, "regulation.docx"), (b"PK\x03\x04broken", "broken.docx"),
])
def test_content_that_is_not_allowed_is_refused_and_nothing_is_stored(app, client, member, task_id, data, name):
    before_rows, before_keys = stored_rows(app), keys_on_disk(app)
    response = upload(client, member, data, name=name, task_id=task_id)
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]["file"] and body["detail"]
    assert (stored_rows(app), keys_on_disk(app)) == (before_rows, before_keys)


def test_zip_bomb_is_named_as_such(app, client, member, task_id):
    response = upload(client, member, ZIP_BOMB_DOCX, name="regulation.docx", task_id=task_id)
    assert "zip bomb" in response.get_json()["detail"]


def test_empty_file_is_refused(app, client, member, task_id):
    response = upload(client, member, b"", name="empty.pdf", task_id=task_id)
    assert response.status_code == 422
    assert "empty" in response.get_json()["errors"]["file"][0]


def test_over_the_limit_is_413_and_nothing_is_stored(app, client, member, task_id, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_MAX_BYTES", 1024)
    before_keys = keys_on_disk(app)
    response = upload(client, member, PDF + b"0" * 2048, name="big.pdf", task_id=task_id)
    assert response.status_code == 413
    assert "larger than" in response.get_json()["detail"]
    far_over = upload(client, member, PDF + b"0" * (2 * 1024 * 1024), name="bigger.pdf", task_id=task_id)
    assert far_over.status_code == 413  # refused by the request's length, before the file is read
    assert keys_on_disk(app) == before_keys


def test_the_default_limit_is_20_mb_and_uploads_may_exceed_the_json_limit(app, client, member, task_id):
    assert app.config["FILE_MAX_BYTES"] == 20 * 1024 * 1024
    data = PDF + b"0" * (7 * 1024 * 1024)  # over the 6 MB request limit of other routes
    response = upload(client, member, data, name="scan.pdf", task_id=task_id)
    assert response.status_code == 201
    assert response.get_json()["size"] == len(data)


@pytest.mark.parametrize("who", ["observer", "other_member", "rep"])
def test_only_those_who_may_change_the_owner_attach_files(app, client, task_id, who):
    headers = {"observer": lambda: headers_for(app, client, Role.OBSERVER),
               "other_member": lambda: headers_for(app, client, committees=[("EDU", False)]),
               "rep": lambda: headers_for(app, client, Role.LIBRARY_REP, library="NU")}[who]()
    before = stored_rows(app)
    assert upload(client, headers, PDF, task_id=task_id).status_code == 403
    assert stored_rows(app) == before


@pytest.mark.parametrize(("form", "status"), [
    ({}, 422), ({"owner_type": "task"}, 422), ({"owner_type": "meal", "owner_id": 1}, 422),
    ({"owner_type": "task", "owner_id": 999999}, 404), ({"task_id": 1, "library_progress_id": 1}, 422),
])
def test_the_owner_must_be_named_once_and_exist(app, client, member, form, status):
    assert upload(client, member, PDF, **form).status_code == status


def test_upload_needs_multipart_and_other_routes_still_refuse_it(app, client, member, task_id):
    assert client.post("/api/v1/files", json={"task_id": task_id}, headers=member).status_code == 415
    response = client.patch(f"/api/v1/tasks/{task_id}", data={"comment": "x"}, headers=member,
                            content_type="multipart/form-data")
    assert response.status_code == 415


def test_anonymous_gets_neither_upload_nor_download(app, client, member, task_id):
    file_id = upload(client, member, PDF, task_id=task_id).get_json()["id"]
    assert client.get(f"/api/v1/files/{file_id}").status_code == 401
    assert upload(client, {}, PDF, task_id=task_id).status_code == 401
    assert client.get("/api/v1/files/999999", headers=member).status_code == 404


def test_removing_a_file_removes_its_bytes_and_only_writers_may(app, client, member, task_id):
    created = upload(client, member, PDF, task_id=task_id).get_json()
    with app.app_context():
        key = db.session.get(StoredFile, created["id"]).storage_key
    assert storage_has(app, key)
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.delete(f"/api/v1/files/{created['id']}", headers=observer).status_code == 403
    assert client.delete(f"/api/v1/files/{created['id']}", headers=member).status_code == 204
    assert not storage_has(app, key)
    assert client.get(f"/api/v1/files/{created['id']}", headers=member).status_code == 404


def storage_has(app, key: str) -> bool:
    with app.app_context():
        return storage.path_for(key).is_file()


def test_a_deleted_owner_takes_its_files_with_it(app, client, task_id):
    from association.roadmap.operations import create_task
    from association.users.models import User

    coordinator = headers_for(app, client, Role.COORDINATOR)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.roles.any(role=Role.COORDINATOR))).first()
        task = create_task(user, {"code": "9.8", "committee": "REG", "direction": 1, "title_kk": "а", "title_ru": "б",
                                  "title_en": "c", "planned_year": 2024, "due_date": __import__("datetime").date(2024, 5, 1)})
        db.session.commit()
        new_id = task.id
    created = upload(client, coordinator, PDF, task_id=new_id).get_json()
    with app.app_context():
        key = db.session.get(StoredFile, created["id"]).storage_key
        db.session.delete(db.session.get(RoadmapTask, new_id))
        db.session.commit()
        assert db.session.get(StoredFile, created["id"]) is None
    assert not storage_has(app, key)


def test_files_check_finds_orphans_and_deletes_them_when_asked(app, client, member, task_id):
    created = upload(client, member, PDF, task_id=task_id).get_json()
    runner = app.test_cli_runner()
    with app.app_context():
        storage.write("ab/" + "ab" * 16, b"stray")
        stored = StoredFile(name="gone.pdf", content_type="application/pdf", size=3, sha256="0" * 64,
                            storage_key="cd/" + "cd" * 16, owner_type=OwnerType.TASK, owner_id=task_id)
        ownerless = StoredFile(name="lost.pdf", content_type="application/pdf", size=3, sha256="0" * 64,
                               storage_key=db.session.get(StoredFile, created["id"]).storage_key + "x",
                               owner_type=OwnerType.TASK, owner_id=999999)
        db.session.add_all([stored, ownerless])
        db.session.commit()
        stored_id, ownerless_id = stored.id, ownerless.id
    result = runner.invoke(args=["files", "check"])
    assert result.exit_code == 1
    assert "unreferenced: ab/" in result.output
    assert f"missing: {stored_id} cd/" in result.output
    assert f"ownerless: {ownerless_id} task:999999" in result.output
    assert runner.invoke(args=["files", "check", "--delete"]).exit_code == 0
    with app.app_context():
        assert "ab/" + "ab" * 16 not in set(storage.all_keys())
        assert db.session.get(StoredFile, ownerless_id) is None


def test_evidence_of_a_librarys_progress_on_a_measure(app, client):
    from association.libraries.models import MemberLibrary

    with app.app_context():
        library = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
        measure = db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.5"))  # REG, library level
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert upload(client, rep, PDF, library_id=library, task_id=measure).status_code == 404  # no progress yet
    saved = client.put(f"/api/v1/libraries/{library}/progress/{measure}", json={"status": "in_progress"}, headers=rep)
    assert saved.status_code == 200
    created = upload(client, rep, PDF, name="order.pdf", library_id=library, task_id=measure)
    assert created.status_code == 201 and created.get_json()["owner_type"] == "library_progress"
    other_rep = headers_for(app, client, Role.LIBRARY_REP, library="ENU")
    assert upload(client, other_rep, PDF, library_id=library, task_id=measure).status_code == 403
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.get(f"/api/v1/files/{created.get_json()['id']}", headers=observer).data == PDF
    assert upload(client, rep, PDF, library_id=library).status_code == 422
