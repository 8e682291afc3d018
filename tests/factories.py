"""Making users for tests through the same operation the CLI uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask import Flask

from association.extensions import db
from association.users.models import Role
from association.users.operations import create_user

PASSWORD = "tulip steppe archive 42"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    password: str = PASSWORD


def make_user(app: Flask, *roles: Role | str, committees: list[tuple[str, bool]] = (),
              library: str | None = None, email: str | None = None, locale: str | None = None) -> Account:
    """Create and commit (to the test's savepoint) a user; answers its id, e-mail and password."""
    email = email or f"user{next(_sequence)}@example.org"
    with app.app_context():
        user = create_user(email, f"Test {email}", PASSWORD, list(roles), committees=list(committees),
                           library_code=library, locale=locale)
        db.session.commit()
        return Account(user.id, user.email)
