"""Reading committees with their members and task figures (a fixed number of queries for any number)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from association.committees.models import Committee, CommitteeMembership
from association.core.models import localized
from association.extensions import db
from association.roadmap.queries import committee_figures


def describe_committees(committee_id: int | None = None) -> list[dict[str, Any]]:
    """Committees in their order, each with its members and tasks_total / tasks_by_status / progress_percent."""
    query = sa.select(Committee).options(
        selectinload(Committee.memberships).joinedload(CommitteeMembership.user)
    ).order_by(Committee.position, Committee.code)
    if committee_id is not None:
        query = query.where(Committee.id == committee_id)
    committees = db.session.scalars(query).all()
    figures = committee_figures([c.id for c in committees])
    return [
        {
            "id": committee.id, "code": committee.code, "name": committee.name, "names": committee.names,
            "short_name": committee.short_name, "mandate": localized(committee.mandate),
            "tasks_total": figures[committee.id].tasks_total,
            "tasks_by_status": figures[committee.id].tasks_by_status,
            "progress_percent": figures[committee.id].progress_percent,
            "members": sorted(({"name": m.user.name, "chair": m.chair} for m in committee.memberships),
                              key=lambda member: (not member["chair"], member["name"])),
        }
        for committee in committees
    ]
