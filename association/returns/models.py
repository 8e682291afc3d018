"""Annual-return forms (fields and rules are rows: a new field needs no code and no migration) and returns."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, EnumText, IdMixin, TimestampMixin, localized, one_of, utcnow
from association.libraries.models import MemberLibrary
from association.users.models import User


class FieldType(enum.StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    TEXT = "text"
    CHOICE = "choice"


class RuleKind(enum.StrEnum):
    EXPRESSION = "expression"
    YOY_CHANGE = "yoy_change"


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class ReturnStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class ReturnForm(IdMixin, TimestampMixin, Base):
    """The form of one reporting year. A revision is frozen once a return has been submitted on it."""

    __tablename__ = "return_forms"

    year: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    opens_on: Mapped[date]
    due_on: Mapped[date]
    # A year the coordinator has closed refuses new saves and submissions (409).
    closed_at: Mapped[datetime | None]
    periods: Mapped[dict[str, Any]] = mapped_column(default=dict)
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sections: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)

    fields: Mapped[list[FormField]] = relationship(
        back_populates="form", cascade="all, delete-orphan", lazy="raise_on_sql", order_by="FormField.position"
    )
    rules: Mapped[list[FormRule]] = relationship(
        back_populates="form", cascade="all, delete-orphan", lazy="raise_on_sql", order_by="FormRule.position"
    )

    __table_args__ = (
        sa.UniqueConstraint("year", "revision"),
        sa.CheckConstraint("opens_on <= due_on", name="window_ordered"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    @property
    def title(self) -> str:
        return localized(self.titles)


class FormField(IdMixin, Base):
    __tablename__ = "form_fields"

    form_id: Mapped[int] = mapped_column(sa.ForeignKey("return_forms.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    section: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    helps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    type: Mapped[FieldType] = mapped_column(EnumText(FieldType))
    unit: Mapped[str | None] = mapped_column(sa.String(32))
    period: Mapped[str | None] = mapped_column(sa.String(32))
    required: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 4))
    max_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 4))
    allow_na: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[Any] | None] = mapped_column(sa.JSON)

    form: Mapped[ReturnForm] = relationship(back_populates="fields", lazy="raise_on_sql")

    __table_args__ = (
        sa.UniqueConstraint("form_id", "code"),
        one_of("type", FieldType),
        sa.CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="bounds_ordered"),
    )

    @property
    def label(self) -> str:
        return localized(self.labels)


class FormRule(IdMixin, Base):
    """A cross-field rule (`expression`) or a year-over-year check (`yoy_change`) with its severity."""

    __tablename__ = "form_rules"

    form_id: Mapped[int] = mapped_column(sa.ForeignKey("return_forms.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[RuleKind] = mapped_column(EnumText(RuleKind))
    expression: Mapped[str | None] = mapped_column(sa.String(1000))
    field_code: Mapped[str | None] = mapped_column(sa.String(64))
    max_change_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    severity: Mapped[Severity] = mapped_column(EnumText(Severity))
    messages: Mapped[dict[str, Any]] = mapped_column(default=dict)

    form: Mapped[ReturnForm] = relationship(back_populates="rules", lazy="raise_on_sql")

    __table_args__ = (
        sa.UniqueConstraint("form_id", "code"),
        one_of("kind", RuleKind),
        one_of("severity", Severity),
        sa.CheckConstraint(
            "(kind = 'expression' AND expression IS NOT NULL)"
            " OR (kind = 'yoy_change' AND field_code IS NOT NULL AND max_change_percent IS NOT NULL)",
            name="kind_has_parameters",
        ),
    )

    @property
    def message(self) -> str:
        return localized(self.messages)


class AnnualReturn(IdMixin, TimestampMixin, Base):
    """One library's return for one reporting year: values by field code ("NA" = not available)."""

    __tablename__ = "annual_returns"

    library_id: Mapped[int] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("return_forms.id"), index=True)
    status: Mapped[ReturnStatus] = mapped_column(EnumText(ReturnStatus), default=ReturnStatus.DRAFT, index=True)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Explanations the library attached to warnings, by field code.
    notes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None]
    first_submitted_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    library: Mapped[MemberLibrary] = relationship(lazy="raise_on_sql")
    form: Mapped[ReturnForm] = relationship(lazy="raise_on_sql")
    history: Mapped[list[ReturnHistory]] = relationship(
        back_populates="annual_return", cascade="all, delete-orphan", lazy="raise_on_sql",
        order_by="(ReturnHistory.at.desc(), ReturnHistory.id.desc())",
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("library_id", "year"),
        one_of("status", ReturnStatus),
        # A return that has been submitted (or gone further) knows when; a draft may not claim it.
        sa.CheckConstraint(
            "status = 'draft' OR first_submitted_at IS NOT NULL", name="submitted_has_date"
        ),
        sa.CheckConstraint("status <> 'accepted' OR accepted_at IS NOT NULL", name="accepted_has_date"),
    )


class ReturnHistory(IdMixin, Base):
    """Every save and transition of a return, with the values as they were before it."""

    __tablename__ = "return_history"

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("annual_returns.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    from_status: Mapped[ReturnStatus | None] = mapped_column(EnumText(ReturnStatus))
    to_status: Mapped[ReturnStatus] = mapped_column(EnumText(ReturnStatus))
    values_before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    annual_return: Mapped[AnnualReturn] = relationship(back_populates="history", lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        one_of("action", ("created", "saved", "submitted", "returned", "accepted", "reopened")),
        one_of("to_status", ReturnStatus),
    )


class ReturnReminder(IdMixin, Base):
    """A reminder sent to a library about one year's return, so that the same reminder goes out once a day at most."""

    __tablename__ = "return_reminders"

    library_id: Mapped[int] = mapped_column(sa.ForeignKey("member_libraries.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.UniqueConstraint("library_id", "year", "sent_on"),)
