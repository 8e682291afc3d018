"""/account and /admin/users."""

import re

import sqlalchemy as sa

from association.extensions import db
from association.users.models import Role, User
from tests.conftest import csrf_token_from, login
from tests.factories import PASSWORD, make_user


def signed_in(app, client, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    login(client, account.email, account.password)
    return account, csrf_token_from(client.get("/account").get_data(as_text=True))


def test_language_is_saved_for_the_user(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    response = client.post("/account/language", data={"locale": "kk", "csrf_token": csrf})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, account.id).locale == "kk"
    assert 'lang="kk"' in client.get("/account").get_data(as_text=True)


def test_unknown_language_is_refused(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    response = client.post("/account/language", data={"locale": "de", "csrf_token": csrf})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, account.id).locale is None


def test_password_change_needs_the_current_password(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    response = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": "another long password",
        "confirm": "another long password", "csrf_token": csrf})
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    assert client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD}).status_code == 201


def test_password_change_keeps_this_session_and_ends_the_others(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    other = app.test_client()
    login(other, account.email, account.password)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "another long password",
        "confirm": "another long password", "csrf_token": csrf})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert client.post("/api/v1/auth/token", json={
        "email": account.email, "password": "another long password"}).status_code == 201


def test_short_new_password_is_refused_beside_the_field(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm": "short", "csrf_token": csrf})
    assert response.status_code == 400
    assert 'id="new_password-errors"' in response.get_data(as_text=True)


def test_tokens_are_created_shown_once_and_revoked(app, client):
    account, csrf = signed_in(app, client, Role.OBSERVER)
    page = client.post("/account/tokens", data={"name": "my script", "csrf_token": csrf}).get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert token not in client.get("/account").get_data(as_text=True)
    token_id = re.search(r"/account/tokens/(\d+)/revoke", page).group(1)
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_another_users_token(app, client):
    owner = make_user(app, Role.OBSERVER)
    client.post("/api/v1/auth/token", json={"email": owner.email, "password": owner.password})
    from association.auth.models import ApiToken

    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == owner.id))
    _, csrf = signed_in(app, client, Role.ADMIN)
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_admin_lists_and_creates_users(app, client):
    _, csrf = signed_in(app, client, Role.ADMIN)
    assert client.get("/admin/users").status_code == 200
    response = client.post("/admin/users", data={
        "email": "New.Chair@example.org", "name": "New Chair", "roles": ["committee_member"], "committee": "EDU",
        "chair": "y", "library": "", "password": "a long initial password", "csrf_token": csrf})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "new.chair@example.org")).one()
        assert [(m.committee.code, m.chair) for m in user.memberships] == [("EDU", True)]


def test_admin_form_errors_are_shown_beside_the_fields(app, client):
    _, csrf = signed_in(app, client, Role.ADMIN)
    response = client.post("/admin/users", data={
        "email": "rep@example.org", "name": "Rep", "roles": ["library_rep"], "committee": "", "library": "",
        "password": "a long initial password", "csrf_token": csrf})
    assert response.status_code == 400
    assert "A library representative needs a library." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(sa.select(User).where(User.email == "rep@example.org")).first() is None


def test_only_admins_see_the_users_page(app, client):
    _, csrf = signed_in(app, client, Role.COORDINATOR)
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users", data={"csrf_token": csrf}).status_code == 403
