"""Every create, update and delete goes to the append-only audit log, with who, when, before and after."""

import pytest
import sqlalchemy as sa

from association.audit.models import AppendOnlyError, AuditEvent
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.operations import update_task
from association.users.models import Role, User
from tests.factories import make_user


def events(**where):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(query).all()


def test_create_update_delete_are_logged_with_before_and_after(ctx):
    library = db.session.scalars(sa.select(MemberLibrary).where(MemberLibrary.code == "NU")).one()
    library.phone = "+7 7172 70 66 00"
    db.session.flush()
    [update] = events(action="update", object_type="member_libraries")
    assert update.object_id == str(library.id)
    # only what changed; the version and timestamp the flush itself sets are not repeated
    assert update.before == {"phone": None}
    assert update.after == {"phone": "+7 7172 70 66 00"}

    from association.committees.models import Committee

    committee = Committee(code="TMP", name_kk="Т", name_ru="Т", name_en="T")
    db.session.add(committee)
    db.session.flush()
    [create] = events(action="create", object_type="committees", object_id=str(committee.id))
    assert create.after["code"] == "TMP" and create.before is None
    committee_id = str(committee.id)
    db.session.delete(committee)
    db.session.flush()
    [delete] = events(action="delete", object_type="committees", object_id=committee_id)
    assert delete.before["code"] == "TMP" and delete.after is None


def test_the_acting_user_is_recorded(app, ctx):
    account = make_user(app, Role.COORDINATOR)
    user = db.session.get(User, account.id)
    task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "1.1")).one()
    from flask import g

    g.cli_actor = user
    update_task(task, user, status=TaskStatus.IN_PROGRESS, comment="started")
    [event] = events(action="update", object_type="roadmap_tasks")
    assert (event.user_id, event.user_email) == (user.id, user.email)
    assert event.before["status"] == "planned" and event.after["status"] == "in_progress"


def test_password_hashes_never_reach_the_log(app, ctx):
    account = make_user(app, Role.OBSERVER)
    from association.users.operations import change_password

    change_password(db.session.get(User, account.id), "another long password")
    db.session.flush()
    for event in events(object_type="users"):
        assert "password_hash" not in (event.before or {})
        assert "password_hash" not in (event.after or {})
    text = " ".join(str((e.before, e.after, e.detail)) for e in events())
    assert "$argon2" not in text


def test_audit_events_cannot_be_changed_or_deleted(ctx):
    from association.audit.operations import record_event

    record_event("login", email="someone@example.org")
    db.session.flush()
    [event] = events(action="login", user_email="someone@example.org")
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert events(action="changed") == []
