"""Documents over the API: drafts of a committee, versions as checked uploads, comments, the coordinator's approval,
and who reads what before and after it."""

from __future__ import annotations

import hashlib
import io

import pytest

from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.querycount import count_queries
from tests.samples import DOCX, EXECUTABLE, PDF, ZIP_BOMB_DOCX

TITLES = {"kk": "Үлгілік ереже", "ru": "Типовое положение", "en": "Model regulation"}


@pytest.fixture
def people(app, client):
    accounts = {"member": make_user(app, committees=[("REG", False)]), "chair": make_user(app, committees=[("REG", True)]),
                "other": make_user(app, committees=[("EDU", False)]), "observer": make_user(app, Role.OBSERVER),
                "rep": make_user(app, Role.LIBRARY_REP, library="NU"), "coordinator": make_user(app, Role.COORDINATOR)}
    return {name: api_token(client, account.email, account.password) for name, account in accounts.items()}


def create(client, people, who="member", **body):
    return client.post("/api/v1/committees/REG/documents", json={"titles": TITLES, "tasks": ["1.2"], **body},
                       headers=people[who])


def version(client, people, document_id, data=DOCX, name="regulation.docx", note="First draft", who="member"):
    return client.post(f"/api/v1/documents/{document_id}/versions", headers=people[who],
                       data={"file": (io.BytesIO(data), name), "note": note}, content_type="multipart/form-data")


def status(client, people, document_id, value, who="member"):
    return client.patch(f"/api/v1/documents/{document_id}", json={"status": value}, headers=people[who])


def test_a_member_drafts_a_document_with_titles_in_three_languages(app, client, people):
    response = create(client, people)
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert (document["committee"], document["status"], document["titles"], document["tasks"]) == (
        "REG", "draft", TITLES, ["1.2"])
    assert document["versions"] == [] and document["comments"] == []


@pytest.mark.parametrize(("body", "field"), [({"titles": {"kk": "а", "ru": "б"}}, "titles.en"),
                                            ({"tasks": ["99.9"]}, "tasks"), ({"titles": {"kk": ""}}, "titles.kk")])
def test_bad_documents_are_422(app, client, people, body, field):
    response = create(client, people, **body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get("/api/v1/committees/REG/documents", headers=people["member"]).get_json()["total"] == 0


@pytest.mark.parametrize("who", ["other", "observer", "rep"])
def test_only_the_committee_and_the_coordinator_draft(app, client, people, who):
    assert create(client, people, who=who).status_code == 403
    assert create(client, people, who="coordinator").status_code == 201


def test_versions_are_checked_uploads_numbered_with_their_notes(app, client, people):
    document_id = create(client, people).get_json()["id"]
    first = version(client, people, document_id)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["number"], first.get_json()["note"]) == (1, "First draft")
    assert first.get_json()["file"]["sha256"] == hashlib.sha256(DOCX).hexdigest()
    second = version(client, people, document_id, data=PDF, name="regulation.pdf", note="After comments", who="chair")
    assert second.get_json()["number"] == 2
    for data, name in ((EXECUTABLE, "regulation.docx"), (ZIP_BOMB_DOCX, "bomb.docx"), (b"", "empty.pdf")):
        assert version(client, people, document_id, data=data, name=name).status_code == 422
    assert version(client, people, document_id, who="other").status_code == 403
    body = client.get(f"/api/v1/documents/{document_id}", headers=people["member"]).get_json()
    assert [v["number"] for v in body["versions"]] == [1, 2]
    download = client.get(f"/api/v1/files/{body['versions'][0]['file']['id']}", headers=people["member"])
    assert download.data == DOCX


def test_the_workflow_the_coordinator_approves_and_approved_is_final(app, client, people):
    document_id = create(client, people).get_json()["id"]
    assert status(client, people, document_id, "approved", who="coordinator").status_code == 409  # not from draft
    assert status(client, people, document_id, "for_comment").status_code == 200
    assert client.post(f"/api/v1/documents/{document_id}/comments", json={"text": "Section 3 needs a date"},
                       headers=people["chair"]).status_code == 201
    assert status(client, people, document_id, "approved", who="coordinator").status_code == 409  # no version yet
    version(client, people, document_id)
    assert status(client, people, document_id, "approved", who="chair").status_code == 403
    approved = status(client, people, document_id, "approved", who="coordinator")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["approved_at"]
    assert version(client, people, document_id).status_code == 409
    assert status(client, people, document_id, "draft").status_code == 409
    assert client.patch(f"/api/v1/documents/{document_id}", json={"titles": TITLES},
                        headers=people["coordinator"]).status_code == 409


def test_drafts_are_the_committees_approved_documents_everyones(app, client, people):
    document_id = create(client, people).get_json()["id"]
    file_id = version(client, people, document_id).get_json()["file"]["id"]
    for who, expected in (("member", 200), ("coordinator", 200), ("observer", 403), ("rep", 403), ("other", 403)):
        assert client.get(f"/api/v1/documents/{document_id}", headers=people[who]).status_code == expected, who
        download = client.get(f"/api/v1/files/{file_id}", headers=people[who])
        assert download.status_code == expected and (expected == 200) == (download.data == DOCX), who
    assert client.get("/api/v1/committees/REG/documents", headers=people["observer"]).get_json()["total"] == 0
    status(client, people, document_id, "for_comment")
    status(client, people, document_id, "approved", who="coordinator")
    for who in ("observer", "rep", "other"):
        assert client.get(f"/api/v1/documents/{document_id}", headers=people[who]).status_code == 200
        assert client.get(f"/api/v1/files/{file_id}", headers=people[who]).data == DOCX
    assert client.get("/api/v1/committees/REG/documents", headers=people["observer"]).get_json()["total"] == 1
    assert client.post(f"/api/v1/documents/{document_id}/comments", json={"text": "x"},
                       headers=people["observer"]).status_code == 403


def test_listing_documents_costs_the_same_for_many(app, client, people):
    version(client, people, create(client, people).get_json()["id"])
    with count_queries(app) as few:
        client.get("/api/v1/committees/REG/documents", headers=people["member"])
    for _ in range(4):
        version(client, people, create(client, people).get_json()["id"])
    with count_queries(app) as many:
        assert client.get("/api/v1/committees/REG/documents", headers=people["member"]).get_json()["total"] == 5
    assert len(many) == len(few)


def test_for_comment_may_be_written_with_a_space(app, client, people):
    document_id = create(client, people).get_json()["id"]
    assert status(client, people, document_id, "for comment").get_json()["status"] == "for_comment"
