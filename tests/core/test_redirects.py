"""One safe-redirect rule for every `next`: the login, the language switch and the review form follow only paths
of this site; anything a browser could take elsewhere goes to the default page."""

from __future__ import annotations

import pytest

from association.core.redirects import is_local_path
from association.users.models import Role
from tests.conftest import csrf_token_from
from tests.factories import make_user

EVIL = ["https://evil.example/", "http://evil.example", "//evil.example", "///evil.example", "/\\evil.example",
        "\\\\evil.example", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "http:/evil.example",
        "/\t/evil.example", "/\n/evil.example", " //evil.example", "evil.example", "//evil.example/%2e%2e"]
LOCAL = ["/", "/tasks?committee=REG", "/libraries/NU/returns/2024#history", "/returns?year=2024&status=submitted"]


@pytest.mark.parametrize("target", EVIL)
def test_addresses_elsewhere_are_not_local(target):
    assert not is_local_path(target)


def test_nothing_is_not_local():
    assert not is_local_path("") and not is_local_path(None)


@pytest.mark.parametrize("target", LOCAL)
def test_paths_of_this_site_are_local(target):
    assert is_local_path(target)


@pytest.mark.parametrize("target", EVIL)
def test_login_never_leaves_the_site(app, client, target):
    account = make_user(app, Role.OBSERVER)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": account.email, "password": account.password,
                                           "csrf_token": token, "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_follows_a_local_next(app, client):
    account = make_user(app, Role.OBSERVER)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": account.email, "password": account.password,
                                           "csrf_token": token, "next": "/tasks?committee=REG"})
    assert response.headers["Location"] == "/tasks?committee=REG"


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_never_leaves_the_site(client, target):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"locale": "ru", "next": target, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_language_switch_follows_a_local_next(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"locale": "ru", "next": "/login?next=/tasks", "csrf_token": token})
    assert response.headers["Location"] == "/login?next=/tasks"
