"""Reading annual returns: one return with everything its page and the API show, a library's years, the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from association.core.errors import NotAllowed
from association.core.models import localized
from association.extensions import db
from association.libraries.models import MemberLibrary, MembershipStatus, Region
from association.returns import lateness
from association.returns.formcache import definition_of
from association.returns.models import AnnualReturn, ReturnForm, ReturnHistory, ReturnStatus
from association.returns.validation import Findings
from association.users.models import User


def describe_form(form: ReturnForm) -> dict[str, Any]:
    """A form definition as the API shows it (labels in the user's language, and all three)."""
    definition = definition_of(form)
    return {
        "year": form.year, "revision": form.revision, "title": form.title, "opens_on": form.opens_on,
        "due_on": form.due_on, "closed": form.closed_at is not None, "sections": form.sections, "units": form.units,
        "fields": [
            {"code": f.code, "label": f.label, "labels": f.labels, "help": localized(f.helps), "section": f.section,
             "type": f.type.value, "unit": f.unit, "required": f.required,
             "min": None if f.min_value is None else float(f.min_value),
             "max": None if f.max_value is None else float(f.max_value),
             "allow_na": f.allow_na, "choices": f.choices}
            for f in definition.fields
        ],
        "rules": [
            {"code": r.code, "kind": r.kind.value, "expression": r.expression, "field": r.field_code,
             "max_change_percent": None if r.max_change_percent is None else float(r.max_change_percent),
             "severity": r.severity.value, "message": r.message}
            for r in definition.rules
        ],
    }


def is_late(annual_return: AnnualReturn | None, form: ReturnForm, today: date | None = None) -> bool:
    """The return's lateness by the one rule of `returns.lateness`."""
    return lateness.is_late(annual_return.first_submitted_at if annual_return else None, form.due_on, today)


# A return's history grows with every save; pages and API answers show the newest entries, the rest is a page away.
RECENT_HISTORY = 20


def return_history(return_id: int, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """The return's history, newest first (`limit` entries from `offset`, or all of it)."""
    return history_with_total(return_id, limit, offset)[0]


def history_with_total(return_id: int, limit: int | None = None,
                       offset: int = 0) -> tuple[list[dict[str, Any]], int | None]:
    """The return's history entries as return_history, and how many it has in all, in one statement (the count is
    a window over the whole history, computed before the limit); None when the page is empty, the count unknown."""
    rows = db.session.execute(
        sa.select(ReturnHistory, User.name, sa.func.count().over().label("total"))
        .outerjoin(User, ReturnHistory.user_id == User.id)
        .where(ReturnHistory.return_id == return_id).order_by(ReturnHistory.at.desc(), ReturnHistory.id.desc())
        .limit(limit).offset(offset)
    ).all()
    entries = [
        {"at": entry.at, "user": name, "action": entry.action,
         "from_status": entry.from_status.value if entry.from_status else None, "to_status": entry.to_status.value,
         "comment": entry.comment, "values_before": entry.values_before}
        for entry, name, _total in rows
    ]
    return entries, rows[0].total if rows else None


def _history_and_total(return_id: int, limit: int | None) -> tuple[list[dict[str, Any]], int]:
    """The newest `limit` entries and the total: one statement, a second only for a history that is empty."""
    entries, total = history_with_total(return_id, limit)
    return entries, total if total is not None else return_history_total(return_id)


def return_history_total(return_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ReturnHistory.id)).where(ReturnHistory.return_id == return_id)) or 0


def describe_return(annual_return: AnnualReturn, library_code: str, form: ReturnForm,
                    findings: Findings) -> dict[str, Any]:
    """A return as the API shows it: values, errors, warnings, version, dates and its newest history entries."""
    history, history_total = _history_and_total(annual_return.id, RECENT_HISTORY)
    return {
        "id": annual_return.id, "library": library_code, "year": annual_return.year,
        "status": annual_return.status.value, "values": annual_return.values or {},
        "notes": annual_return.notes or {}, "errors": findings.errors, "warnings": findings.warnings,
        "version": annual_return.version, "submitted_at": annual_return.submitted_at,
        "first_submitted_at": annual_return.first_submitted_at, "accepted_at": annual_return.accepted_at,
        "late": is_late(annual_return, form), "review_comment": annual_return.review_comment,
        "history": history, "history_total": history_total,
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


REVIEW_ACTIONS = ("returned", "accepted", "reopened")


def latest_review(return_id: int) -> dict[str, Any] | None:
    """The newest review action on a return (returned, accepted, reopened) with its comment, date and reviewer."""
    row = db.session.execute(
        sa.select(ReturnHistory, User.name).outerjoin(User, ReturnHistory.user_id == User.id)
        .where(ReturnHistory.return_id == return_id, ReturnHistory.action.in_(REVIEW_ACTIONS))
        .order_by(ReturnHistory.at.desc(), ReturnHistory.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    entry, name = row
    return {"action": entry.action, "at": entry.at, "user": name, "comment": entry.comment}


MILESTONES = ("submitted", "returned", "accepted", "reopened")


def return_milestones(return_id: int) -> list[dict[str, Any]]:
    """The return's submissions and reviews, oldest first, with who and when (and the reviewer's comment): the
    history without its saves, as the printed return summarizes it."""
    rows = db.session.execute(
        sa.select(ReturnHistory, User.name).outerjoin(User, ReturnHistory.user_id == User.id)
        .where(ReturnHistory.return_id == return_id, ReturnHistory.action.in_(MILESTONES))
        .order_by(ReturnHistory.at, ReturnHistory.id)
    ).all()
    return [{"action": entry.action, "at": entry.at, "user": name, "comment": entry.comment} for entry, name in rows]


@dataclass
class ReturnPage:
    """Everything the return page shows, read in one call."""

    library: MemberLibrary
    year: int
    form: ReturnForm
    annual_return: AnnualReturn | None
    sections: list[dict[str, Any]]
    findings: Findings
    editable: bool
    can_review: bool
    previous: dict[str, Any]
    history: list[dict[str, Any]]
    history_total: int
    late: bool
    last_review: dict[str, Any] | None

    @property
    def values(self) -> dict[str, Any]:
        return (self.annual_return.values if self.annual_return else None) or {}

    @property
    def notes(self) -> dict[str, str]:
        return (self.annual_return.notes if self.annual_return else None) or {}

    @property
    def version(self) -> int:
        """The version the page is read at (0 before the return exists), as the API's ETag names it."""
        return self.annual_return.version if self.annual_return else 0


def return_page(library: MemberLibrary, year: int, user: User, *, whole_history: bool = False) -> ReturnPage:
    """The return page of a library and year. Refused (403) for anyone who may not read the library's return."""
    from association.returns import operations

    if not operations.can_read_return(user, library):
        raise NotAllowed(_("You may not read this library's return."))
    annual_return = operations.find_return(library.id, year)
    form = operations.form_of(annual_return) if annual_return is not None else operations.form_for_year(year)
    fields = definition_of(form).fields
    sections = [
        {"code": section["code"], "title": section.get("title") or {},
         "fields": [f for f in fields if f.section == section["code"]]}
        for section in form.sections or [{"code": f.section} for f in fields[:1]]
    ]
    history, history_total = (_history_and_total(annual_return.id, None if whole_history else RECENT_HISTORY)
                              if annual_return else ([], 0))
    return ReturnPage(
        library=library, year=year, form=form, annual_return=annual_return, sections=sections,
        findings=operations.findings_for(annual_return, form) if annual_return else Findings(),
        editable=operations.can_change_return(user, library, annual_return, form),
        can_review=operations.can_review(user),
        previous=operations.previous_values(library.id, year) or {},
        history=history, history_total=history_total,
        late=is_late(annual_return, form),
        last_review=latest_review(annual_return.id) if annual_return else None,
    )


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
