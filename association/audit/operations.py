"""Writing the audit log: explicit events (logins, denials) and every ORM create/update/delete, automatically."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from association.audit.models import AuditEvent
from association.core.models import utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _actor() -> tuple[int | None, str | None, str | None]:
    """Who acts (the signed-in user, else the CLI's acting user) and from which address."""
    if not has_app_context():
        return None, None, None
    # What Flask-Login already loaded: never trigger a user load from inside a flush.
    user = g.get("_login_user") if has_request_context() else None
    if user is None or not getattr(user, "is_authenticated", False):
        user = g.get("cli_actor")
    ip = request.remote_addr if has_request_context() else None
    if user is not None:
        return user.id, user.email, ip
    return None, None if has_request_context() else "cli", ip


def record_event(action: str, *, user: Any = None, email: str | None = None, object_type: str | None = None,
                 object_id: Any = None, detail: str = "", session: Session | None = None,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Add an explicit audit event (login, logout, denial, export) to the current transaction."""
    from association.extensions import db

    user_id, actor_email, ip = _actor()
    if user is not None:
        user_id, actor_email = user.id, user.email
    db_session = session or db.session
    db_session.add(AuditEvent(
        at=utcnow(), user_id=user_id, user_email=email or actor_email, action=action,
        object_type=object_type, object_id=None if object_id is None else str(object_id),
        ip_address=ip, detail=detail, before=before, after=after,
    ))


def _is_audited(obj: Any) -> bool:
    return getattr(obj, "__audited__", True) and hasattr(obj, "__table__")


def _columns(obj: Any) -> list[str]:
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    return [c.key for c in sa.inspect(obj).mapper.column_attrs if c.key not in excluded]


def _snapshot(obj: Any) -> dict[str, Any]:
    return {key: _jsonable(getattr(obj, key)) for key in _columns(obj)}


def _changes(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = sa.inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before[key] = _jsonable(history.deleted[0]) if history.deleted else None
            after[key] = _jsonable(history.added[0]) if history.added else None
    return before, after


def _object_id(obj: Any) -> str:
    # In after_flush a new object has its primary key but not yet its identity key.
    key = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(part) for part in key if part is not None)


def audit_flush(session: Session, flush_context: Any) -> None:
    """after_flush: one audit row per created, updated or deleted audited object, inserted in the same transaction."""
    user_id, email, ip = _actor()
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def add(action: str, obj: Any, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        rows.append({
            "at": now, "user_id": user_id, "user_email": email, "action": action,
            "object_type": obj.__tablename__, "object_id": _object_id(obj),
            "before": before, "after": after, "ip_address": ip, "detail": "",
        })

    for obj in session.new:
        if _is_audited(obj):
            add("create", obj, None, _snapshot(obj))
    for obj in session.dirty:
        if _is_audited(obj) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                add("update", obj, before, after)
    for obj in session.deleted:
        if _is_audited(obj):
            add("delete", obj, _snapshot(obj), None)
    if rows:
        session.connection().execute(sa.insert(cast(sa.Table, AuditEvent.__table__)), rows)


def install(session_class: type[Session]) -> None:
    """Audit every flush of sessions of this class (idempotent)."""
    if not event.contains(session_class, "after_flush", audit_flush):
        event.listen(session_class, "after_flush", audit_flush)
