"""Reading member libraries: the filtered registry, one library's page, its measures and histories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from association.core.i18n import current_language
from association.core.models import localized
from association.extensions import db
from association.libraries.models import (
    LibraryProgress,
    LibraryProgressHistory,
    MeasureStatus,
    MemberLibrary,
    MembershipChange,
    Region,
)
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.queries import code_order, escape_like
from association.users.models import Role, User, UserRole


def library_query(filters: dict[str, Any]) -> sa.Select:
    """Member libraries matching the registry filters (region, city, type, status, q, code), by code."""
    query = sa.select(MemberLibrary).options(joinedload(MemberLibrary.region))
    if filters.get("region"):
        query = query.where(MemberLibrary.region.has(Region.code == filters["region"].upper()))
    if filters.get("city"):
        query = query.where(sa.func.lower(MemberLibrary.city) == filters["city"].strip().lower())
    if filters.get("type"):
        query = query.where(MemberLibrary.type == filters["type"])
    if filters.get("status"):
        query = query.where(MemberLibrary.membership_status == filters["status"])
    if filters.get("code"):
        query = query.where(MemberLibrary.code == filters["code"].upper())
    if filters.get("q"):
        pattern = f"%{escape_like(filters['q'].strip())}%"
        query = query.where(sa.or_(*(
            column.ilike(pattern, escape="\\")
            for column in (MemberLibrary.code, MemberLibrary.name_kk, MemberLibrary.name_ru, MemberLibrary.name_en,
                           MemberLibrary.university, MemberLibrary.city)
        )))
    return query.order_by(MemberLibrary.code)


def describe_libraries(libraries: Sequence[MemberLibrary]) -> list[dict[str, Any]]:
    """Libraries as the API and the registry show them, with their overall progress (one more query)."""
    from association.progress.queries import overall_percents

    percents = overall_percents([library.id for library in libraries])
    language = current_language()  # once, not twice a row: Babel's locale lookup was a tenth of a page of 50
    described = []
    for library in libraries:
        names = library.names
        described.append({
            "id": library.id, "code": library.code, "name": localized(names, language), "names": names,
            "university": library.university, "city": library.city, "region": library.region.code,
            "region_name": localized(library.region.names, language), "type": library.type.value,
            "membership_status": library.membership_status.value, "joined_on": library.joined_on,
            "left_on": library.left_on, "website": library.website, "email": library.email, "phone": library.phone,
            "address": library.address, "overall_percent": percents[library.id], "version": library.version,
        })
    return described


def get_library(library_id: int | None = None, code: str | None = None) -> MemberLibrary | None:
    """One library, by id or code, with its region loaded."""
    query = sa.select(MemberLibrary).options(joinedload(MemberLibrary.region))
    query = query.where(MemberLibrary.id == library_id) if library_id is not None else query.where(
        MemberLibrary.code == (code or "").upper())
    return db.session.scalars(query).one_or_none()


def representatives(library_id: int) -> list[str]:
    """The names of the library's representatives, by name."""
    return list(db.session.scalars(
        sa.select(User.name).join(UserRole).where(User.library_id == library_id, UserRole.role == Role.LIBRARY_REP)
        .order_by(User.name)
    ))


def membership_history(library_id: int) -> list[MembershipChange]:
    return list(db.session.scalars(
        sa.select(MembershipChange).where(MembershipChange.library_id == library_id)
        .order_by(MembershipChange.effective_on.desc(), MembershipChange.id.desc())
    ))


@dataclass(frozen=True)
class Measure:
    """One library-level measure as it stands for one library (not_started when nothing was recorded)."""

    task: RoadmapTask
    status: MeasureStatus
    evidence_url: str | None
    note: str
    updated_at: datetime | None
    updated_by: str | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    version: int = 0  # the version its form is read at (0: nothing recorded yet)


def library_measures(library_id: int, programme_id: int | None = None) -> list[Measure]:
    """Every library-level measure of the programme (default: the one shown; cancelled measures left out) with
    this library's progress."""
    from association.programme.queries import default_programme_id

    tasks = db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.library_level, RoadmapTask.status != TaskStatus.CANCELLED,
                                     RoadmapTask.programme_id == (programme_id or default_programme_id()))
        .options(joinedload(RoadmapTask.committee)).order_by(*code_order())
    ).unique().all()
    rows = {
        row.task_id: row for row in db.session.scalars(
            sa.select(LibraryProgress).where(LibraryProgress.library_id == library_id)
            .options(joinedload(LibraryProgress.updated_by), joinedload(LibraryProgress.confirmed_by))
        )
    }
    measures = []
    for task in tasks:
        row = rows.get(task.id)
        measures.append(Measure(
            task=task, status=row.status if row else MeasureStatus.NOT_STARTED,
            evidence_url=row.evidence_url if row else None, note=row.note if row else "",
            updated_at=row.updated_at if row else None,
            updated_by=row.updated_by.name if row and row.updated_by else None,
            confirmed_by=row.confirmed_by.name if row and row.confirmed_by else None,
            confirmed_at=row.confirmed_at if row else None, version=row.version if row else 0,
        ))
    return measures


def measure_history(library_id: int,
                    programme_id: int | None = None) -> list[tuple[LibraryProgressHistory, str, str | None]]:
    """The library's progress changes on the programme's measures (default: the programme shown), newest first:
    (entry, task code, who)."""
    from association.programme.queries import default_programme_id

    return list(db.session.execute(
        sa.select(LibraryProgressHistory, RoadmapTask.code, User.name)
        .join(LibraryProgress, LibraryProgressHistory.progress_id == LibraryProgress.id)
        .join(RoadmapTask, LibraryProgress.task_id == RoadmapTask.id)
        .outerjoin(User, LibraryProgressHistory.user_id == User.id)
        .where(LibraryProgress.library_id == library_id,
               RoadmapTask.programme_id == (programme_id or default_programme_id()))
        .order_by(LibraryProgressHistory.at.desc(), LibraryProgressHistory.id.desc())
    ).all())


def regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.position)))


@dataclass
class LibraryPage:
    """Everything a library's page shows, read in one call."""

    record: MemberLibrary
    library: dict[str, Any]
    figures: Any
    measures: list[Measure]
    editable_measures: set[int]  # the measures whose progress this user may record
    representatives: list[Any]
    membership: list[Any]
    history: list[Any]
    returns: list[dict[str, Any]]
    can_edit_profile: bool
    can_read_returns: bool
    can_change_membership: bool

    def measure_counts(self, labels: dict[str, Any]) -> list[tuple[Any, int]]:
        return [(label, sum(1 for m in self.measures if m.status.value == key)) for key, label in labels.items()]


def library_page(library: MemberLibrary, user: User) -> LibraryPage:
    """A library's page for `user`: profile, figures, measures, representatives, membership, history, returns."""
    from association.libraries.operations import can_edit_profile, can_edit_progress
    from association.programme.queries import default_programme_id
    from association.progress.queries import LibraryFigures
    from association.returns.operations import can_read_return
    from association.returns.queries import returns_of_library

    programme_id = default_programme_id()
    measures = library_measures(library.id, programme_id)
    # The figures of progress.queries.library_figures, counted from the measures read (the same measures: the
    # programme's library-level ones, cancelled left out) rather than read again.
    figures = LibraryFigures(done=sum(1 for m in measures if m.status == MeasureStatus.DONE),
                             applicable=sum(1 for m in measures if m.status != MeasureStatus.NOT_APPLICABLE))
    return LibraryPage(
        record=library, library=describe_libraries([library])[0], figures=figures, measures=measures,
        editable_measures={m.task.id for m in measures if can_edit_progress(user, library, m.task)},
        representatives=representatives(library.id), membership=membership_history(library.id),
        history=measure_history(library.id, programme_id), returns=returns_of_library(library.id),
        can_edit_profile=can_edit_profile(user, library), can_read_returns=can_read_return(user, library),
        can_change_membership=user.is_coordinator,
    )
