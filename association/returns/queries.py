"""Reading annual returns."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from association.extensions import db
from association.returns.models import AnnualReturn, ReturnForm


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
