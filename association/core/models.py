"""The declarative base, its naming convention and the small column helpers every domain model uses."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from association.core.i18n import current_language

# Named constraints make migrations portable (SQLite batch mode needs names to drop or alter them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (the database stores UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use association.core.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EnumText(TypeDecorator):
    """A Python enum stored as its plain string value; a named CHECK constraint (see `one_of`) guards it."""

    impl = sa.String(32)
    cache_ok = True

    def __init__(self, enum_class: type[enum.Enum], length: int = 32) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> enum.Enum | None:
        return None if value is None else self.enum_class(value)


def one_of(column: str, values: type[enum.Enum] | tuple[str, ...], name: str | None = None) -> sa.CheckConstraint:
    """A named CHECK constraint allowing only the given values (an enum's values or a tuple) in `column`."""
    allowed = [member.value for member in values] if isinstance(values, type) else list(values)
    listed = ", ".join(f"'{value}'" for value in allowed)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_allowed")


def localized(texts: dict[str, str] | None, locale: str | None = None) -> str:
    """Pick the text in the user's language from a {kk, ru, en} map, falling back to English, then any."""
    if not texts:
        return ""
    locale = locale or current_language()
    return texts.get(locale) or texts.get("en") or next(iter(texts.values()), "")


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: sa.JSON()},
    )


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NamedMixin:
    """Names in the three languages, as columns so that lists can be searched and sorted by them."""

    name_kk: Mapped[str] = mapped_column(sa.String(300))
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))

    @property
    def names(self) -> dict[str, str]:
        return {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}

    @property
    def name(self) -> str:
        """The name in the current user's language."""
        return localized(self.names)
