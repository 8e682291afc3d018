"""Which writes renew the identity generation (association.auth.identity), and when the cache is bypassed.
That another process sees each change on its next request: tests/auth/test_identity_cache_processes.py."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from association.auth import identity, sessions
from association.auth.models import ApiToken, UserSession
from association.auth.operations import _token_hash, issue_token, user_for_token
from association.committees.models import Committee, CommitteeMembership
from association.core.models import utcnow
from association.extensions import db
from association.users.models import Role, User, UserRole
from tests.factories import make_user
from tests.querycount import count_queries


def generation() -> int | None:
    return identity.current_generation(db.session())


def committed(change) -> bool:
    """Whether committing `change()` renews the generation."""
    before = generation()
    change()
    db.session.commit()
    return generation() != before


def a_user(app) -> User:
    account = make_user(app, Role.COORDINATOR, committees=[("REG", False)])
    return db.session.get(User, account.id)


def a_session(user: User) -> UserSession:
    record = UserSession(user_id=user.id, key_hash=sessions.key_hash(secrets.token_hex(8)), user_agent="")
    db.session.add(record)
    db.session.commit()
    return record


def test_writes_to_users_roles_memberships_committees_and_tokens_renew_the_generation(app, ctx):
    user = a_user(app)
    assert committed(lambda: setattr(user, "name", "Renamed"))
    assert committed(lambda: db.session.add(UserRole(user_id=user.id, role=Role.OBSERVER)))
    membership = db.session.scalars(sa.select(CommitteeMembership).where(CommitteeMembership.user_id == user.id)).one()
    assert committed(lambda: setattr(membership, "chair", True))
    committee = db.session.scalars(sa.select(Committee).where(Committee.code == "REG")).one()
    assert committed(lambda: setattr(committee, "position", committee.position + 1))
    token, record = issue_token(user)
    db.session.commit()
    assert committed(lambda: setattr(record, "name", "renamed"))
    assert committed(lambda: db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id).values(revoked_at=utcnow())))
    assert committed(lambda: db.session.execute(sa.delete(UserRole).where(UserRole.role == Role.OBSERVER,
                                                                          UserRole.user_id == user.id)))


def test_a_new_user_a_new_token_and_a_sign_in_renew_nothing(app, ctx):
    """Nothing new can be in a cache (identities are keyed by tokens and sessions of users that existed): signing
    in, which stamps last_login_at and issues a token or starts a session, leaves every cache filled."""
    from association.users.operations import create_user

    assert not committed(lambda: create_user("fresh@example.org", "Fresh", "a long enough passphrase 2026",
                                             [Role.COORDINATOR], committees=[("REG", True)]))
    user = db.session.scalars(sa.select(User).where(User.email == "fresh@example.org")).one()
    assert not committed(lambda: issue_token(user))
    assert not committed(lambda: setattr(user, "last_login_at", utcnow()))
    assert committed(lambda: db.session.add(UserRole(user_id=user.id, role=Role.OBSERVER)))  # an existing user now
    assert committed(lambda: db.session.add(CommitteeMembership(user_id=user.id, committee_id=db.session.scalar(
        sa.select(Committee.id).where(Committee.code == "EDU")))))


def test_ending_a_session_renews_the_generation_and_keeping_it_alive_does_not(app, ctx):
    user = a_user(app)
    record = a_session(user)
    assert not committed(lambda: a_session_of_another_key(user))  # a new key is in no cache
    assert not committed(lambda: setattr(record, "last_seen_at", utcnow()))
    assert not committed(lambda: db.session.execute(
        sa.update(UserSession).where(UserSession.id == record.id).values(last_seen_at=utcnow())))
    assert not committed(lambda: sessions.keep_alive(_aged(record)))
    assert committed(lambda: sessions.end_session(record, "logout"))
    other = a_session(user)
    assert committed(lambda: sessions.end_all_sessions(user, "password_changed"))
    assert committed(lambda: db.session.delete(other))
    assert committed(lambda: setattr(a_session_of_another_key(user, commit=True), "user_agent", "changed"))


def a_session_of_another_key(user: User, *, commit: bool = False) -> UserSession:
    record = UserSession(user_id=user.id, key_hash=sessions.key_hash(secrets.token_hex(8)), user_agent="")
    db.session.add(record)
    if commit:
        db.session.commit()
    return record


def _aged(record: UserSession) -> UserSession:
    db.session.execute(sa.update(UserSession).where(UserSession.id == record.id)
                       .values(last_seen_at=utcnow() - 2 * sessions.TOUCH_INTERVAL))
    db.session.commit()
    db.session.refresh(record)
    return record


def test_a_statement_that_changes_no_row_renews_nothing(app, ctx):
    user = a_user(app)
    assert not committed(lambda: sessions.end_all_sessions(user, "password_changed"))  # it has none
    assert not committed(lambda: db.session.execute(sa.update(User).where(User.id == -1).values(name="x")))
    assert committed(lambda: db.session.execute(sa.update(User).where(User.id == user.id).values(name="x")))


def test_writes_elsewhere_keep_the_generation(app, ctx):
    from association.roadmap.models import RoadmapTask

    task = db.session.scalars(sa.select(RoadmapTask).limit(1)).one()
    assert not committed(lambda: setattr(task, "title_en", task.title_en + " "))


def test_a_rolled_back_change_renews_nothing(app, ctx):
    user = a_user(app)
    before = generation()
    user.name = "Never"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert generation() == before


def test_a_token_is_served_from_the_cache_until_the_generation_changes(app, ctx):
    user = a_user(app)
    token, _record = issue_token(user)
    db.session.commit()
    with count_queries(app) as first:
        assert user_for_token(token) is not None
    assert len(first) == 2  # the generation, then the token with its user, roles, memberships, committees
    with count_queries(app) as second:
        found = user_for_token(token)
    assert found is not None and len(second) == 1
    assert found[0].role_names == ["committee_member", "coordinator"]
    assert found[0].memberships[0].committee.code == "REG"
    db.session.add(UserRole(user_id=user.id, role=Role.OBSERVER))
    db.session.commit()
    with count_queries(app) as third:
        found = user_for_token(token)
    assert found is not None and len(third) == 2 and "observer" in found[0].role_names


def test_an_uncommitted_change_neither_reads_nor_fills_the_cache(app, ctx):
    user = a_user(app)
    token, _record = issue_token(user)
    db.session.commit()
    cache = identity.identity_cache(app)
    key = ("token", _token_hash(token))
    user.name = "Pending"  # not committed: may still roll back
    found = user_for_token(token)
    assert found is not None
    assert cache.get(key, generation() or 0) is None
    db.session.rollback()
    assert user_for_token(token) is not None
    assert cache.get(key, generation() or 0) is not None


def test_the_attached_user_is_the_sessions_own_and_can_be_changed(app, ctx):
    user = a_user(app)
    token, _record = issue_token(user)
    db.session.commit()
    user_for_token(token)
    db.session.remove()
    found = user_for_token(token)
    assert found is not None
    attached, record = found
    assert sa.inspect(attached).persistent and sa.inspect(record).detached
    assert not db.session.dirty  # merged without loading, and clean
    attached.locale = "kk"
    db.session.commit()
    assert db.session.scalar(sa.select(User.locale).where(User.id == user.id)) == "kk"
    again = user_for_token(token)
    assert again is not None and again[0].locale == "kk"  # the change renewed the cache


def test_every_table_the_identity_is_loaded_from_renews_it(app, ctx):
    """A table read into a snapshot but missing from the sources would be served stale after it changed."""
    user = a_user(app)
    token, _record = issue_token(user)
    db.session.commit()
    record = a_session(user)
    with count_queries(app) as statements:
        identity.for_token(_token_hash(token))
        identity.for_session(record.key_hash, fresh=True)
    read = {name for statement in statements for name in re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", statement)}
    assert {"api_tokens", "user_sessions", "users", "user_roles", "committees"} <= read
    # The generations are read, not cached: the figures' is read along with the identity's (core.generations).
    assert read <= identity.IDENTITY_SOURCES | {identity.SESSIONS, "identity_generation", "figure_generation"}, read
