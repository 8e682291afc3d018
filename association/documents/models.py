"""A committee's document, its versions (an uploaded file with a note), comments and the tasks it fulfils."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from association.committees.models import Committee
from association.core.models import Base, EnumText, IdMixin, TimestampMixin, localized, one_of, utcnow
from association.files.models import StoredFile
from association.roadmap.models import RoadmapTask
from association.users.models import User


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    FOR_COMMENT = "for_comment"
    APPROVED = "approved"


class Document(IdMixin, TimestampMixin, Base):
    __tablename__ = "documents"

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committees.id", ondelete="CASCADE"), index=True)
    title_kk: Mapped[str] = mapped_column(sa.String(500))
    title_ru: Mapped[str] = mapped_column(sa.String(500))
    title_en: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[DocumentStatus] = mapped_column(EnumText(DocumentStatus), default=DocumentStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]

    committee: Mapped[Committee] = relationship(lazy="raise_on_sql")
    versions: Mapped[list[DocumentVersion]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                           order_by="DocumentVersion.number")
    comments: Mapped[list[DocumentComment]] = relationship(cascade="all, delete-orphan", lazy="raise_on_sql",
                                                           order_by="(DocumentComment.at, DocumentComment.id)")
    tasks: Mapped[list[RoadmapTask]] = relationship(secondary="document_tasks", lazy="raise_on_sql",
                                                    order_by="RoadmapTask.code")

    __table_args__ = (
        one_of("status", DocumentStatus),
        sa.CheckConstraint("status <> 'approved' OR approved_at IS NOT NULL", name="approved_has_date"),
    )

    @property
    def titles(self) -> dict[str, str]:
        return {"kk": self.title_kk, "ru": self.title_ru, "en": self.title_en}

    @property
    def title(self) -> str:
        return localized(self.titles)


class DocumentVersion(IdMixin, Base):
    __tablename__ = "document_versions"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[StoredFile] = relationship(lazy="raise_on_sql")
    uploaded_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)


class DocumentComment(IdMixin, Base):
    __tablename__ = "document_comments"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(sa.Text)

    user: Mapped[User | None] = relationship(lazy="raise_on_sql")


class DocumentTask(Base):
    """A task the document fulfils: the task's page links the document once it is approved."""

    __tablename__ = "document_tasks"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_tasks.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
