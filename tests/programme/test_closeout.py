"""Programmes as a sequence and a whole close-out over the API and the HTML pages: decisions, the refusal while
tasks are undecided, closing, the carried-over tasks and their history, refusals on the closed programme, the
measures' progress kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import LibraryProgress, LibraryProgressHistory, MemberLibrary
from association.programme.models import Programme, ProgrammeStatus
from association.roadmap.models import RoadmapTask, TaskHistory, TaskStatus
from association.users.models import Role
from tests.conftest import csrf_token_from, headers_for, login
from tests.factories import make_user

OLD = "MODERNIZATION"
NEW = "P2025"
TITLES = {"kk": "2025–2027 бағдарламасы", "ru": "Программа 2025–2027", "en": "Programme 2025–2027"}


def create_next(client, headers, **extra):
    body = {"code": NEW, "titles": TITLES, "start_year": 2025, "end_year": 2027, "copy_directions_from": OLD, **extra}
    return client.post("/api/v1/programmes", json=body, headers=headers)


def task_id(code: str, programme: str = OLD) -> int:
    return db.session.scalar(sa.select(RoadmapTask.id).join(Programme, RoadmapTask.programme_id == Programme.id)
                             .where(RoadmapTask.code == code, Programme.code == programme))


@pytest.fixture
def coordinator(app, client):
    return headers_for(app, client, Role.COORDINATOR)


def test_the_seed_programme_is_active_with_its_tasks_planned(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get("/api/v1/programmes", headers=headers).get_json()
    assert [(p["code"], p["status"], p["start_year"], p["end_year"]) for p in body["items"]] == [
        (OLD, "active", 2022, 2024)]
    assert set(body["items"][0]) >= {"id", "code", "title", "start_year", "end_year", "status"}
    tasks = client.get("/api/v1/tasks?per_page=200", headers=headers).get_json()
    assert tasks["total"] == 35 and {t["status"] for t in tasks["items"]} == {"planned"}
    assert {t["programme"] for t in tasks["items"]} == {OLD} and {t["carried_from"] for t in tasks["items"]} == {None}
    assert client.get("/api/v1/tasks?programme=NOPE", headers=headers).status_code == 422
    assert client.get("/api/v1/progress?programme=NOPE", headers=headers).status_code == 422


def test_create_activate_and_their_refusals(app, client, coordinator):
    response = create_next(client, coordinator)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and [d["number"] for d in body["directions"]] == [1, 2, 3, 4, 5]
    assert create_next(client, coordinator).status_code == 409  # the code is taken
    bad = client.post("/api/v1/programmes", headers=coordinator, json={
        "code": "BAD", "titles": TITLES, "start_year": 2027, "end_year": 2025})
    assert bad.status_code == 422 and "end_year" in bad.get_json()["errors"]
    second = client.post(f"/api/v1/programmes/{NEW}/activate", headers=coordinator)
    assert second.status_code == 409 and OLD in second.get_json()["detail"]  # another programme is active
    assert client.post(f"/api/v1/programmes/{NEW}/start-closeout", headers=coordinator).status_code == 409
    observer = headers_for(app, client, Role.OBSERVER)
    assert create_next(client, observer, code="X").status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Programme.id))) == 2
        assert db.session.scalar(sa.select(Programme.status).where(Programme.code == NEW)) == ProgrammeStatus.DRAFT


def test_the_database_allows_one_active_programme(app):
    with app.app_context():
        db.session.add(Programme(code="TWO", titles=TITLES, roadmap_titles=TITLES, start_year=2025, end_year=2027,
                                 status=ProgrammeStatus.ACTIVE))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def decide(client, headers, code, body, programme=OLD):
    return client.put(f"/api/v1/programmes/{programme}/closeout/decisions/{code}", json=body, headers=headers)


def test_a_whole_closeout(app, client, coordinator):
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
        measure, started, finished = task_id("1.5"), task_id("1.2"), task_id("1.1")
    rep_headers = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "done"},
                      headers=rep_headers).status_code == 200
    etag = client.get(f"/api/v1/tasks/{started}", headers=coordinator).headers["ETag"]
    assert client.patch(f"/api/v1/tasks/{started}", json={"status": "in_progress", "progress_percent": 40},
                        headers={**coordinator, "If-Match": etag}).status_code == 200
    etag = client.get(f"/api/v1/tasks/{finished}", headers=coordinator).headers["ETag"]
    client.patch(f"/api/v1/tasks/{finished}", json={"status": "in_progress"}, headers={**coordinator, "If-Match": etag})
    etag = client.get(f"/api/v1/tasks/{finished}", headers=coordinator).headers["ETag"]
    client.patch(f"/api/v1/tasks/{finished}", json={"status": "done"}, headers={**coordinator, "If-Match": etag})

    assert create_next(client, coordinator).status_code == 201
    assert decide(client, coordinator, "1.2", {"action": "cancel", "comment": "x"}).status_code == 409  # not closing
    assert client.post(f"/api/v1/programmes/{OLD}/start-closeout", headers=coordinator).status_code == 200
    assert client.post(f"/api/v1/programmes/{OLD}/start-closeout", headers=coordinator).status_code == 409
    assert client.post(f"/api/v1/programmes/{NEW}/activate", headers=coordinator).status_code == 200

    closeout = client.get(f"/api/v1/programmes/{OLD}/closeout", headers=coordinator).get_json()
    assert closeout["status"] == "closing" and len(closeout["unfinished"]) == 34
    assert {row["decision"] for row in closeout["unfinished"]} == {None}
    assert {"task_code", "status", "decision"} <= set(closeout["unfinished"][0])

    # Bad input changes nothing.
    assert decide(client, coordinator, "1.1", {"action": "cancel", "comment": "x"}).status_code == 409  # done
    assert decide(client, coordinator, "9.99", {"action": "cancel", "comment": "x"}).status_code == 422
    same = decide(client, coordinator, "1.2", {"action": "carry_over", "to_programme": OLD})
    assert same.status_code == 422 and "to_programme" in same.get_json()["errors"]
    assert decide(client, coordinator, "1.2", {"action": "carry_over", "to_programme": "NOPE"}).status_code == 422
    assert decide(client, coordinator, "1.2", {"action": "carry_over"}).status_code == 422
    assert decide(client, coordinator, "1.2", {"action": "cancel"}).status_code == 422  # no reason
    assert decide(client, coordinator, "1.2", {"action": "carry_over", "to_programme": NEW,
                                               "due_date": "2030-01-01"}).status_code == 422
    assert decide(client, coordinator, "1.2", {"action": "pause"}).status_code == 422
    assert client.get(f"/api/v1/programmes/{OLD}/closeout", headers=coordinator).get_json()["summary"]["decided"] == 0

    ok = decide(client, coordinator, "1.2", {"action": "carry_over", "to_programme": NEW, "due_date": "2025-06-30",
                                             "comment": "continues"})
    assert ok.status_code == 200 and ok.get_json()["to_programme"] == NEW
    assert decide(client, coordinator, "1.5", {"action": "carry_over", "to_programme": NEW}).status_code == 200
    assert decide(client, coordinator, "1.3", {"action": "cancel", "comment": "superseded"}).status_code == 200
    refused = client.post(f"/api/v1/programmes/{OLD}/close", headers=coordinator)
    assert refused.status_code == 409
    undecided = set(refused.get_json()["errors"])
    assert len(undecided) == 31 and "1.4" in undecided and "1.2" not in undecided
    for code in sorted(undecided):
        assert decide(client, coordinator, code, {"action": "done", "comment": "finished"}).status_code == 200

    closed = client.post(f"/api/v1/programmes/{OLD}/close", headers=coordinator)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert client.post(f"/api/v1/programmes/{OLD}/close", headers=coordinator).status_code == 409

    new_tasks = client.get(f"/api/v1/tasks?programme={NEW}", headers=coordinator).get_json()["items"]
    carried = {t["carried_from"]["code"]: t for t in new_tasks}
    assert set(carried) == {"1.2", "1.5"}
    assert carried["1.2"] == {**carried["1.2"], "programme": NEW, "due_date": "2025-06-30", "status": "in_progress",
                              "progress_percent": 40, "carried_from": {"programme": OLD, "code": "1.2"}}
    assert carried["1.5"]["due_date"] == "2027-12-31" and carried["1.5"]["library_level"] is True
    assert {carried["1.2"]["code"], carried["1.5"]["code"]} == {"1.1", "1.2"}  # numbered afresh in direction 1
    old_tasks = {t["code"]: t for t in client.get(f"/api/v1/tasks?programme={OLD}&per_page=50",
                                                  headers=coordinator).get_json()["items"]}
    assert old_tasks["1.2"]["status"] == "carried_over" and old_tasks["1.3"]["status"] == "cancelled"
    assert old_tasks["1.4"]["status"] == "done" and old_tasks["1.4"]["progress_percent"] == 100
    history = client.get(f"/api/v1/tasks/{started}/history", headers=coordinator).get_json()["items"]
    assert history[0]["to_status"] == "carried_over" and NEW in history[0]["comment"]
    # The default programme is now the new active one.
    assert client.get("/api/v1/tasks", headers=coordinator).get_json()["total"] == 2
    assert client.get("/api/v1/progress", headers=coordinator).get_json()["programme"] == NEW
    old_progress = client.get(f"/api/v1/progress?programme={OLD}", headers=coordinator).get_json()
    assert old_progress["tasks"]["by_status"]["carried_over"] == 2 and old_progress["tasks"]["overdue"] == 0

    # The closed programme refuses every change, in the API and the operations behind the HTML.
    etag = client.get(f"/api/v1/tasks/{started}", headers=coordinator).headers["ETag"]
    assert client.patch(f"/api/v1/tasks/{started}", json={"comment": "late"},
                        headers={**coordinator, "If-Match": etag}).status_code == 409
    assert client.patch(f"/api/v1/tasks/{started}", json={"title_en": "Renamed"},
                        headers={**coordinator, "If-Match": etag}).status_code == 409
    assert client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "in_progress"},
                      headers=rep_headers).status_code == 409
    assert client.post("/api/v1/tasks", headers=coordinator, json={
        "programme": OLD, "code": "9.9", "committee": "LIT", "direction": 5, "title_kk": "а", "title_ru": "б",
        "title_en": "c", "planned_year": 2024, "due_date": "2024-11-30"}).status_code == 409
    assert decide(client, coordinator, "1.4", {"action": "cancel", "comment": "x"}).status_code == 409

    # The measure carried over keeps the library's progress, with its history.
    with app.app_context():
        new_measure = carried["1.5"]["id"]
        row = db.session.scalars(sa.select(LibraryProgress).where(LibraryProgress.task_id == new_measure,
                                                                  LibraryProgress.library_id == nu)).one()
        assert row.status.value == "done"
        entries = db.session.scalars(sa.select(LibraryProgressHistory).where(
            LibraryProgressHistory.progress_id == row.id)).all()
        assert [e.to_status.value for e in entries] == ["done"] and entries[0].user_id is not None
        assert db.session.scalar(sa.select(TaskHistory.comment).where(TaskHistory.task_id == new_measure)).startswith(
            "Carried over from")
        assert db.session.get(RoadmapTask, measure).status == TaskStatus.CARRIED_OVER
    library = client.get(f"/api/v1/libraries/{nu}/progress", headers=rep_headers).get_json()
    assert {m["task_id"]: m["status"] for m in library["measures"]}[new_measure] == "done"


def test_the_closeout_page(app, client):
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    headers = headers_for(app, client, Role.COORDINATOR)
    create_next(client, headers)
    page = client.get("/programmes")
    assert page.status_code == 200 and NEW in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    assert client.post(f"/programmes/{OLD}/start-closeout", data={"csrf_token": token}).status_code == 302
    page = client.get(f"/programmes/{OLD}/closeout")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1.2" in text and "No decision yet" in text
    with app.app_context():
        tid = task_id("1.2")
    bad = client.post(f"/programmes/{OLD}/closeout/1.2", data={
        "csrf_token": token, "task_id": tid, f"t{tid}-action": "cancel", f"t{tid}-comment": ""})
    assert bad.status_code == 422 and "Required." in bad.get_data(as_text=True)
    good = client.post(f"/programmes/{OLD}/closeout/1.2", data={
        "csrf_token": token, "task_id": tid, f"t{tid}-action": "carry_over", f"t{tid}-to_programme": NEW})
    assert good.status_code == 302
    refused = client.post(f"/programmes/{OLD}/close", data={"csrf_token": token})
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(Programme.status).where(Programme.code == OLD)) == ProgrammeStatus.CLOSING


def test_dashboards_and_lists_of_both_programmes(app, client):
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    create_next(client, headers_for(app, client, Role.COORDINATOR))
    old = client.get("/").get_data(as_text=True)
    assert "Modernization" in old or OLD in old
    new = client.get(f"/?programme={NEW}").get_data(as_text=True)
    assert "Programme 2025–2027" in new
    assert "1.2" not in client.get(f"/tasks?programme={NEW}").get_data(as_text=True).split("<tbody>")[-1]
    token = csrf_token_from(client.get("/programmes").get_data(as_text=True))
    assert client.post("/programmes/switch", data={"csrf_token": token, "programme": NEW}).status_code == 302
    assert "Programme 2025–2027" in client.get("/tasks").get_data(as_text=True)
    assert "Programme 2025–2027" in client.get("/committees/REG").get_data(as_text=True)


def test_exports_take_a_programme(app, client, coordinator):
    import csv
    import io

    assert create_next(client, coordinator).status_code == 201
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme).where(Programme.code == NEW))
        direction = db.session.scalar(sa.text("SELECT id FROM directions WHERE programme_id = :p AND number = 2"),
                                      {"p": programme.id})
    created = client.post("/api/v1/tasks", headers=coordinator, json={
        "programme": NEW, "code": "2.1", "committee": "EDU", "direction": 2, "title_kk": "жаңа", "title_ru": "новая",
        "title_en": "new", "planned_year": 2025, "due_date": "2025-10-01", "library_level": True})
    assert created.status_code == 201 and created.get_json()["programme"] == NEW and direction
    def text(url: str) -> str:
        return client.get(url, headers=coordinator).get_data(as_text=True).lstrip("\ufeff")

    rows = list(csv.DictReader(io.StringIO(text(f"/api/v1/exports/progress?format=csv&programme={NEW}"))))
    assert [row["task_code"] for row in rows] == ["2.1"]
    assert len(list(csv.DictReader(io.StringIO(text("/api/v1/exports/progress?format=csv"))))) == 35
    header = next(csv.reader(io.StringIO(text(f"/api/v1/exports/library-progress?format=csv&programme={NEW}"))))
    assert "2.1" in header and "1.5" not in header
    assert client.get("/api/v1/exports/progress?format=csv&programme=NOPE", headers=coordinator).status_code == 422
    assert client.get(f"/api/v1/exports/progress?format=xlsx&programme={NEW}", headers=coordinator).status_code == 200
