"""Every API error is application/problem+json with type, title, status and detail; never a stack trace."""

from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_400_malformed_json(client):
    response = client.post("/api/v1/auth/token", data='{"email": ', content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_401_not_authenticated(client):
    assert_problem(client.get("/api/v1/me"), 401)


def test_404_unknown(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404)


def test_405_wrong_method(client):
    response = client.put("/api/v1/me", json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_409_refused_state_change(app, client):
    account = make_user(app, Role.OBSERVER)
    from tests.conftest import csrf_token_from, login

    login(client, account.email, account.password)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert_problem(client.delete("/api/v1/auth/token", headers={"X-CSRFToken": token}), 409)


def test_413_body_too_large(client):
    response = client.post("/api/v1/auth/token", data=b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}',
                           content_type="application/json")
    assert_problem(response, 413)


def test_413_over_the_global_limit(client):
    response = client.post("/api/v1/auth/token", data=b"x" * (7 * 1024 * 1024), content_type="application/json")
    assert_problem(response, 413)


def test_415_body_not_json(client):
    response = client.post("/api/v1/auth/token", data="email=a&password=b",
                           content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_422_invalid_values_are_flat(client):
    response = client.post("/api/v1/auth/token", json={"email": 5})
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"email", "password"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_422_json_that_is_not_an_object(client):
    assert_problem(client.post("/api/v1/auth/token", json=[1, 2]), 422)


def test_403_authenticated_but_not_allowed(error_app):
    with error_app.app_context():
        account = make_user(error_app, Role.OBSERVER)
    client = error_app.test_client()
    assert_problem(client.get("/api/v1/raising/admin-only", headers=api_token(client, account.email, account.password)), 403)


def test_409_from_an_operation(error_app):
    body = assert_problem(error_app.test_client().get("/api/v1/raising/conflict"), 409)
    assert body["errors"] == {"status": ["Allowed: in_progress."]}


def test_409_from_abort(error_app):
    assert_problem(error_app.test_client().get("/api/v1/raising/aborted"), 409)


def test_412_stale(error_app):
    assert_problem(error_app.test_client().get("/api/v1/raising/stale"), 412)


def test_428_precondition_required(error_app):
    assert_problem(error_app.test_client().get("/api/v1/raising/precondition"), 428)


def test_422_from_an_operation(error_app):
    body = assert_problem(error_app.test_client().get("/api/v1/raising/invalid"), 422)
    assert body["errors"] == {"progress_percent": ["A whole number from 0 to 100."]}


def test_500_has_no_stack_trace(error_app):
    error_app.config["PROPAGATE_EXCEPTIONS"] = False
    body = assert_problem(error_app.test_client().get("/api/v1/raising/boom"), 500)
    assert "passwd" not in body["detail"]


def test_a_route_without_a_declaration_is_refused(error_app):
    assert error_app.test_client().get("/api/v1/raising/undeclared").status_code == 403


def test_html_errors_are_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_nul_characters_are_refused_everywhere(app, client):
    assert_problem(client.get("/api/v1/libraries?q=a%00b"), 400)
    assert_problem(client.post("/api/v1/auth/token", data='{"email": "a\\u0000b", "password": "x"}',
                               content_type="application/json"), 400)
    assert client.post("/login", data={"email": "a\x00b", "password": "x"}).status_code == 400
