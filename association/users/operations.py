"""Creating users and changing their roles, memberships and passwords."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import sqlalchemy as sa

from association.auth.passwords import hash_password
from association.committees.models import Committee, CommitteeMembership
from association.core.errors import ValidationFailed
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users.models import Role, User, UserRole

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The list of passwords refused as too common (association/auth/common_passwords.txt)."""
    text = resources.files("association.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password_policy(password: str) -> None:
    """ASVS: at least 12 characters, at least 64 accepted (we take 128), and not a well-known password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("The password is too short.",
                               {"password": [f"At least {MIN_PASSWORD_LENGTH} characters."]})
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed("The password is too long.",
                               {"password": [f"At most {MAX_PASSWORD_LENGTH} characters."]})
    if password.strip().lower() in common_passwords() or len(set(password)) <= 2:
        raise ValidationFailed("The password is too common.",
                               {"password": ["This password is too common; choose another."]})


def create_user(email: str, name: str, password: str, roles: Sequence[Role | str], *,
                committees: Sequence[tuple[str, bool]] = (), library_code: str | None = None,
                locale: str | None = None) -> User:
    """Create an account with its roles; `committees` is a list of (code, chair) and implies committee_member."""
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 254:
        errors.setdefault("email", []).append("Not a valid e-mail address.")
    elif db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        errors.setdefault("email", []).append("A user with this e-mail already exists.")
    if not name.strip():
        errors.setdefault("name", []).append("A name is required.")
    try:
        wanted = {Role(role) for role in roles}
    except ValueError:
        wanted = set()
        errors.setdefault("role", []).append(f"Roles are: {', '.join(r.value for r in Role)}.")
    if committees:
        wanted.add(Role.COMMITTEE_MEMBER)
    if library_code:
        wanted.add(Role.LIBRARY_REP)
    if not wanted and "role" not in errors:
        errors.setdefault("role", []).append("At least one role is required.")

    committee_rows = []
    for code, chair in committees:
        committee = db.session.scalar(sa.select(Committee).where(Committee.code == code.upper()))
        if committee is None:
            errors.setdefault("committee", []).append(f"Unknown committee {code!r}.")
        else:
            committee_rows.append((committee, chair))
    library = None
    if library_code:
        library = db.session.scalar(sa.select(MemberLibrary).where(MemberLibrary.code == library_code.upper()))
        if library is None:
            errors.setdefault("library", []).append(f"Unknown library {library_code!r}.")
    elif Role.LIBRARY_REP in wanted:
        errors.setdefault("library", []).append("A library representative needs a library.")
    if Role.COMMITTEE_MEMBER in wanted and not committee_rows and "committee" not in errors:
        errors.setdefault("committee", []).append("A committee member needs at least one committee.")
    try:
        check_password_policy(password)
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if errors:
        raise ValidationFailed("The user was not created.", errors)

    user = User(email=email, name=name.strip(), password_hash=hash_password(password), locale=locale,
                library_id=library.id if library else None)
    user.roles = [UserRole(role=role) for role in sorted(wanted)]
    user.memberships = [CommitteeMembership(committee=c, chair=chair) for c, chair in committee_rows]
    db.session.add(user)
    db.session.flush()
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language."""
    if locale not in ("kk", "ru", "en"):
        raise ValidationFailed("Unknown language.", {"locale": ["One of kk, ru, en."]})
    user.locale = locale


def change_password(user: User, new_password: str) -> None:
    """Set a new password; every other session and every API token of the user stops working."""
    from association.auth.operations import revoke_all_tokens
    from association.auth.sessions import current_session, end_all_sessions

    check_password_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.session_generation += 1
    end_all_sessions(user, "password_changed", keep=current_session())
    revoke_all_tokens(user)
