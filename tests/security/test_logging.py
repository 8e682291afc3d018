"""Security logging: sign-ins, failures, denials, exports and role changes are audited; no password or token
ever reaches a log or the audit table."""

import logging

import sqlalchemy as sa

from association.audit.models import AuditEvent
from association.extensions import db
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user


def audit_text(app) -> str:
    with app.app_context():
        return " ".join(f"{e.action} {e.user_email} {e.before} {e.after} {e.detail}"
                        for e in db.session.scalars(sa.select(AuditEvent)))


def test_no_password_or_token_reaches_a_log(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    account = make_user(app, Role.OBSERVER)
    wrong = "wrong-password-" + "q" * 10
    client.post("/api/v1/auth/token", json={"email": account.email, "password": wrong})
    token = client.post("/api/v1/auth/token", json={"email": account.email, "password": account.password}).get_json()["token"]
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    login(client, account.email, account.password)
    page = client.get("/account").get_data(as_text=True)
    client.post("/account/password", data={"csrf_token": csrf_token_from(page), "current_password": account.password,
                                            "new_password": "a fresh password 2026", "confirm": "a fresh password 2026"})
    logged = caplog.text + audit_text(app)
    for secret in (account.password, wrong, token, "a fresh password 2026", "$argon2"):
        assert secret not in logged, secret


def test_security_events_are_audited_with_user_and_address(app, client):
    observer = make_user(app, Role.OBSERVER)
    login(client, observer.email, observer.password)
    client.get("/admin/users")  # denied
    client.get("/api/v1/exports/progress?format=csv").get_data()
    admin = make_user(app, Role.ADMIN)
    with app.app_context():
        actions = {e.action: e for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.user_id == observer.id))}
    assert {"login", "permission_denied", "export"} <= set(actions)
    assert actions["permission_denied"].detail == "GET /admin/users"
    assert actions["permission_denied"].ip_address == "127.0.0.1"
    with app.app_context():
        roles = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "user_roles",
                                                                AuditEvent.action == "create")).all()
        assert any(e.after and e.after.get("role") == "admin" and e.after.get("user_id") == admin.id for e in roles)


def test_object_level_denials_are_audited(app, client):
    from tests.conftest import api_token

    rep = make_user(app, Role.LIBRARY_REP, library="ENU")
    headers = api_token(client, rep.email, rep.password)
    with app.app_context():
        from association.libraries.models import MemberLibrary

        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    assert client.put(f"/api/v1/libraries/{nu}/returns/2024", json={"values": {}}, headers=headers).status_code == 403
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "permission_denied",
                                                               AuditEvent.user_id == rep.id)).one()
        assert event.detail == f"PUT /api/v1/libraries/{nu}/returns/2024"
