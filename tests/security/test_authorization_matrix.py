"""The authorization matrix: every route of `app.url_map` × every kind of user of SPEC §1, with the expected
outcome. A route that is missing from the matrix fails the test, so no route ships without a decision.

"allowed" means the request got past authorization (any status but 401/403, or a redirect to the login page);
"denied" means 401 (API) or a redirect to /login (HTML) for anonymous users, and 403 for signed-in ones.
Objects: the library NU (its representative is `rep_own`, ENU's is `rep_other`), the REG task 1.2 and REG's measure
1.5 (`member_own` sits on REG, `member_other` on EDU, `chair` chairs REG)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import api_token, csrf_token_from, login
from tests.factories import make_user

ROLES = ("anonymous", "observer", "rep_own", "rep_other", "member_own", "member_other", "chair", "coordinator",
         "admin")
SIGNED = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"coordinator", "admin"})
ADMIN = frozenset({"admin"})
TASK_EDITORS = frozenset({"member_own", "chair"}) | STAFF
CHAIRS = frozenset({"chair"}) | STAFF
OWN_LIBRARY = frozenset({"rep_own"}) | STAFF
MEASURE_EDITORS = frozenset({"rep_own", "member_own", "chair"}) | STAFF
RETURN_READERS = frozenset({"rep_own", "observer"}) | STAFF
RETURN_EDITORS = frozenset({"rep_own", "admin"})
RETURN_EXPORTERS = frozenset({"observer", "rep_own", "rep_other"}) | STAFF

NEW_TASK = {"code": "9.9", "committee": "LIT", "direction": 5, "title_kk": "а", "title_ru": "б", "title_en": "c",
            "planned_year": 2024, "due_date": "2024-11-30"}

# (method, rule) -> (who is allowed, JSON body or form data)
MATRIX: dict[tuple[str, str], tuple[frozenset[str], object]] = {
    ("GET", "/static/<path:filename>"): (EVERYONE, None),
    ("GET", "/healthz"): (EVERYONE, None),
    ("GET", "/login"): (EVERYONE, None),
    ("POST", "/login"): (EVERYONE, {}),
    ("POST", "/language"): (EVERYONE, {"locale": "en"}),
    ("GET", "/api/v1/openapi.json"): (EVERYONE, None),
    ("GET", "/api/v1/docs"): (EVERYONE, None),
    ("GET", "/api/v1/docs/assets/<filename>"): (EVERYONE, None),
    ("POST", "/api/v1/auth/token"): (EVERYONE, {}),
    ("DELETE", "/api/v1/auth/token"): (SIGNED, None),
    ("POST", "/logout"): (SIGNED, {}),
    ("GET", "/"): (SIGNED, None),
    ("GET", "/my/returns"): (frozenset({"rep_own", "rep_other"}), None),
    ("GET", "/account"): (SIGNED, None),
    ("POST", "/account/language"): (SIGNED, {"locale": "en"}),
    ("POST", "/account/password"): (SIGNED, {"current_password": "not it", "new_password": "x", "confirm": "y"}),
    ("POST", "/account/tokens"): (SIGNED, {"name": "matrix"}),
    ("POST", "/account/tokens/<int:token_id>/revoke"): (SIGNED, {}),
    ("POST", "/account/sessions/<int:session_id>/end"): (SIGNED, {}),
    ("GET", "/admin/users"): (ADMIN, None),
    ("POST", "/admin/users"): (ADMIN, {}),
    ("GET", "/api/v1/me"): (SIGNED, None),
    ("GET", "/api/v1/committees"): (SIGNED, None),
    ("GET", "/api/v1/committees/<int:committee_id>"): (SIGNED, None),
    ("GET", "/api/v1/tasks"): (SIGNED, None),
    ("POST", "/api/v1/tasks"): (STAFF, NEW_TASK),
    ("POST", "/api/v1/tasks/bulk"): (CHAIRS, {"task_ids": ["<task_id>"], "status": "blocked"}),
    ("GET", "/api/v1/tasks/<int:task_id>"): (SIGNED, None),
    ("PATCH", "/api/v1/tasks/<int:task_id>"): (TASK_EDITORS, {"comment": "matrix"}),
    ("GET", "/api/v1/tasks/<int:task_id>/history"): (SIGNED, None),
    ("GET", "/api/v1/tasks/<int:task_id>/watch"): (SIGNED, None),
    ("PUT", "/api/v1/tasks/<int:task_id>/watch"): (SIGNED, None),
    ("DELETE", "/api/v1/tasks/<int:task_id>/watch"): (SIGNED, None),
    ("GET", "/api/v1/libraries"): (SIGNED, None),
    ("POST", "/api/v1/libraries"): (STAFF, {}),
    ("GET", "/api/v1/libraries/<int:library_id>"): (SIGNED, None),
    ("PATCH", "/api/v1/libraries/<int:library_id>"): (OWN_LIBRARY, {"phone": "1"}),
    ("POST", "/api/v1/libraries/<int:library_id>/membership"): (STAFF, {}),
    ("GET", "/api/v1/libraries/<int:library_id>/progress"): (SIGNED, None),
    ("PUT", "/api/v1/libraries/<int:library_id>/progress/<int:task_id>"): (MEASURE_EDITORS, {"status": "in_progress"}),
    ("GET", "/api/v1/libraries/<int:library_id>/returns/<int:year>"): (RETURN_READERS, None),
    ("PUT", "/api/v1/libraries/<int:library_id>/returns/<int:year>"): (RETURN_EDITORS, {"values": {}}),
    ("GET", "/api/v1/libraries/<int:library_id>/returns/<int:year>/history"): (RETURN_READERS, None),
    ("POST", "/api/v1/libraries/<int:library_id>/returns/<int:year>/submit"): (RETURN_EDITORS, {}),
    ("POST", "/api/v1/libraries/<int:library_id>/returns/<int:year>/return"): (STAFF, {"comment": "x"}),
    ("POST", "/api/v1/libraries/<int:library_id>/returns/<int:year>/accept"): (STAFF, {}),
    ("POST", "/api/v1/libraries/<int:library_id>/returns/<int:year>/reopen"): (STAFF, {"comment": "x"}),
    ("GET", "/api/v1/forms/<int:year>"): (SIGNED, None),
    ("GET", "/api/v1/forms/<int:year>/definition"): (STAFF, None),
    ("PUT", "/api/v1/forms/<int:year>/definition"): (STAFF, {}),
    ("POST", "/api/v1/forms/<int:year>/copy"): (STAFF, {}),
    ("PUT", "/api/v1/forms/<int:year>/closed"): (STAFF, {}),
    ("GET", "/api/v1/returns"): (SIGNED, None),
    ("GET", "/api/v1/progress"): (SIGNED, None),
    ("GET", "/api/v1/exports/progress"): (SIGNED, None),
    ("GET", "/api/v1/exports/returns"): (RETURN_EXPORTERS, None),
    ("GET", "/api/v1/exports/library-progress"): (SIGNED, None),
    ("GET", "/tasks"): (SIGNED, None),
    ("GET", "/tasks/new"): (STAFF, None),
    ("POST", "/tasks/new"): (STAFF, {}),
    ("GET", "/tasks/<int:task_id>"): (SIGNED, None),
    ("POST", "/tasks/<int:task_id>"): (TASK_EDITORS, {}),
    ("GET", "/tasks/<int:task_id>/edit"): (STAFF, None),
    ("POST", "/tasks/<int:task_id>/edit"): (STAFF, {}),
    ("POST", "/tasks/<int:task_id>/watch"): (SIGNED, {"watch": "1"}),
    ("GET", "/committees/<code>"): (SIGNED, None),
    ("POST", "/committees/<code>/bulk"): (CHAIRS, {}),
    ("GET", "/libraries"): (SIGNED, None),
    ("GET", "/libraries/new"): (STAFF, None),
    ("POST", "/libraries/new"): (STAFF, {}),
    ("GET", "/libraries/<code>"): (SIGNED, None),
    ("GET", "/libraries/<code>/edit"): (OWN_LIBRARY, None),
    ("POST", "/libraries/<code>/edit"): (OWN_LIBRARY, {}),
    ("POST", "/libraries/<code>/membership"): (STAFF, {}),
    ("POST", "/libraries/<code>/progress/<int:task_id>"): (MEASURE_EDITORS, {}),
    ("GET", "/libraries/<code>/returns/<int:year>"): (RETURN_READERS, None),
    ("POST", "/libraries/<code>/returns/<int:year>"): (RETURN_EDITORS, {"action": "save"}),
    ("POST", "/libraries/<code>/returns/<int:year>/review"): (STAFF, {"action": "accept"}),
    ("GET", "/libraries/<code>/returns/<int:year>/template.xlsx"): (RETURN_READERS, None),
    ("POST", "/libraries/<code>/returns/<int:year>/upload"): (RETURN_EDITORS, {}),
    ("POST", "/libraries/<code>/returns/<int:year>/upload/confirm"): (RETURN_EDITORS, {"values": "{}"}),
    ("GET", "/returns"): (SIGNED, None),
    ("POST", "/returns/<int:year>/closed"): (STAFF, {"closed": "1"}),
    ("GET", "/returns/<int:year>/close"): (STAFF, None),
    ("GET", "/libraries/<code>/returns/<int:year>/submit"): (RETURN_EDITORS, None),
    ("POST", "/libraries/<code>/returns/<int:year>/submit"): (RETURN_EDITORS, {}),
    ("POST", "/returns/<int:year>/copy"): (STAFF, {}),
    ("POST", "/returns/<int:year>/definition"): (STAFF, {}),
    ("POST", "/returns/bulk-accept"): (STAFF, {"year": "2024"}),
    ("GET", "/returns/remind"): (STAFF, None),
    ("POST", "/returns/remind"): (STAFF, {}),
    ("GET", "/exports"): (SIGNED, None),
    # committee work (issue 19): files on the REG task 1.2
    ("POST", "/api/v1/files"): (SIGNED, {}),
    ("GET", "/api/v1/files/<int:file_id>"): (SIGNED, None),
    ("DELETE", "/api/v1/files/<int:file_id>"): (TASK_EDITORS, None),
    ("GET", "/api/v1/tasks/<int:task_id>/comments"): (SIGNED, None),
    ("POST", "/api/v1/tasks/<int:task_id>/comments"): (TASK_EDITORS, {"text": "matrix"}),
}

ACCOUNTS = {
    "observer": dict(roles=[Role.OBSERVER]),
    "rep_own": dict(roles=[Role.LIBRARY_REP], library="NU"),
    "rep_other": dict(roles=[Role.LIBRARY_REP], library="ENU"),
    "member_own": dict(roles=[], committees=[("REG", False)]),
    "member_other": dict(roles=[], committees=[("EDU", False)]),
    "chair": dict(roles=[], committees=[("REG", True)]),
    "coordinator": dict(roles=[Role.COORDINATOR]),
    "admin": dict(roles=[Role.ADMIN]),
}


def routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_every_route_has_a_decision(app):
    assert routes(app) - set(MATRIX) == set(), "add the new route to the authorization matrix"
    assert set(MATRIX) - routes(app) == set(), "the matrix names a route that no longer exists"


def url_for_rule(rule: str, ids: dict) -> str:
    values = {"task_id": ids["task"], "library_id": ids["library"], "committee_id": ids["committee"], "year": 2024,
              "token_id": 999999, "session_id": 999999, "filename": "app.css", "file_id": ids.get("file"),
              "code": "REG" if rule.startswith("/committees/") else "NU"}
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)


@pytest.fixture
def world(app):
    with app.app_context():
        ids = {
            "task": db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2")),
            "measure": db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.5")),
            "library": db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU")),
            "committee": db.session.scalar(sa.text("SELECT id FROM committees WHERE code = 'REG'")),
        }
    ids["file"] = new_file(app, ids["task"])
    accounts = {role: make_user(app, *spec["roles"], committees=spec.get("committees", []),
                                library=spec.get("library")) for role, spec in ACCOUNTS.items()}
    return ids, accounts


def new_file(app, task_id: int) -> int:
    """A PDF attached to the task (each DELETE of the matrix removes a file of its own)."""
    from association.files.models import OwnerType
    from association.files.operations import store_file
    from association.users.models import User

    uploader = make_user(app, Role.ADMIN)
    with app.app_context():
        stored = store_file(db.session.get(User, uploader.id), OwnerType.TASK, db.session.get(RoadmapTask, task_id),
                            "matrix.pdf", b"%PDF-1.4 matrix")
        db.session.commit()
        return stored.id


def body_for(body, ids):
    if isinstance(body, dict) and "task_ids" in body:
        return {**body, "task_ids": [ids["task"]]}
    return body


def request(app, role, accounts, method, url, body, is_api):
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        account = accounts[role]
        if is_api:
            headers = api_token(client, account.email, account.password)
        else:
            login(client, account.email, account.password)
    if is_api:
        response = client.open(url, method=method, json=body if method != "GET" else None, headers=headers)
    else:
        page = client.get("/account" if role != "anonymous" else "/login").get_data(as_text=True)
        data = {**(body or {}), "csrf_token": csrf_token_from(page)} if method == "POST" else None
        response = client.open(url, method=method, data=data)
    response.get_data()  # a streamed export keeps its request context until it has been read and closed
    response.close()
    return response


def denied(response, role, is_api) -> bool:
    if role == "anonymous" and not is_api:
        return response.status_code == 302 and "/login" in response.headers.get("Location", "")
    return response.status_code in ((401,) if role == "anonymous" else (403,))


@pytest.mark.parametrize(("method", "rule"), sorted(MATRIX), ids=lambda value: value)
def test_route(app, world, method, rule):
    ids, accounts = world
    allowed, body = MATRIX[(method, rule)]
    if rule == "/api/v1/libraries/<int:library_id>/progress/<int:task_id>" or rule.startswith("/libraries/<code>/progress"):
        url = url_for_rule(rule, {**ids, "task": ids["measure"]})
    else:
        url = url_for_rule(rule, ids)
    is_api = rule.startswith("/api/") and rule not in ("/api/v1/docs", "/api/v1/docs/assets/<filename>")
    wrong = []
    for role in ROLES:
        if (method, rule) == ("DELETE", "/api/v1/files/<int:file_id>"):
            url = url_for_rule(rule, {**ids, "file": new_file(app, ids["task"])})
        response = request(app, role, accounts, method, url, body_for(body, ids), is_api)
        was_denied = denied(response, role, is_api)
        if was_denied == (role in allowed):
            wrong.append(f"{role}: {response.status_code} {'denied' if was_denied else 'allowed'}")
        assert response.status_code < 500, (role, response.status_code, response.get_data(as_text=True)[:300])
    assert wrong == [], f"{method} {rule}: " + "; ".join(wrong)
