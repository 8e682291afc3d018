"""Creating users and changing their roles, memberships and passwords."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from association.audit.operations import record_event
from association.auth.passwords import hash_password
from association.committees.models import Committee, CommitteeMembership
from association.core.errors import StaleVersion, StateConflict, ValidationFailed
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


# --- The life of an account: editing, deactivating, reactivating (the admin's acts, audited with before/after) ---

EDITABLE = ("name", "email", "locale", "roles", "committees", "library")


def describe_access(user: User) -> dict[str, Any]:
    """What an admin edits of a user, as plain values (for the audit log's before/after and the conflict page)."""
    from association.libraries.models import MemberLibrary as Library

    library = None
    if user.library_id is not None:
        library = db.session.scalar(sa.select(Library.code).where(Library.id == user.library_id))
    return {
        "name": user.name, "email": user.email, "locale": user.locale, "roles": user.role_names,
        "committees": sorted([m.committee.code, bool(m.chair)] for m in user.memberships),
        "library": library, "active": user.is_active_account,
    }


def _admins_left_without(user: User) -> int:
    """How many active admins there would be besides `user`."""
    return int(db.session.scalar(
        sa.select(sa.func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.is_active_account.is_(True), User.id != user.id)
    ) or 0)


def _check_version(user: User, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != user.version:
        raise StaleVersion(_("The user was changed by someone else since you loaded the form."))


def update_user(user: User, actor: User, changes: dict[str, Any], *, expected_version: int | None = None) -> User:
    """Change a user's name, e-mail, language, roles, committee memberships (with the chair flag) and library.
    `changes` holds only what changes (`committees`: list of (code, chair); `library`: a code or None). Nobody
    removes their own admin role, and the last active admin keeps theirs."""
    _check_version(user, expected_version)
    before = describe_access(user)
    errors: dict[str, list[str]] = {}
    if "email" in changes:
        email = (changes["email"] or "").strip().lower()
        if "@" not in email or len(email) > 254:
            errors.setdefault("email", []).append(_("Not a valid e-mail address."))
        elif email != user.email and db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            errors.setdefault("email", []).append(_("A user with this e-mail already exists."))
    if "name" in changes and not (changes["name"] or "").strip():
        errors.setdefault("name", []).append(_("A name is required."))
    if "locale" in changes and changes["locale"] not in (None, "kk", "ru", "en"):
        errors.setdefault("locale", []).append(_("One of kk, ru, en."))
    wanted_roles = changes.get("roles", user.role_names)
    committees = changes.get("committees", [(m.committee.code, m.chair) for m in user.memberships])
    library_code = changes.get("library", before["library"])
    wanted, committee_rows, library, access_errors = _resolve_access(wanted_roles, committees, library_code)
    errors.update(access_errors)
    if Role.ADMIN in user.role_names and Role.ADMIN not in wanted and not errors:
        if user.id == actor.id:
            errors.setdefault("roles", []).append(_("You cannot remove your own administrator role."))
        elif user.is_active_account and _admins_left_without(user) == 0:
            errors.setdefault("roles", []).append(_("The last active administrator keeps that role."))
    if errors:
        raise ValidationFailed(_("The user was not changed."), errors)

    if "email" in changes:
        user.email = changes["email"].strip().lower()
    if "name" in changes:
        user.name = changes["name"].strip()
    if "locale" in changes:
        user.locale = changes["locale"]
    if {"roles", "committees", "library"} & set(changes):
        current = {role.role: role for role in user.roles}
        user.roles = [current.get(role) or UserRole(role=role) for role in sorted(wanted)]
        memberships = {m.committee_id: m for m in user.memberships}
        kept = []
        for committee, chair in committee_rows:
            membership = memberships.get(committee.id) or CommitteeMembership(committee=committee)
            membership.chair = chair
            kept.append(membership)
        user.memberships = kept
        user.library_id = library.id if library else None
    after = describe_access(user)
    if after == before:
        return user
    user.version += 1
    db.session.flush()
    record_event("user_updated", object_type="users", object_id=user.id, before=before,
                 after={**after, "version": user.version})
    return user


def _resolve_access(roles: list[Role | str], committees: list[tuple[str, bool]] | tuple[()],
                    library_code: str | None) -> tuple[set[Role], list[tuple[Committee, bool]], MemberLibrary | None,
                                                       dict[str, list[str]]]:
    """The roles, committees and library an account would have, with the errors that refuse them."""
    errors: dict[str, list[str]] = {}
    try:
        wanted = {Role(role) for role in roles}
    except ValueError:
        wanted = set()
        errors.setdefault("roles", []).append(_("Roles are: %(roles)s.", roles=", ".join(r.value for r in Role)))
    if committees:
        wanted.add(Role.COMMITTEE_MEMBER)
    if library_code:
        wanted.add(Role.LIBRARY_REP)
    if not wanted and "roles" not in errors:
        errors.setdefault("roles", []).append(_("At least one role is required."))
    rows: list[tuple[Committee, bool]] = []
    seen: set[int] = set()
    for code, chair in committees:
        committee = db.session.scalar(sa.select(Committee).where(Committee.code == str(code).upper()))
        if committee is None:
            errors.setdefault("committees", []).append(_("Unknown committee %(code)s.", code=code))
        elif committee.id not in seen:
            seen.add(committee.id)
            rows.append((committee, bool(chair)))
    library = None
    if library_code:
        library = db.session.scalar(sa.select(MemberLibrary).where(MemberLibrary.code == str(library_code).upper()))
        if library is None:
            errors.setdefault("library", []).append(_("Unknown library %(code)s.", code=library_code))
    elif Role.LIBRARY_REP in wanted:
        errors.setdefault("library", []).append(_("A library representative needs a library."))
    if Role.COMMITTEE_MEMBER in wanted and not rows and "committees" not in errors:
        errors.setdefault("committees", []).append(_("A committee member needs at least one committee."))
    return wanted, rows, library, errors


def deactivate_user(user: User, actor: User, *, expected_version: int | None = None) -> None:
    """A deactivated user cannot sign in; their sessions and tokens end at once; their history stays."""
    from association.auth.operations import revoke_all_tokens
    from association.auth.sessions import end_all_sessions

    _check_version(user, expected_version)
    if user.id == actor.id:
        raise StateConflict(_("You cannot deactivate yourself."), {"active": [_("You cannot deactivate yourself.")]})
    if not user.is_active_account:
        raise StateConflict(_("The user is already deactivated."))
    if user.is_admin and _admins_left_without(user) == 0:
        raise StateConflict(_("The last active administrator cannot be deactivated."),
                            {"active": [_("The last active administrator cannot be deactivated.")]})
    before = describe_access(user)
    user.is_active_account = False
    user.session_generation += 1
    user.version += 1
    end_all_sessions(user, "deactivated")
    revoke_all_tokens(user)
    record_event("user_deactivated", object_type="users", object_id=user.id, before=before,
                 after={**describe_access(user), "version": user.version})


def reactivate_user(user: User, actor: User, *, expected_version: int | None = None) -> None:
    """Let a deactivated user sign in again (with the password they had, or after a reset)."""
    _check_version(user, expected_version)
    if user.is_active_account:
        raise StateConflict(_("The user is already active."))
    before = describe_access(user)
    user.is_active_account = True
    user.version += 1
    record_event("user_reactivated", object_type="users", object_id=user.id, before=before,
                 after={**describe_access(user), "version": user.version})
