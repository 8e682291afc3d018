"""Returns made directly in the database (the workflow is tested in tests/returns), for computing indicators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus

AddReturn = Callable[..., AnnualReturn]

# A complete set of values that every seeded indicator can be computed from.
BASE_VALUES: dict[str, Any] = {
    "students_fte": 4000, "users_registered": 5000, "visits_physical": 120000, "loans_total": 30000,
    "loans_electronic": 10000, "seats_reading": 300, "expenditure_total_kzt": 200_000_000,
    "expenditure_acquisitions_kzt": 50_000_000, "expenditure_eresources_kzt": 20_000_000,
    "eresource_downloads": 80000, "staff_total": 40, "staff_trained": 10, "collection_print_items": 400000,
    "collection_added_items": 6000, "opening_hours_week": 72, "training_attendees": 900,
}


@pytest.fixture
def add_return(app) -> AddReturn:
    """add_return(code, year, values, status="accepted"): a return of that library and year, committed."""

    def add(code: str, year: int, values: dict[str, Any], status: str = "accepted") -> AnnualReturn:
        with app.app_context():
            library_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
            form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == year)
                                        .order_by(ReturnForm.revision.desc()))
            assert library_id and form_id, (code, year)
            now = datetime(year + 1, 2, 1, tzinfo=UTC)
            annual_return = AnnualReturn(
                library_id=library_id, year=year, form_id=form_id, status=ReturnStatus(status), values=values,
                first_submitted_at=None if status == "draft" else now,
                submitted_at=None if status == "draft" else now, accepted_at=now if status == "accepted" else None)
            db.session.add(annual_return)
            db.session.commit()
            return annual_return

    return add


def library_id(app, code: str) -> int:
    with app.app_context():
        found = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == code))
        assert found is not None
        return found
