"""Planning a meeting, keeping its agenda, attendance and minutes, recording its decisions (which act on tasks
through the roadmap's own operations), publishing the minutes and correcting them as new versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from association.committees.models import Committee, CommitteeMembership
from association.core.errors import NotAllowed, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.meetings.models import AgendaItem, Decision, Meeting, MeetingInvitee, MeetingStatus, MinutesVersion
from association.meetings.rules import can_edit_meeting
from association.roadmap import operations as roadmap
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import User

NEXT_STATUS = {MeetingStatus.PLANNED: MeetingStatus.HELD, MeetingStatus.HELD: MeetingStatus.MINUTES_PUBLISHED}


def _refuse_if_published(meeting: Meeting) -> None:
    if meeting.is_published:
        raise StateConflict(_("The minutes of this meeting are published and read-only; publish a correction instead."))


def _check_editor(user: User, meeting: Meeting) -> None:
    if not can_edit_meeting(user, meeting):
        raise NotAllowed(_("Only the committee's members and the coordinator can change its meetings."))


def _task_by_code(code: str, field: str) -> RoadmapTask:
    task = db.session.scalar(sa.select(RoadmapTask).where(RoadmapTask.code == code))
    if task is None:
        raise ValidationFailed(_("Unknown task."), {field: [_("No task has the code %(code)s.", code=code)]})
    return task


def _users(ids: list[int], field: str) -> list[User]:
    users = list(db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active_account)))
    if len(users) != len(set(ids)):
        raise ValidationFailed(_("Unknown user."), {field: [_("Unknown user.")]})
    return users


def create_meeting(user: User, committee: Committee, data: dict[str, Any]) -> Meeting:
    """Plan a meeting of the committee: its members are invited, and the guests named."""
    meeting = Meeting(committee_id=committee.id, starts_at=data["starts_at"], place=data["place"].strip(),
                      duration_minutes=data.get("duration_minutes", 90), language=data.get("language", "ru"),
                      status=MeetingStatus.PLANNED, created_by_id=user.id)
    _check_editor(user, meeting)
    db.session.add(meeting)
    db.session.flush()
    members = db.session.scalars(sa.select(CommitteeMembership.user_id)
                                 .where(CommitteeMembership.committee_id == committee.id)).all()
    for member_id in members:
        db.session.add(MeetingInvitee(meeting_id=meeting.id, user_id=member_id, guest=False))
    for guest in _users(data.get("guests", []), "guests"):
        if guest.id not in members:
            db.session.add(MeetingInvitee(meeting_id=meeting.id, user_id=guest.id, guest=True))
    for position, item in enumerate(data.get("agenda", [])):
        db.session.add(_new_item(meeting, position, item))
    db.session.flush()
    return meeting


def _new_item(meeting: Meeting, position: int, item: dict[str, Any]) -> AgendaItem:
    task = _task_by_code(item["task"], "agenda") if item.get("task") else None
    title = (item.get("title") or (task.title if task else "")).strip()
    if not title:
        raise ValidationFailed(_("An agenda item needs a title or a task."), {"agenda": [_("A title or a task.")]})
    return AgendaItem(meeting_id=meeting.id, position=position, title=title, task_id=task.id if task else None,
                      minutes=item.get("minutes") or "")


def update_meeting(user: User, meeting: Meeting, data: dict[str, Any]) -> None:
    """Change the date, place, agenda, minutes, attendance or guests, or move the meeting on (planned → held →
    minutes published). Published minutes refuse every change (409)."""
    _check_editor(user, meeting)
    _refuse_if_published(meeting)
    for name in ("starts_at", "duration_minutes", "language"):
        if name in data:
            setattr(meeting, name, data[name])
    if "place" in data:
        meeting.place = data["place"].strip()
    if "agenda" in data:
        _change_agenda(meeting, data["agenda"])
    if "guests" in data:
        _replace_guests(meeting, data["guests"])
    if "attended" in data:
        present = set(data["attended"])
        invited = {invitee.user_id for invitee in meeting.invitees}
        if present - invited:
            raise ValidationFailed(_("Only invited people can attend."), {"attended": [_("Not invited.")]})
        for invitee in meeting.invitees:
            invitee.attended = invitee.user_id in present
    if "status" in data and MeetingStatus(data["status"]) != meeting.status:
        _advance(user, meeting, MeetingStatus(data["status"]))
    db.session.flush()


def _change_agenda(meeting: Meeting, items: list[dict[str, Any]]) -> None:
    """Items with an id are updated (or dropped with `"remove": true`), items without one are added at the end;
    items not named stay as they are."""
    existing = {item.id: item for item in meeting.agenda}
    unknown = [item["id"] for item in items if item.get("id") is not None and item["id"] not in existing]
    if unknown:
        raise ValidationFailed(_("Unknown agenda item."), {"agenda": [_("Not an item of this meeting.")]})
    position = max((item.position for item in meeting.agenda), default=-1) + 1
    for item in items:
        if item.get("id") is None:
            db.session.add(_new_item(meeting, position, item))
            position += 1
            continue
        current = existing[item["id"]]
        if item.get("remove"):
            db.session.delete(current)
            continue
        if item.get("title"):
            current.title = item["title"].strip()
        if "task" in item:
            current.task_id = _task_by_code(item["task"], "agenda").id if item["task"] else None
        if "minutes" in item:
            current.minutes = item["minutes"] or ""


def _replace_guests(meeting: Meeting, guest_ids: list[int]) -> None:
    guests = {guest.id for guest in _users(guest_ids, "guests")}
    current = {invitee.user_id: invitee for invitee in meeting.invitees}
    for user_id, invitee in current.items():
        if invitee.guest and user_id not in guests:
            db.session.delete(invitee)
    for user_id in guests - set(current):
        db.session.add(MeetingInvitee(meeting_id=meeting.id, user_id=user_id, guest=True))


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    """The minutes as they stand in the database (read afresh: this request may have changed them)."""
    db.session.flush()
    items = db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                               .order_by(AgendaItem.position, AgendaItem.id)).all()
    attended = db.session.scalars(sa.select(MeetingInvitee.user_id).where(
        MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.attended.is_(True)).order_by(MeetingInvitee.user_id))
    decisions = db.session.execute(sa.select(Decision.id, Decision.text).where(Decision.meeting_id == meeting.id)
                                   .order_by(Decision.id)).all()
    return {
        "agenda": [{"id": item.id, "title": item.title, "minutes": item.minutes} for item in items],
        "attended": list(attended),
        "decisions": [{"id": row.id, "text": row.text} for row in decisions],
    }


def _advance(user: User, meeting: Meeting, target: MeetingStatus) -> None:
    if NEXT_STATUS.get(meeting.status) != target:
        raise StateConflict(_("A meeting goes planned → held → minutes published; it cannot go from %(from)s to "
                              "%(to)s.", **{"from": meeting.status.value, "to": target.value}),
                            {"status": [_("Next allowed: %(next)s.", next=NEXT_STATUS[meeting.status].value)]})
    meeting.status = target
    if target == MeetingStatus.MINUTES_PUBLISHED:
        db.session.flush()
        db.session.add(MinutesVersion(meeting_id=meeting.id, number=1, published_at=utcnow(), published_by_id=user.id,
                                      note="", content=_snapshot(meeting)))


def correct_minutes(user: User, meeting: Meeting, items: list[dict[str, Any]], note: str) -> MinutesVersion:
    """Publish corrected minutes as a new version (the earlier versions stay as they were)."""
    if not (user.is_coordinator or user.chairs(meeting.committee_id)):
        raise NotAllowed(_("Only the committee's chair or the coordinator can correct published minutes."))
    if not meeting.is_published:
        raise StateConflict(_("Only published minutes are corrected; change the meeting itself until then."))
    if not (note or "").strip():
        raise ValidationFailed(_("Say what the correction changes."), {"note": [_("Required.")]})
    existing = {item.id: item for item in meeting.agenda}
    if any(item["id"] not in existing for item in items):
        raise ValidationFailed(_("Unknown agenda item."), {"agenda": [_("Not an item of this meeting.")]})
    for item in items:
        existing[item["id"]].minutes = item.get("minutes") or ""
    number = max((version.number for version in meeting.minutes_versions), default=0) + 1
    version = MinutesVersion(meeting_id=meeting.id, number=number, published_at=utcnow(), published_by_id=user.id,
                             note=note.strip(), content=_snapshot(meeting))
    db.session.add(version)
    db.session.flush()
    return version


def decision_words(meeting: Meeting, text: str) -> str:
    """What a task's history says about a change a meeting decided."""
    return _("Decided at the meeting of %(committee)s on %(date)s: %(text)s", committee=meeting.committee.code,
             date=meeting.starts_at.date().isoformat(), text=text)


def record_decision(user: User, meeting: Meeting, data: dict[str, Any]) -> Decision:
    """Record a decision; it may create a task of the committee or change one of its tasks (status, progress, due
    date, assignee) through the roadmap's operations, with their permissions and workflow."""
    _check_editor(user, meeting)
    _refuse_if_published(meeting)
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationFailed(_("Write the decision."), {"text": [_("Required.")]})
    item_id = data.get("agenda_item")
    if item_id is not None and item_id not in {item.id for item in meeting.agenda}:
        raise ValidationFailed(_("Unknown agenda item."), {"agenda_item": [_("Not an item of this meeting.")]})
    if data.get("task") and data.get("create_task"):
        raise ValidationFailed(_("A decision acts on one task: name it or create it, not both."),
                               {"create_task": [_("Leave it out when a task is named.")]})
    changes = dict(data.get("changes") or {})
    words = decision_words(meeting, text)
    task: RoadmapTask | None = None
    created = False
    if data.get("task"):
        task = _task_by_code(data["task"], "task")
        if task.committee_id != meeting.committee_id:
            raise NotAllowed(_("A meeting decides only on its own committee's tasks."))
    elif data.get("create_task"):
        task = roadmap.create_task(user, _new_task_definition(meeting, data["create_task"]), decision=words)
        created = True
    if changes and task is None:
        raise ValidationFailed(_("Changes need a task."), {"changes": [_("Name the task they apply to.")]})
    if task is not None and changes:
        _apply_changes(user, task, changes, words)
    decision = Decision(meeting_id=meeting.id, agenda_item_id=item_id, text=text,
                        task_id=task.id if task else None, created_task=created,
                        changes={name: _jsonable(value) for name, value in changes.items()},
                        recorded_by_id=user.id, at=utcnow())
    db.session.add(decision)
    db.session.flush()
    return decision


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _new_task_definition(meeting: Meeting, spec: dict[str, Any]) -> dict[str, Any]:
    values = dict(spec)
    values["committee"] = meeting.committee.code
    title = values.pop("title", None)
    for language in ("kk", "ru", "en"):
        if title and not values.get(f"title_{language}"):
            values[f"title_{language}"] = title
    if values.get("due_date") and not values.get("planned_year"):
        values["planned_year"] = values["due_date"].year
    return values


def _apply_changes(user: User, task: RoadmapTask, changes: dict[str, Any], words: str) -> None:
    if "assignee" in changes:
        if not roadmap.can_assign_task(user, task):  # say no before looking the person up
            raise NotAllowed(_("Only the chair of the task's committee or the coordinator can assign it."))
        assignee = _users([changes["assignee"]], "changes.assignee")[0] if changes["assignee"] is not None else None
        roadmap.assign_task(task, user, assignee, words)
    if "due_date" in changes:
        due: date = changes["due_date"]
        roadmap.edit_task(task, user, {"due_date": due, "planned_year": due.year}, decision=words)
    if "status" in changes or "progress_percent" in changes:
        roadmap.update_task(task, user, status=TaskStatus(changes["status"]) if "status" in changes else None,
                            progress_percent=changes.get("progress_percent"), comment=words)
