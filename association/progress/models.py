"""The figures' generation: one row whose value changes whenever data the figures are computed from changes."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from association.core.models import Base

GENERATION_ROW = 1


def new_generation() -> int:
    """A random value, never a counter: a generation from a rolled-back transaction, or another database's, is
    never seen again, so figures cached under it can never be taken for current ones."""
    return secrets.randbits(62)


class FigureGeneration(Base):
    __tablename__ = "figure_generation"
    __audited__ = False  # bookkeeping, not a change anyone made

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


@sa.event.listens_for(FigureGeneration.__table__, "after_create")
def _insert_the_row(table: sa.Table, connection: sa.Connection, **_: Any) -> None:
    """`create_all` (the tests) makes the row the migration makes."""
    connection.execute(sa.insert(table).values(id=GENERATION_ROW, value=new_generation()))
