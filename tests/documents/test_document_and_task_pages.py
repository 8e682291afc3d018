"""The document pages and the collaboration part of a task's page (owner, evidence files, discussion, approved
documents), with their refusals."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.samples import DOCX, HTML


def signed_in(app, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    client = app.test_client()
    login(client, account.email, account.password)
    return client, account


def token(client) -> str:
    return csrf_token_from(client.get("/account").get_data(as_text=True))


def post(client, url, data, **kwargs):
    return client.post(url, data={**data, "csrf_token": token(client)}, **kwargs)


def task_id(app, code="1.2") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == code))


def test_a_document_from_draft_to_approved_is_then_linked_from_its_task(app):
    member, _ = signed_in(app, committees=[("REG", False)])
    created = post(member, "/committees/REG/documents", {"title_kk": "Ереже", "title_ru": "Положение",
                                                         "title_en": "Regulation", "tasks": "1.2"})
    assert created.status_code == 302
    document_id = int(re.search(r"/documents/(\d+)$", created.headers["Location"]).group(1))
    refused = post(member, f"/documents/{document_id}/versions", {"file": (io.BytesIO(HTML), "x.docx")},
                   content_type="multipart/form-data")
    assert refused.status_code == 422 and "not an allowed type" in refused.get_data(as_text=True)
    uploaded = post(member, f"/documents/{document_id}/versions", {"file": (io.BytesIO(DOCX), "reg.docx"), "note": "v1"},
                    content_type="multipart/form-data")
    assert uploaded.status_code == 302
    assert post(member, f"/documents/{document_id}", {"status": "for_comment"}).status_code == 302
    assert post(member, f"/documents/{document_id}", {"status": "approved"}).status_code == 403
    observer, _ = signed_in(app, Role.OBSERVER)
    assert observer.get(f"/documents/{document_id}").status_code == 403
    assert f"/documents/{document_id}" not in observer.get(f"/tasks/{task_id(app)}").get_data(as_text=True)
    coordinator, _ = signed_in(app, Role.COORDINATOR)
    assert post(coordinator, f"/documents/{document_id}", {"status": "approved"}).status_code == 302
    page = observer.get(f"/documents/{document_id}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Бекітілді" in page and "reg.docx" in page
    task_page = observer.get(f"/tasks/{task_id(app)}").get_data(as_text=True)
    assert f"/documents/{document_id}" in task_page


def test_bad_document_form_comes_back_with_the_message(app):
    member, _ = signed_in(app, committees=[("REG", False)])
    response = post(member, "/committees/REG/documents", {"title_kk": "", "title_ru": "б", "title_en": "c"})
    assert response.status_code == 422 and "A title is needed in every language." in response.get_data(as_text=True)
    other, _ = signed_in(app, committees=[("EDU", False)])
    assert post(other, "/committees/REG/documents", {"title_kk": "а", "title_ru": "б", "title_en": "c"}).status_code == 403


def test_the_task_page_assigns_discusses_and_takes_evidence(app):
    chair, chair_account = signed_in(app, committees=[("REG", True)])
    member, member_account = signed_in(app, committees=[("REG", False)])
    the_task = task_id(app)
    assert post(member, f"/tasks/{the_task}/assignee", {"assignee": str(member_account.id)}).status_code == 403
    assert post(chair, f"/tasks/{the_task}/assignee", {"assignee": str(chair_account.id)}).status_code == 302
    page = chair.get(f"/tasks/{the_task}").get_data(as_text=True)  # the chair owns it now, and the page still works
    assert f'value="{chair_account.id}" selected' in page
    assert post(member, f"/tasks/{the_task}/comments", {"text": f"@{chair_account.email} see the scan"}).status_code == 302
    assert post(member, f"/tasks/{the_task}/files", {"file": (io.BytesIO(DOCX), "order.docx")},
                content_type="multipart/form-data").status_code == 302
    empty = post(member, f"/tasks/{the_task}/comments", {"text": "  "}, follow_redirects=True)
    assert "Write a comment." in empty.get_data(as_text=True)
    observer, _ = signed_in(app, Role.OBSERVER)
    page = observer.get(f"/tasks/{the_task}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "see the scan" in page and "order.docx" in page and "Обсуждение" in page
    assert 'name="text"' not in page.split('id="task-discussion"')[1]  # observers read, they do not write
    assert post(observer, f"/tasks/{the_task}/comments", {"text": "hello"}).status_code == 403
