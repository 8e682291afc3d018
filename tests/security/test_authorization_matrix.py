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
NAMED_VALUE_READERS = frozenset({"observer"}) | STAFF
PEER_GROUP_EDITORS = frozenset({"rep_own", "rep_other"}) | STAFF

# A planned REG meeting is read and changed by REG's members and the staff (the world's meeting is `held`, so that
# sending its invitations is a 409 rather than a call to a mail server)
MEETING_EDITORS = frozenset({"member_own", "chair"}) | STAFF
NEW_MEETING = {"starts_at": "2026-12-15T10:00:00+05:00", "place": "Room 204"}

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
    ("POST", "/account/notifications"): (SIGNED, {"kinds": []}),
    ("GET", "/admin/mail"): (ADMIN, None),
    ("POST", "/admin/users"): (ADMIN, {}),
    ("GET", "/api/v1/me"): (SIGNED, None),
    ("GET", "/password/forgot"): (EVERYONE, None),
    ("POST", "/password/forgot"): (EVERYONE, {}),
    ("GET", "/password/reset/<token>"): (EVERYONE, None),
    ("POST", "/password/reset/<token>"): (EVERYONE, {}),
    ("POST", "/api/v1/auth/password-reset"): (EVERYONE, {}),
    ("POST", "/api/v1/auth/password-reset/confirm"): (EVERYONE, {}),
    ("GET", "/admin/users/<int:user_id>"): (ADMIN, None),
    ("POST", "/admin/users/<int:user_id>"): (ADMIN, {}),
    ("POST", "/admin/users/<int:user_id>/deactivate"): (ADMIN, {}),
    ("POST", "/admin/users/<int:user_id>/reactivate"): (ADMIN, {}),
    ("POST", "/admin/users/<int:user_id>/password-reset"): (ADMIN, {}),
    ("POST", "/admin/users/<int:user_id>/unlock"): (ADMIN, {}),
    ("GET", "/api/v1/users/<int:user_id>"): (ADMIN, None),
    ("PATCH", "/api/v1/users/<int:user_id>"): (ADMIN, {}),
    ("POST", "/api/v1/users/<int:user_id>/deactivate"): (ADMIN, {}),
    ("POST", "/api/v1/users/<int:user_id>/reactivate"): (ADMIN, {}),
    ("POST", "/api/v1/users/<int:user_id>/password-reset"): (ADMIN, {}),
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
    ("POST", "/libraries/<code>/returns/<int:year>"): (RETURN_EDITORS, {"action": "save", "version": "1"}),
    ("POST", "/libraries/<code>/returns/<int:year>/review"): (STAFF, {"action": "accept"}),
    ("GET", "/libraries/<code>/returns/<int:year>/template.xlsx"): (RETURN_READERS, None),
    ("GET", "/libraries/<code>/returns/<int:year>/print"): (RETURN_READERS, None),
    ("GET", "/libraries/<code>/returns/<int:year>/print.pdf"): (RETURN_READERS, None),
    ("POST", "/libraries/<code>/returns/<int:year>/upload"): (RETURN_EDITORS, {}),
    ("POST", "/libraries/<code>/returns/<int:year>/upload/confirm"): (
        RETURN_EDITORS, {"values": '{"students_fte": 1}', "version": "1", "read_values": ""}),
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
    ("GET", "/api/v1/committees/<code>/meetings"): (SIGNED, None),
    ("POST", "/api/v1/committees/<code>/meetings"): (MEETING_EDITORS, NEW_MEETING),
    ("GET", "/api/v1/meetings/<int:meeting_id>"): (MEETING_EDITORS, None),
    ("PATCH", "/api/v1/meetings/<int:meeting_id>"): (MEETING_EDITORS, {"place": "Room 5"}),
    ("POST", "/api/v1/meetings/<int:meeting_id>/decisions"): (MEETING_EDITORS, {"text": "matrix"}),
    ("POST", "/api/v1/meetings/<int:meeting_id>/minutes"): (CHAIRS, {"agenda": [], "note": "x"}),
    ("POST", "/api/v1/meetings/<int:meeting_id>/invitations"): (MEETING_EDITORS, None),
    ("GET", "/api/v1/meetings/<int:meeting_id>/invitation.ics"): (MEETING_EDITORS, None),
    ("GET", "/api/v1/meetings/<int:meeting_id>/minutes.pdf"): (MEETING_EDITORS, None),
    ("GET", "/committees/<code>/meetings"): (SIGNED, None),
    ("POST", "/committees/<code>/meetings"): (MEETING_EDITORS, {"starts_at": "2026-12-15T10:00", "place": "x"}),
    ("GET", "/meetings/<int:meeting_id>"): (MEETING_EDITORS, None),
    ("POST", "/meetings/<int:meeting_id>"): (MEETING_EDITORS, {"action": "save"}),
    ("POST", "/meetings/<int:meeting_id>/decisions"): (MEETING_EDITORS, {"text": "matrix"}),
    ("POST", "/meetings/<int:meeting_id>/files"): (MEETING_EDITORS, {}),
    ("GET", "/api/v1/committees/<code>/documents"): (SIGNED, None),
    ("POST", "/api/v1/committees/<code>/documents"): (MEETING_EDITORS, {"title": "Matrix"}),
    ("GET", "/api/v1/documents/<int:document_id>"): (MEETING_EDITORS, None),
    ("PATCH", "/api/v1/documents/<int:document_id>"): (MEETING_EDITORS, {"title": "Matrix 2"}),
    ("POST", "/api/v1/documents/<int:document_id>/versions"): (SIGNED, None),  # JSON: 415 past the door
    ("POST", "/api/v1/documents/<int:document_id>/comments"): (MEETING_EDITORS, {"text": "matrix"}),
    ("GET", "/committees/<code>/documents"): (SIGNED, None),
    ("POST", "/committees/<code>/documents"): (MEETING_EDITORS, {"title_kk": "а", "title_ru": "б", "title_en": "c"}),
    ("GET", "/documents/<int:document_id>"): (MEETING_EDITORS, None),
    ("POST", "/documents/<int:document_id>"): (MEETING_EDITORS, {"status": "draft"}),
    ("POST", "/documents/<int:document_id>/versions"): (MEETING_EDITORS, {}),
    ("POST", "/documents/<int:document_id>/comments"): (MEETING_EDITORS, {"text": "matrix"}),
    ("POST", "/tasks/<int:task_id>/comments"): (TASK_EDITORS, {"text": "matrix"}),
    ("POST", "/tasks/<int:task_id>/assignee"): (CHAIRS, {"assignee": ""}),
    ("POST", "/tasks/<int:task_id>/files"): (TASK_EDITORS, {}),
    ("GET", "/api/v1/tasks/<int:task_id>/comments"): (SIGNED, None),
    ("POST", "/api/v1/tasks/<int:task_id>/comments"): (TASK_EDITORS, {"text": "matrix"}),
    ("GET", "/api/v1/indicators"): (SIGNED, None),
    ("GET", "/api/v1/indicators/<code>/values"): (NAMED_VALUE_READERS, None),
    ("GET", "/api/v1/libraries/<int:library_id>/benchmark"): (RETURN_READERS, None),
    ("GET", "/api/v1/peer-groups"): (SIGNED, None),
    ("POST", "/api/v1/peer-groups"): (PEER_GROUP_EDITORS, {}),
    ("GET", "/api/v1/peer-groups/<int:group_id>"): (SIGNED, None),
    ("DELETE", "/api/v1/peer-groups/<int:group_id>"): (PEER_GROUP_EDITORS, None),
    ("GET", "/indicators"): (SIGNED, None),
    ("GET", "/indicators/<code>"): (SIGNED, None),
    ("GET", "/indicators/table"): (NAMED_VALUE_READERS, None),
    ("GET", "/indicators/table.csv"): (NAMED_VALUE_READERS, None),
    ("GET", "/indicators/table.xlsx"): (NAMED_VALUE_READERS, None),
    ("GET", "/libraries/<code>/compare"): (RETURN_READERS, None),
    ("GET", "/libraries/<code>/compare.pdf"): (RETURN_READERS, None),
    ("GET", "/peer-groups"): (SIGNED, None),
    ("POST", "/peer-groups"): (PEER_GROUP_EDITORS, {}),
    ("POST", "/peer-groups/<int:group_id>/delete"): (PEER_GROUP_EDITORS, {}),
    ("GET", "/api/v1/programmes"): (SIGNED, None),
    ("POST", "/api/v1/programmes"): (STAFF, {"code": "MATRIX", "titles": {"kk": "а", "ru": "б", "en": "c"},
                                             "start_year": 2025, "end_year": 2027}),
    ("GET", "/api/v1/programmes/<code>"): (SIGNED, None),
    ("POST", "/api/v1/programmes/<code>/activate"): (STAFF, None),
    ("POST", "/api/v1/programmes/<code>/start-closeout"): (STAFF, None),
    ("GET", "/api/v1/programmes/<code>/closeout"): (SIGNED, None),
    ("PUT", "/api/v1/programmes/<code>/closeout/decisions/<task_code>"): (STAFF, {"action": "cancel", "comment": "x"}),
    ("POST", "/api/v1/programmes/<code>/close"): (STAFF, None),
    ("GET", "/programmes"): (SIGNED, None),
    ("POST", "/programmes/switch"): (SIGNED, {"programme": "MODERNIZATION"}),
    ("POST", "/programmes/<code>/activate"): (STAFF, {}),
    ("POST", "/programmes/<code>/start-closeout"): (STAFF, {}),
    ("GET", "/programmes/<code>/closeout"): (STAFF, None),
    ("POST", "/programmes/<code>/closeout/<task_code>"): (STAFF, {"action": "cancel", "comment": "x"}),
    ("POST", "/programmes/<code>/close"): (STAFF, {}),
    ("GET", "/api/v1/forms"): (SIGNED, None),
    ("GET", "/returns/<int:year>/definition/edit"): (STAFF, None),
    ("POST", "/returns/<int:year>/definition/edit"): (STAFF, {"action": "preview"}),
    ("GET", "/api/v1/programmes/<code>/closeout-report"): (frozenset({"observer"}) | STAFF, None),
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
              "token_id": 999999, "session_id": 999999, "user_id": ids.get("user", 999999), "token": "nope",
              "group_id": 999999, "filename": "app.css", "file_id": ids.get("file"),
              "meeting_id": ids.get("meeting"), "document_id": ids.get("document"), "task_code": "1.2",
              "code": "REG" if rule.startswith(("/committees/", "/api/v1/committees/")) else "NU"}
    if "programmes/<code>" in rule:
        values["code"] = "MODERNIZATION"  # the seed's programme
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule)


# Values of the objects behind the routes that only their readers may see: NU's 2024 return (values, explanation,
# the coordinator's comment), NU's name and the REG task 1.2's title. A refused request (401/403/404, or the
# anonymous redirect to the login page) must answer none of them, whatever path refused it.
RETURN_SECRETS = {"students_fte": 86420135, "lms_name": "MatrixSecretLMS"}
SECRETS = ("86420135", "86 420 135", "MatrixSecretLMS", "MatrixSecretNote", "MatrixSecretComment",
           "Nazarbayev University Library", "Назарбаев Университета", "Model Regulations")


def _start_return(library_id: int) -> None:
    from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus

    form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == 2024)
                                .order_by(ReturnForm.revision.desc()).limit(1))
    db.session.add(AnnualReturn(library_id=library_id, year=2024, form_id=form_id, status=ReturnStatus.DRAFT,
                                values=RETURN_SECRETS, notes={"students_fte": "MatrixSecretNote"},
                                review_comment="MatrixSecretComment"))
    db.session.commit()


@pytest.fixture
def world(app):
    with app.app_context():
        ids = {
            "task": db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.2")),
            "measure": db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.5")),
            "library": db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU")),
            "committee": db.session.scalar(sa.text("SELECT id FROM committees WHERE code = 'REG'")),
        }
        _start_return(ids["library"])
    ids["file"] = new_file(app, ids["task"])
    ids["meeting"] = new_meeting(app)
    ids["document"] = new_document(app)
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


def new_meeting(app) -> int:
    """A REG meeting that was held (its minutes not yet published)."""
    from datetime import UTC, datetime

    from association.committees.models import Committee
    from association.meetings.operations import create_meeting, update_meeting
    from association.users.models import User

    coordinator = make_user(app, Role.COORDINATOR)
    with app.app_context():
        user = db.session.get(User, coordinator.id)
        committee = db.session.scalars(sa.select(Committee).where(Committee.code == "REG")).one()
        meeting = create_meeting(user, committee, {"starts_at": datetime(2026, 12, 15, 5, tzinfo=UTC), "place": "x"})
        db.session.commit()
        from association.meetings.queries import get_meeting

        update_meeting(user, get_meeting(meeting.id), {"status": "held"})
        db.session.commit()
        return meeting.id


def new_document(app) -> int:
    """A REG draft document."""
    from association.committees.models import Committee
    from association.documents.operations import create_document
    from association.users.models import User

    coordinator = make_user(app, Role.COORDINATOR)
    with app.app_context():
        committee = db.session.scalars(sa.select(Committee).where(Committee.code == "REG")).one()
        document = create_document(db.session.get(User, coordinator.id), committee, {"title": "Matrix"})
        db.session.commit()
        return document.id


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
        if was_denied or response.status_code in (401, 403, 404):
            answer = response.get_data(as_text=True)
            leaked = [secret for secret in SECRETS if secret in answer]
            assert leaked == [], f"{method} {rule} refused {role} ({response.status_code}) but showed {leaked}"
    assert wrong == [], f"{method} {rule}: " + "; ".join(wrong)
