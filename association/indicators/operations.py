"""Changing indicator data: saving and deleting custom peer groups (definitions load in definitions.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from association.core.errors import NotAllowed, ValidationFailed
from association.extensions import db
from association.indicators.models import PeerGroup, PeerGroupMember
from association.indicators.queries import can_delete_group, can_save_groups
from association.libraries.models import MemberLibrary
from association.users.models import Role, User

MAX_GROUP_SIZE = 2000


def save_peer_group(user: User, name: Any, library_codes: Any) -> PeerGroup:
    """Save a custom peer group. A coordinator's (or admin's) group is shared; a rep's is their own, and may
    name any libraries (their values stay visible to the rep only as distributions)."""
    if not can_save_groups(user):
        raise NotAllowed(_("Only the coordinator and library representatives save peer groups."))
    errors: dict[str, list[str]] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        errors["name"] = [_("A name of 1 to 200 characters is required.")]
    codes = library_codes if isinstance(library_codes, list) else None
    if not codes or not all(isinstance(code, str) for code in codes) or len(codes) > MAX_GROUP_SIZE:
        errors["libraries"] = [_("A list of library codes is required.")]
        codes = []
    wanted = {code.strip().upper() for code in codes}
    found: dict[str, int] = {code: library_id for code, library_id in db.session.execute(
        sa.select(MemberLibrary.code, MemberLibrary.id).where(MemberLibrary.code.in_(wanted)))} if wanted else {}
    unknown = sorted(wanted - set(found))
    if unknown:
        errors["libraries"] = [_("Unknown library codes: %(codes)s.", codes=", ".join(unknown))]
    if errors:
        raise ValidationFailed(_("The peer group was not saved."), errors)
    group = PeerGroup(name=name, owner_id=user.id, shared=user.has_role(Role.COORDINATOR, Role.ADMIN))
    group.members = [PeerGroupMember(library_id=library_id) for library_id in sorted(found.values())]
    db.session.add(group)
    db.session.flush()
    return group


def delete_peer_group(user: User, group: PeerGroup) -> None:
    """Delete a peer group: its owner, or the coordinator."""
    if not can_delete_group(user, group):
        raise NotAllowed(_("Only the group's owner or the coordinator deletes it."))
    db.session.delete(group)
    db.session.flush()
