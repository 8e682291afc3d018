"""The coordinator's review queue (/returns?year=): filtered by region, status and lateness, paged."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from association.core.models import localized
from association.extensions import db
from association.libraries.models import MemberLibrary, Region
from association.returns.forms import YearForm
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.returns.operations import findings_for_many
from association.returns.queries import is_late
from association.returns.validation import Findings

QUEUE_PER_PAGE = 50
LATENESS = {"late": _l("Late"), "on_time": _l("On time")}


class QueueFilters(YearForm):
    """The review queue's filters, read from the query string (the region's choices are the regions)."""

    region = SelectField(_l("Region"), validators=[Optional()], choices=[])
    late = SelectField(_l("Lateness"), validators=[Optional()], choices=[SelectChoice("", "—")] + [
        SelectChoice(key, label) for key, label in LATENESS.items()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)])


def queue_filters(args) -> QueueFilters:
    """The filters as given; a value that is not one of the choices is an error beside its field, not a 500."""
    filters = QueueFilters(args)
    regions = db.session.execute(
        sa.select(Region.code, Region.name_kk, Region.name_ru, Region.name_en).order_by(Region.position)).all()
    filters.region.choices = [SelectChoice("", "—")] + [
        SelectChoice(code, localized({"kk": kk, "ru": ru, "en": en})) for code, kk, ru, en in regions]
    filters.validate()
    return filters


@dataclass
class QueueRow:
    annual_return: AnnualReturn
    findings: Findings
    late: bool


@dataclass
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def review_queue_page(year: int, filters: QueueFilters, today: date | None = None,
                      per_page: int = QUEUE_PER_PAGE) -> QueuePage:
    """One page of the year's returns matching the filters, submitted first, with their findings and lateness
    (the return page's rule, `is_late`); a fixed number of queries whatever the year's size."""
    def valid(name: str) -> str | None:
        form_field = getattr(filters, name)
        return None if form_field.errors or not form_field.data else form_field.data

    query = (
        sa.select(AnnualReturn).where(AnnualReturn.year == year)
        .options(joinedload(AnnualReturn.library))
        .join(MemberLibrary, AnnualReturn.library_id == MemberLibrary.id)
        .order_by(AnnualReturn.status.desc(), MemberLibrary.code)
    )
    status, region = valid("status"), valid("region")
    if status:
        query = query.where(AnnualReturn.status == ReturnStatus(status))
    if region:
        query = query.where(MemberLibrary.region.has(Region.code == region))
    returns = list(db.session.scalars(query).unique())
    forms = {form.id: form for form in db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.id.in_({r.form_id for r in returns})))} if returns else {}
    lateness = {r.id: is_late(r, forms[r.form_id], today) for r in returns}
    if valid("late"):
        returns = [r for r in returns if lateness[r.id] == (valid("late") == "late")]
    total = len(returns)
    pages = max(1, math.ceil(total / per_page))
    page = min(int(valid("page") or 1), pages)
    shown = returns[(page - 1) * per_page:page * per_page]
    findings = findings_for_many(shown)
    return QueuePage([QueueRow(r, findings[r.id], lateness[r.id]) for r in shown], total, page, pages)
