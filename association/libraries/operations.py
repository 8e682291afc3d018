"""Changing member libraries and their progress on the library-level measures."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from association.core.errors import NotAllowed, StaleVersion, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.core.rules import MAX_COMMENT_LENGTH, link_errors
from association.core.versions import changed_fields, check_merge
from association.extensions import db
from association.libraries.models import (
    LibraryProgress,
    LibraryProgressHistory,
    LibraryType,
    MeasureStatus,
    MemberLibrary,
    MembershipChange,
    MembershipStatus,
    Region,
)
from association.programme.operations import refuse_if_closed
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import User

MAX_NOTE_LENGTH = MAX_COMMENT_LENGTH
CONTACT_FIELDS = ("website", "email", "phone", "address")
PROFILE_FIELDS = ("code", "name_kk", "name_ru", "name_en", "university", "city", "region", "type", "joined_on",
                  *CONTACT_FIELDS)


def can_edit_profile(user: User, library: MemberLibrary) -> bool:
    """The coordinator edits every field; a library's own representative edits its contact fields."""
    return user.is_coordinator or user.represents(library.id)


def _profile_values(data: dict, library: MemberLibrary | None) -> dict:
    """Check profile fields and resolve the region code; raises 422 naming every bad field."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name, value in data.items():
        if name not in PROFILE_FIELDS:
            continue
        if name == "region":
            region_id = db.session.scalar(sa.select(Region.id).where(Region.code == str(value).upper()))
            if region_id is None:
                errors["region"] = [_("Unknown region.")]
            values["region_id"] = region_id
        elif name == "type":
            try:
                values["type"] = LibraryType(value)
            except ValueError:
                errors["type"] = [_("Unknown library type.")]
        elif name == "code":
            code = str(value).strip().upper()
            clash = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
            if not code:
                errors["code"] = [_("A code is required.")]
            elif clash is not None and (library is None or clash != library.id):
                errors["code"] = [_("Another library has this code.")]
            values["code"] = code
        elif name in ("name_kk", "name_ru", "name_en", "university", "city"):
            text = (value or "").strip()
            if not text:
                errors[name] = [_("Required.")]
            values[name] = text
        else:
            values[name] = value.strip() if isinstance(value, str) else value
            if values[name] == "":
                values[name] = None
    errors.update(link_errors("website", values.get("website")))
    if errors:
        raise ValidationFailed(_("The library was not saved."), errors)
    return values


def create_library(user: User, data: dict) -> MemberLibrary:
    """Register a member library (coordinator); it starts as an active member."""
    if not user.is_coordinator:
        raise NotAllowed(_("Only the coordinator can register libraries."))
    missing = {name: [_("Required.")] for name in ("code", "name_kk", "name_ru", "name_en", "university", "city",
                                                    "region", "type") if not data.get(name)}
    if missing:
        raise ValidationFailed(_("The library was not saved."), missing)
    library = MemberLibrary(membership_status=MembershipStatus.ACTIVE, **_profile_values(data, None))
    db.session.add(library)
    db.session.flush()
    return library


def shown_profile(library: MemberLibrary, fields: tuple[str, ...] = PROFILE_FIELDS) -> dict[str, str]:
    """A library's profile fields as a form shows them (text; the region's code, the type's value, ISO dates)."""
    region_code = db.session.scalar(sa.select(Region.code).where(Region.id == library.region_id))
    return {name: as_shown(region_code if name == "region" else getattr(library, name)) for name in fields}


def as_shown(value: object) -> str:
    """One profile value as text, the way a form posts it back unchanged."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def edit_library(library: MemberLibrary, user: User, data: dict, expected_version: int | None = None,
                 read: dict[str, str] | None = None, *, field_merge: bool = False) -> None:
    """Change a library's profile: every field for the coordinator, the contact fields for its representative.
    An older `expected_version` is refused (412); with `field_merge` (an HTML form, `read` the values it showed)
    only the fields that differ from what was read change, and one that someone else changed meanwhile is refused
    (409, core.versions: without `read`, every field that would change)."""
    if not can_edit_profile(user, library):
        raise NotAllowed(_("You cannot change this library's profile."))
    if not user.is_coordinator:
        forbidden = sorted(set(data) - set(CONTACT_FIELDS))
        if forbidden:
            raise NotAllowed(_("A library's representative may change only its contact fields, not: %(fields)s.",
                               fields=", ".join(forbidden)))
    if field_merge and expected_version is not None:
        if read is not None:
            data = {name: value for name, value in data.items()
                    if as_shown(value).strip() != read.get(name, "").strip()}
        check_merge(expected_version=expected_version, current_version=library.version,
                    changed={name: as_shown(value) for name, value in data.items()}, read=read,
                    current=shown_profile(library, tuple(data)),
                    same=lambda _name, a, b: (a or "").strip() == (b or "").strip())
    elif expected_version is not None and expected_version != library.version:
        raise StaleVersion(_("The library was changed by someone else since you loaded it."))
    for name, value in _profile_values(data, library).items():
        setattr(library, name, value)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion(_("The library was changed by someone else at the same time.")) from None


def change_membership(library: MemberLibrary, user: User, status: MembershipStatus, effective_on: date,
                      reason: str = "") -> MembershipChange:
    """Suspend, end or restore a library's membership (coordinator), kept in its membership history."""
    if not user.is_coordinator:
        raise NotAllowed(_("Only the coordinator can change a library's membership."))
    if status == library.membership_status:
        raise StateConflict(_("The library's membership is already %(status)s.", status=status.value),
                            {"status": [_("Already so.")]})
    if library.joined_on and effective_on < library.joined_on:
        raise ValidationFailed(_("The date is before the library joined."),
                               {"effective_on": [_("On or after %(date)s.", date=library.joined_on.isoformat())]})
    if len(reason or "") > MAX_NOTE_LENGTH:
        raise ValidationFailed(_("The reason is too long."), {"reason": [_("At most %(n)d characters.", n=MAX_NOTE_LENGTH)]})
    library.membership_status = status
    library.left_on = effective_on if status == MembershipStatus.LEFT else None
    change = MembershipChange(library_id=library.id, status=status, effective_on=effective_on, reason=reason or "",
                              user_id=user.id, at=utcnow())
    db.session.add(change)
    db.session.flush()
    return change


def can_edit_progress(user: User, library: MemberLibrary, task: RoadmapTask) -> bool:
    """The library's representative, the responsible committee's members and the coordinator."""
    return user.is_coordinator or user.represents(library.id) or user.is_member_of(task.committee_id)


def shown_measure(progress: LibraryProgress | None) -> dict[str, str]:
    """A library's progress on a measure as its form shows it (what the form posts back unchanged)."""
    if progress is None:
        return {"status": MeasureStatus.NOT_STARTED.value, "evidence_url": "", "note": ""}
    return {"status": progress.status.value, "evidence_url": progress.evidence_url or "", "note": progress.note or ""}


def set_measure_progress(library: MemberLibrary, task: RoadmapTask, user: User, *, status: MeasureStatus,
                         evidence_url: str | None = None, note: str = "", expected_version: int | None = None,
                         read: dict[str, str] | None = None, field_merge: bool = False) -> LibraryProgress:
    """Record where a library stands on a library-level measure; the change goes to the progress history.
    With `field_merge` (an HTML form read at `expected_version`, 0 before any progress, showing `read`) only the
    fields changed since it was read change, and one someone else changed meanwhile is refused (core.versions)."""
    if not can_edit_progress(user, library, task):
        raise NotAllowed(_("You cannot change this library's progress."))
    if not task.library_level:
        raise ValidationFailed(_("This task is not a library-level measure."),
                               {"task_id": [_("Not a library-level measure.")]})
    if library.membership_status == MembershipStatus.LEFT:
        raise StateConflict(_("This library has left the Association."))
    if task.status == TaskStatus.CANCELLED:
        raise StateConflict(_("This measure was cancelled."))
    refuse_if_closed(task.programme_id)
    if link_errors("evidence_url", evidence_url):
        raise ValidationFailed(_("The evidence link must be an http(s) address."), link_errors("evidence_url", evidence_url))
    if len(note or "") > MAX_NOTE_LENGTH:
        raise ValidationFailed(_("The note is too long."), {"note": [_("At most %(n)d characters.", n=MAX_NOTE_LENGTH)]})
    progress = db.session.scalar(
        sa.select(LibraryProgress).where(LibraryProgress.library_id == library.id, LibraryProgress.task_id == task.id)
    )
    if field_merge and expected_version is not None:
        current = shown_measure(progress)
        submitted = {"status": status.value, "evidence_url": evidence_url or "", "note": note or ""}
        changed = submitted if read is None else changed_fields(submitted, read)
        check_merge(expected_version=expected_version, current_version=progress.version if progress else 0,
                    changed=changed, read=read, current=current)
        merged = {**current, **changed}
        status, evidence_url, note = MeasureStatus(merged["status"]), merged["evidence_url"] or None, merged["note"]
    before = progress.status if progress else None
    if progress is None:
        progress = LibraryProgress(library_id=library.id, task_id=task.id)
        db.session.add(progress)
    now = utcnow()
    progress.status, progress.evidence_url, progress.note = status, evidence_url, note or ""
    progress.updated_by_id, progress.updated_at = user.id, now
    # A committee member or the coordinator who saves a library's progress confirms it; a new claim by the
    # library itself waits for a new confirmation.
    confirming = not user.represents(library.id)
    progress.confirmed_by_id, progress.confirmed_at = (user.id, now) if confirming else (None, None)
    try:
        db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        raise StaleVersion(_("This measure was changed by someone else at the same time; read it again.")) from None
    db.session.add(LibraryProgressHistory(
        progress_id=progress.id, at=now, user_id=user.id, from_status=before, to_status=status,
        evidence_url=evidence_url, note=note or "", confirmation=confirming,
    ))
    db.session.flush()
    return progress


def copy_measure_progress(from_task_id: int, to_task_id: int) -> int:
    """A measure carried over into the next programme keeps every library's progress: each library's row is copied
    to the new task with its whole history (the old programme's rows stay as they were at its close)."""
    rows = db.session.scalars(sa.select(LibraryProgress).where(LibraryProgress.task_id == from_task_id)).all()
    history: dict[int, list[LibraryProgressHistory]] = {}
    for entry in db.session.scalars(
            sa.select(LibraryProgressHistory).where(LibraryProgressHistory.progress_id.in_([r.id for r in rows]))
            .order_by(LibraryProgressHistory.at, LibraryProgressHistory.id)):
        history.setdefault(entry.progress_id, []).append(entry)
    for row in rows:
        copy = LibraryProgress(
            library_id=row.library_id, task_id=to_task_id, status=row.status, evidence_url=row.evidence_url,
            note=row.note, updated_by_id=row.updated_by_id, updated_at=row.updated_at,
            confirmed_by_id=row.confirmed_by_id, confirmed_at=row.confirmed_at,
        )
        db.session.add(copy)
        db.session.flush()
        db.session.add_all([LibraryProgressHistory(
            progress_id=copy.id, at=entry.at, user_id=entry.user_id, from_status=entry.from_status,
            to_status=entry.to_status, evidence_url=entry.evidence_url, note=entry.note,
            confirmation=entry.confirmation) for entry in history.get(row.id, [])])
    db.session.flush()
    return len(rows)
