"""Reading annual returns: one return with everything its page and the API show, a library's years, the queue."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from association.core.models import localized
from association.extensions import db
from association.libraries.models import MemberLibrary, MembershipStatus, Region
from association.returns.models import AnnualReturn, ReturnForm, ReturnHistory, ReturnStatus
from association.returns.validation import Findings
from association.users.models import User


def describe_form(form: ReturnForm) -> dict[str, Any]:
    """A form definition as the API shows it (labels in the user's language, and all three)."""
    return {
        "year": form.year, "revision": form.revision, "title": form.title, "opens_on": form.opens_on,
        "due_on": form.due_on, "closed": form.closed_at is not None, "sections": form.sections, "units": form.units,
        "fields": [
            {"code": f.code, "label": f.label, "labels": f.labels, "help": localized(f.helps), "section": f.section,
             "type": f.type.value, "unit": f.unit, "required": f.required,
             "min": None if f.min_value is None else float(f.min_value),
             "max": None if f.max_value is None else float(f.max_value),
             "allow_na": f.allow_na, "choices": f.choices}
            for f in form.fields
        ],
        "rules": [
            {"code": r.code, "kind": r.kind.value, "expression": r.expression, "field": r.field_code,
             "max_change_percent": None if r.max_change_percent is None else float(r.max_change_percent),
             "severity": r.severity.value, "message": r.message}
            for r in form.rules
        ],
    }


def is_late(annual_return: AnnualReturn | None, form: ReturnForm, today: date | None = None) -> bool:
    """First submitted after the due date, or not submitted and the due date has passed."""
    from association.progress.queries import end_of_day

    deadline = end_of_day(form.due_on)
    if annual_return is not None and annual_return.first_submitted_at is not None:
        return annual_return.first_submitted_at > deadline
    return (today or date.today()) > form.due_on


# A return's history grows with every save; pages and API answers show the newest entries, the rest is a page away.
RECENT_HISTORY = 20


def return_history(return_id: int, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """The return's history, newest first (`limit` entries from `offset`, or all of it)."""
    rows = db.session.execute(
        sa.select(ReturnHistory, User.name).outerjoin(User, ReturnHistory.user_id == User.id)
        .where(ReturnHistory.return_id == return_id).order_by(ReturnHistory.at.desc(), ReturnHistory.id.desc())
        .limit(limit).offset(offset)
    ).all()
    return [
        {"at": entry.at, "user": name, "action": entry.action,
         "from_status": entry.from_status.value if entry.from_status else None, "to_status": entry.to_status.value,
         "comment": entry.comment, "values_before": entry.values_before}
        for entry, name in rows
    ]


def return_history_total(return_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ReturnHistory.id)).where(ReturnHistory.return_id == return_id)) or 0


def describe_return(annual_return: AnnualReturn, library_code: str, form: ReturnForm,
                    findings: Findings) -> dict[str, Any]:
    """A return as the API shows it: values, errors, warnings, version, dates and its newest history entries."""
    return {
        "id": annual_return.id, "library": library_code, "year": annual_return.year,
        "status": annual_return.status.value, "values": annual_return.values or {},
        "notes": annual_return.notes or {}, "errors": findings.errors, "warnings": findings.warnings,
        "version": annual_return.version, "submitted_at": annual_return.submitted_at,
        "first_submitted_at": annual_return.first_submitted_at, "accepted_at": annual_return.accepted_at,
        "late": is_late(annual_return, form), "review_comment": annual_return.review_comment,
        "history": return_history(annual_return.id, limit=RECENT_HISTORY),
        "history_total": return_history_total(annual_return.id),
    }


def returns_of_library(library_id: int) -> list[dict[str, Any]]:
    """Every reporting year that has a form, newest first, with the library's return status in it."""
    forms = db.session.execute(
        sa.select(ReturnForm.year, sa.func.max(ReturnForm.due_on)).group_by(ReturnForm.year)
        .order_by(ReturnForm.year.desc())
    ).all()
    returns = {r.year: r for r in db.session.scalars(sa.select(AnnualReturn).where(AnnualReturn.library_id == library_id))}
    return [
        {"year": year, "due_on": due_on,
         "status": returns[year].status.value if year in returns else "not_started",
         "submitted_at": returns[year].submitted_at if year in returns else None}
        for year, due_on in forms
    ]


def review_queue(year: int, status: ReturnStatus | None = None) -> list[AnnualReturn]:
    """The year's returns (with their libraries), for the coordinator's review, submitted first."""
    query = (
        sa.select(AnnualReturn).where(AnnualReturn.year == year)
        .options(joinedload(AnnualReturn.library))
        .join(MemberLibrary, AnnualReturn.library_id == MemberLibrary.id)
        .order_by(AnnualReturn.status.desc(), MemberLibrary.code)
    )
    if status is not None:
        query = query.where(AnnualReturn.status == status)
    return list(db.session.scalars(query).unique())


def completeness_by_region(year: int) -> list[dict[str, Any]]:
    """Per region: active member libraries, and how many have submitted (or had accepted) the year's return."""
    submitted = sa.func.sum(sa.case(
        (AnnualReturn.status.in_([ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED]), 1), else_=0))
    rows = db.session.execute(
        sa.select(Region.code, Region.name_kk, Region.name_ru, Region.name_en, sa.func.count(MemberLibrary.id), submitted)
        .join(MemberLibrary, MemberLibrary.region_id == Region.id)
        .outerjoin(AnnualReturn, sa.and_(AnnualReturn.library_id == MemberLibrary.id, AnnualReturn.year == year))
        .where(MemberLibrary.membership_status == MembershipStatus.ACTIVE)
        .group_by(Region.code, Region.name_kk, Region.name_ru, Region.name_en, Region.position)
        .order_by(Region.position)
    ).all()
    return [{"code": code, "name": localized({"kk": kk, "ru": ru, "en": en}), "expected": expected,
             "submitted": int(done or 0)} for code, kk, ru, en, expected, done in rows]


def form_calendar() -> list[dict[str, Any]]:
    """The reporting calendar: each year's form (its newest revision), its window and whether it is closed."""
    newest = (sa.select(ReturnForm.year, sa.func.max(ReturnForm.revision).label("revision"))
              .group_by(ReturnForm.year).subquery())
    forms = db.session.scalars(
        sa.select(ReturnForm).join(newest, sa.and_(ReturnForm.year == newest.c.year,
                                                   ReturnForm.revision == newest.c.revision))
        .order_by(ReturnForm.year)
    ).all()
    return [{"year": f.year, "revision": f.revision, "opens_on": f.opens_on, "due_on": f.due_on,
             "closed": f.closed_at is not None} for f in forms]
