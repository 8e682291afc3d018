"""GET /api/v1/me for every role."""

import pytest

from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user

CASES = [
    (dict(roles=[Role.ADMIN]), {"roles": ["admin"], "committees": [], "library": None}),
    (dict(roles=[Role.COORDINATOR]), {"roles": ["coordinator"], "committees": [], "library": None}),
    (dict(roles=[Role.OBSERVER]), {"roles": ["observer"], "committees": [], "library": None}),
    (dict(roles=[Role.COMMITTEE_MEMBER], committees=[("REG", False)]),
     {"roles": ["committee_member"], "committees": [{"code": "REG", "chair": False}], "library": None}),
    (dict(roles=[], committees=[("EDU", True), ("REG", False)]),
     {"roles": ["committee_member"], "committees": [{"code": "EDU", "chair": True}, {"code": "REG", "chair": False}],
      "library": None}),
    (dict(roles=[Role.LIBRARY_REP], library="NU"), {"roles": ["library_rep"], "committees": [], "library": "NU"}),
    (dict(roles=[], committees=[("RES", False)], library="ENU"),
     {"roles": ["committee_member", "library_rep"], "committees": [{"code": "RES", "chair": False}], "library": "ENU"}),
]


@pytest.mark.parametrize(("spec", "expected"), CASES, ids=lambda v: str(v.get("roles", "")) if isinstance(v, dict) else "")
def test_me_per_role(app, client, spec, expected):
    account = make_user(app, *spec["roles"], committees=spec.get("committees", []), library=spec.get("library"))
    response = client.get("/api/v1/me", headers=api_token(client, account.email, account.password))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == account.id
    assert body["email"] == account.email
    assert body["name"] == f"Test {account.email}"
    for key, value in expected.items():
        assert body[key] == value


def test_me_anonymous_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
