"""Hostile request bodies (issue 14's table): deep nesting, lone surrogates, oversized chunked bodies. Each is a
4xx problem+json, answered quickly, with nothing stored; and responses carrying secrets or values are no-store."""

import io
import time  # CPU time of this process (the test client runs in it): a loaded machine does not inflate it

import pytest
import sqlalchemy as sa

from association.core.parsing import MAX_JSON_DEPTH, InputRefused, json_depth, parse_json
from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskHistory
from association.users.models import Role
from tests.conftest import api_token, csrf_token_from, headers_for, login
from tests.factories import make_user
from tests.returns.test_api import GOOD, library_id, url


def nested(depth: int) -> bytes:
    return b'{"comment": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.fixture
def task(app, client):
    headers = headers_for(app, client, Role.COORDINATOR)
    with app.app_context():
        task_id = db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2"))
    etag = client.get(f"/api/v1/tasks/{task_id}", headers=headers).headers["ETag"]
    return task_id, {**headers, "If-Match": etag, "Content-Type": "application/json"}


def history_count(app, task_id):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(TaskHistory)
                                 .where(TaskHistory.task_id == task_id))


def assert_refused(response, status, started):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert time.process_time() - started < 2


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 100_000])
def test_deep_nesting_in_a_task_patch_is_400(app, client, task, depth):
    task_id, headers = task
    before = history_count(app, task_id)
    started = time.process_time()
    assert_refused(client.patch(f"/api/v1/tasks/{task_id}", data=nested(depth), headers=headers), 400, started)
    assert history_count(app, task_id) == before


def test_nesting_within_the_limit_is_parsed(app, client, task):
    task_id, headers = task
    response = client.patch(f"/api/v1/tasks/{task_id}", data=nested(MAX_JSON_DEPTH - 1), headers=headers)
    assert response.status_code == 422  # parsed, then refused by the schema (a comment is text)


@pytest.mark.parametrize("depth", [5000, 100_000])
def test_deep_nesting_in_a_return_put_is_400_and_keeps_the_draft(app, client, depth):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(url(nu), json={"values": GOOD}, headers=rep).status_code == 200
    body = b'{"values": {"staff_total": ' + b"[" * depth + b"]" * depth + b"}}"
    started = time.process_time()
    response = client.put(url(nu), data=body, headers={**rep, "Content-Type": "application/json"})
    assert_refused(response, 400, started)
    assert client.get(url(nu), headers=rep).get_json()["values"]["staff_total"] == GOOD["staff_total"]


@pytest.mark.parametrize("text", [b'"\\ud800"', b'"a\\udfffb"', b'"\\ud83d"'])
def test_a_lone_surrogate_is_400(app, client, task, text):
    task_id, headers = task
    before = history_count(app, task_id)
    started = time.process_time()
    response = client.patch(f"/api/v1/tasks/{task_id}", data=b'{"comment": ' + text + b"}", headers=headers)
    assert_refused(response, 400, started)
    assert "Unicode" in response.get_json()["detail"]
    assert history_count(app, task_id) == before


def test_a_lone_surrogate_in_a_key_or_a_return_is_400(app, client):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    for body in (b'{"values": {"lms_name": "\\udc00"}}', b'{"values": {"\\ud800": 1}}'):
        response = client.put(url(nu), data=body, headers={**rep, "Content-Type": "application/json"})
        assert response.status_code == 400
    assert client.get(url(nu), headers=rep).status_code == 404  # nothing was created


def test_a_valid_surrogate_pair_is_accepted(app, client, task):
    task_id, headers = task
    response = client.patch(f"/api/v1/tasks/{task_id}", data=b'{"comment": "\\ud83d\\ude00"}', headers=headers)
    assert response.status_code == 200
    assert response.get_json()["progress_percent"] is not None


def test_invalid_utf8_is_400(app, client, task):
    task_id, headers = task
    response = client.patch(f"/api/v1/tasks/{task_id}", data=b'{"comment": "\xff\xfe"}', headers=headers)
    assert response.status_code == 400


def test_a_chunked_body_over_the_limit_is_413(app, client, task):
    task_id, headers = task
    body = b'{"comment": "' + b"x" * 1_500_000 + b'"}'
    started = time.process_time()
    response = client.patch(f"/api/v1/tasks/{task_id}", input_stream=io.BytesIO(body),
                            headers={**headers, "Transfer-Encoding": "chunked"},
                            environ_overrides={"wsgi.input_terminated": True})  # what gunicorn sets for chunked
    assert_refused(response, 413, started)


def test_a_chunked_body_within_the_limit_is_read(app, client, task):
    task_id, headers = task
    response = client.patch(f"/api/v1/tasks/{task_id}", input_stream=io.BytesIO(b'{"comment": "chunked"}'),
                            headers={**headers, "Transfer-Encoding": "chunked"},
                            environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 200


def test_a_declared_length_over_the_limit_is_413(app, client, task):
    task_id, headers = task
    response = client.patch(f"/api/v1/tasks/{task_id}", data=b'{"comment": "' + b"x" * 1_100_000 + b'"}',
                            headers=headers)
    assert response.status_code == 413


def test_the_upload_confirm_form_parses_its_json_under_the_same_limits(app, client):
    account = make_user(app, Role.LIBRARY_REP, library="NU")
    login(client, account.email, account.password)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post("/libraries/NU/returns/2024/upload/confirm",
                           data={"values": "[" * 50_000 + "]" * 50_000, "csrf_token": token})
    assert response.status_code == 400


def test_parse_json_limits():
    assert json_depth(b'{"a": "[[[[[", "b": [[1]]}') == 3
    assert json_depth(b'"\\"[["') == 0
    with pytest.raises(InputRefused):
        parse_json(b"[" * 33 + b"]" * 33)
    with pytest.raises(InputRefused):
        parse_json('{"a": "\\u0000"}')
    assert parse_json(b"[" * 32 + b"]" * 32) is not None


def test_no_store_on_signed_in_pages_tokens_password_forms_and_returns(app, client):
    account = make_user(app, Role.LIBRARY_REP, library="NU")
    token = client.post("/api/v1/auth/token", json={"email": account.email, "password": account.password})
    assert token.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"  # a password form
    headers = api_token(client, account.email, account.password)
    nu = library_id(app, "NU")
    assert client.put(url(nu), json={"values": GOOD}, headers=headers).headers["Cache-Control"] == "no-store"
    assert client.get(url(nu), headers=headers).headers["Cache-Control"] == "no-store"
    login(client, account.email, account.password)
    for path in ("/", "/account", "/libraries/NU/returns/2024", "/api/v1/me"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")
