"""Reading users for display and the API."""

from __future__ import annotations

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users.models import User


def describe_user(user: User) -> dict:
    """The user as /api/v1/me shows them: roles, committee memberships, represented library."""
    library_code = None
    if user.library_id is not None:
        library_code = db.session.scalar(sa.select(MemberLibrary.code).where(MemberLibrary.id == user.library_id))
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": user.role_names,
        "committees": sorted(
            ({"code": m.committee.code, "chair": m.chair} for m in user.memberships), key=lambda m: m["code"]
        ),
        "library": library_code,
        "locale": user.locale,
    }


def get_user(user_id: int) -> User | None:
    """One user with their roles and memberships (and their committees) loaded."""
    from association.users.models import with_access_loaded

    return db.session.scalars(with_access_loaded(sa.select(User).where(User.id == user_id))).unique().one_or_none()


def changes_since(user: User, version: int) -> list[dict]:
    """What the saves after `version` changed, from the audit log: [{"field", "before", "after"}], oldest first."""
    from association.audit.models import AuditEvent

    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "users", AuditEvent.object_id == str(user.id),
                                    AuditEvent.action.in_(("user_updated", "user_deactivated", "user_reactivated")))
        .order_by(AuditEvent.id)
    ).all()
    changes = []
    for event in events:
        after = event.after or {}
        if int(after.get("version") or 0) <= version:
            continue
        before = event.before or {}
        for field in sorted(set(before) | set(after) - {"version"}):
            if field != "version" and before.get(field) != after.get(field):
                changes.append({"field": field, "before": before.get(field), "after": after.get(field),
                                "by": event.user_email, "at": event.at})
    return changes


def describe_account(user: User) -> dict:
    """The user as the users API shows them: /api/v1/me's fields, whether the account is active, its version."""
    return {**describe_user(user), "active": user.is_active_account, "version": user.version,
            "last_login_at": user.last_login_at}
