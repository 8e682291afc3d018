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
