"""/committees/<code>/meetings and /meetings/<id>: the HTML side of meetings (the same operations as the API)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.committees.queries import committee_or_404
from association.core.errors import DomainError, ValidationFailed
from association.core.permissions import SIGNED_IN, accepts_uploads, access
from association.extensions import db
from association.files.models import OwnerType
from association.files.operations import files_of, store_file
from association.meetings import invitations, operations, queries
from association.meetings.labels import STATUS_LABELS as MEETING_STATUS_LABELS
from association.meetings.models import Meeting, MeetingStatus
from association.meetings.rules import can_edit_meeting, can_read_meeting
from association.roadmap.labels import STATUS_LABELS

bp = Blueprint("meetings", __name__)

TASK_CODE = re.compile(r"^\d+(\.\d+)+$")


def _meeting_or_abort(meeting_id: int) -> Meeting:
    meeting = queries.get_meeting(meeting_id)
    if meeting is None:
        abort(404)
    if not can_read_meeting(current_user, meeting):
        abort(403)
    return meeting


def _local_time(text: str) -> datetime:
    """A datetime-local field, read in the Association's time zone."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Give the date and time."), {"starts_at": [_("Give the date and time.")]}) from None
    return naive.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _agenda_lines(text: str) -> list[dict[str, Any]]:
    """One agenda item per line; a line that is a task code links the task."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return [{"task": line} if TASK_CODE.match(line) else {"title": line} for line in lines]


def _refused(error: DomainError) -> list[str]:
    db.session.rollback()
    return [f"{name}: {message}" if name != "_schema" else message
            for name, messages in (error.errors or {}).items() for message in messages] or [error.detail]


@bp.route("/committees/<code>/meetings")
@access(SIGNED_IN)
def committee_meetings(code: str):
    """A committee's meetings (those the user may read) and, for its members, the form to plan one."""
    return _render_list(code)


def _render_list(code: str, errors: list[str] | None = None, status: int = 200):
    committee = committee_or_404(code)
    meetings = db.session.scalars(queries.meetings_query(committee, current_user).limit(200)).unique().all()
    probe = Meeting(committee_id=committee.id)
    return render_template("meetings/list.html", committee=committee, meetings=meetings, errors=errors or [],
                           can_plan=can_edit_meeting(current_user, probe), form=request.form,
                           meeting_status_label=MEETING_STATUS_LABELS.get), status


@bp.route("/committees/<code>/meetings", methods=["POST"])
@access(SIGNED_IN)
def plan_meeting(code: str):
    """Plan a meeting from the form."""
    committee = committee_or_404(code)
    try:
        data = {"starts_at": _local_time(request.form.get("starts_at", "")),
                "place": request.form.get("place", "").strip(), "language": request.form.get("language", "ru"),
                "agenda": _agenda_lines(request.form.get("agenda", ""))}
        if not data["place"]:
            raise ValidationFailed(_("Say where the meeting is."), {"place": [_("Required.")]})
        if data["language"] not in ("kk", "ru", "en"):
            data["language"] = "ru"
        meeting = operations.create_meeting(current_user, committee, data)
    except DomainError as error:
        if error.status == 403:
            raise
        return _render_list(code, _refused(error), 422)
    db.session.commit()
    flash(_("Meeting planned."), "info")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>")
@access(SIGNED_IN)
def meeting_page(meeting_id: int):
    """A meeting: invitation, agenda with minutes, attendance, decisions, materials, minutes versions."""
    return _render_meeting(_meeting_or_abort(meeting_id))


def _render_meeting(meeting: Meeting, errors: list[str] | None = None, status: int = 200):
    editable = can_edit_meeting(current_user, meeting) and not meeting.is_published
    return render_template("meetings/detail.html", meeting=meeting, editable=editable, errors=errors or [],
                           materials=files_of(OwnerType.MEETING, [meeting.id])[meeting.id],
                           next_status=operations.NEXT_STATUS.get(meeting.status), statuses=MeetingStatus,
                           task_statuses=STATUS_LABELS, meeting_status_label=MEETING_STATUS_LABELS.get), status


@bp.route("/meetings/<int:meeting_id>", methods=["POST"])
@access(SIGNED_IN)
def meeting_update(meeting_id: int):
    """Save minutes and attendance, move the meeting on, or send the invitations."""
    meeting = _meeting_or_abort(meeting_id)
    action = request.form.get("action", "save")
    try:
        if action == "invite":
            sent, failed = invitations.send_invitations(current_user, meeting)
            db.session.commit()
            flash(_("%(count)d invitations sent.", count=sent), "info")
            if failed:
                flash(_("Not sent: %(emails)s", emails=", ".join(failed)), "error")
            return redirect(url_for("meetings.meeting_page", meeting_id=meeting_id))
        data: dict[str, Any] = {
            "agenda": [{"id": item.id, "minutes": request.form.get(f"minutes-{item.id}", item.minutes)}
                       for item in meeting.agenda],
            "attended": [int(value) for value in request.form.getlist("attended") if value.isdigit()],
        }
        if action == "advance" and operations.NEXT_STATUS.get(meeting.status):
            data["status"] = operations.NEXT_STATUS[meeting.status].value
        operations.update_meeting(current_user, meeting, data)
    except DomainError as error:
        if error.status == 403:
            raise
        messages = _refused(error)
        return _render_meeting(_meeting_or_abort(meeting_id), messages, error.status)
    db.session.commit()
    flash(_("Meeting saved."), "info")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
@access(SIGNED_IN)
def decision_add(meeting_id: int):
    """Record a decision from the form: on a task of the committee, or creating one."""
    meeting = _meeting_or_abort(meeting_id)
    form = request.form
    data: dict[str, Any] = {"text": form.get("text", ""), "task": form.get("task", "").strip() or None}
    if form.get("agenda_item", "").isdigit():
        data["agenda_item"] = int(form["agenda_item"])
    try:
        if form.get("new_code", "").strip():
            due = _date(form.get("new_due_date", ""), "create_task")
            data["create_task"] = {"code": form["new_code"].strip(), "title": form.get("new_title", "").strip(),
                                   "direction": int(form.get("new_direction") or 0) or None, "due_date": due}
        changes: dict[str, Any] = {}
        if form.get("change_status"):
            changes["status"] = form["change_status"]
        if form.get("change_due_date"):
            changes["due_date"] = _date(form["change_due_date"], "changes")
        if form.get("change_assignee", "").isdigit():
            changes["assignee"] = int(form["change_assignee"])
        data["changes"] = changes
        operations.record_decision(current_user, meeting, data)
    except DomainError as error:
        if error.status == 403:
            raise
        messages = _refused(error)
        return _render_meeting(_meeting_or_abort(meeting_id), messages, error.status)
    db.session.commit()
    flash(_("Decision recorded."), "info")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting_id))


def _date(text: str, field: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(_("Give a date."), {field: [_("Give a date.")]}) from None


@bp.route("/meetings/<int:meeting_id>/files", methods=["POST"])
@access(SIGNED_IN)
@accepts_uploads
def meeting_file(meeting_id: int):
    """Attach a material (an uploaded file) to the meeting."""
    meeting = _meeting_or_abort(meeting_id)
    upload = request.files.get("file")
    try:
        store_file(current_user, OwnerType.MEETING, meeting, upload.filename if upload else None,
                   upload.read() if upload else b"")
    except DomainError as error:
        if error.status == 403:
            raise
        messages = _refused(error)
        return _render_meeting(_meeting_or_abort(meeting_id), messages, error.status)
    db.session.commit()
    flash(_("File attached."), "info")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting_id))
