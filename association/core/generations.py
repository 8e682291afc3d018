"""Generation rows read along with the identity generation, in the same statement.

A signed-in request's first statement reads the identity generation (association.auth.identity). Every other
generation a request may need — the programme figures' (association.progress.cache) — is registered here and read
in that same statement, into `session.info` for the transaction, where its own reader finds it: a page showing
figures then pays no round trip of its own for them (≈ 0.15 ms of the app's CPU each on the benchmark's machine,
bench/RESULTS.md). Reading a generation earlier in the request than its figures are computed is what its reader
needs anyway: figures computed after reading it are at least as new as it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ReadAlong:
    info_key: str  # where the transaction's reader looks for it in session.info
    column: sa.ScalarSelect[Any]


_READ_ALONG: list[ReadAlong] = []


def read_along(info_key: str, column: sa.ScalarSelect[Any]) -> None:
    """Read `column` (a single-row scalar subquery) with the identity generation, into session.info[info_key]."""
    if all(entry.info_key != info_key for entry in _READ_ALONG):
        _READ_ALONG.append(ReadAlong(info_key, column))


def columns() -> list[sa.ScalarSelect[Any]]:
    return [entry.column for entry in _READ_ALONG]


def keep(session: Session, values: Any) -> None:
    """Keep the values read by `columns()`, in their order, for this transaction's readers."""
    for entry, value in zip(_READ_ALONG, values, strict=True):
        session.info[entry.info_key] = value
