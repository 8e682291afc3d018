"""The metadata of a stored file; the bytes live in the storage folder under `storage_key`."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.core.models import Base, EnumText, IdMixin, one_of, utcnow
from association.users.models import User


class OwnerType(enum.StrEnum):
    """What a file belongs to: its reads and writes are checked on that object."""

    TASK = "task"
    LIBRARY_PROGRESS = "library_progress"
    MEETING = "meeting"
    DOCUMENT = "document"


class StoredFile(IdMixin, Base):
    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    owner_type: Mapped[OwnerType] = mapped_column(EnumText(OwnerType))
    owner_id: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        one_of("owner_type", OwnerType),
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.Index("ix_stored_files_owner", "owner_type", "owner_id"),
    )
