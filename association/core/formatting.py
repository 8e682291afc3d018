"""Readable values in the exports (XLSX, PDF): association.core.readable's rules, every one of them, with a single
difference of form — a missing value is an empty cell ("") where a page shows "—".

Why the difference: in a spreadsheet an empty cell *is* "no value" — it stays blank to COUNTA, to filters ("(Blanks)")
and to formulas, where a "—" would be text that counts as an answer and breaks a SUM over the column. A PDF table
cell is filled from the same rows as the XLSX so that the two documents read the same. "Not available" is not
missing: it is an answer and reads as on the pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from association.core import readable
from association.core.readable import NOT_AVAILABLE, local_time, not_available

MISSING = ""

__all__ = ["MISSING", "NOT_AVAILABLE", "choice_label", "date_time", "label", "local_time", "long_date",
           "not_available", "number", "percent", "value_text", "yes_no"]


def yes_no(value: bool | None) -> str:
    """readable.yes_no, an empty cell when there is no value."""
    return readable.yes_no(value, MISSING)


def number(value: int | float | Decimal | None) -> str:
    """readable.number, an empty cell when there is no value."""
    return readable.number(value, MISSING)


def percent(value: int | float | Decimal | None) -> str:
    """readable.percent, an empty cell when there is no value."""
    return readable.percent(value, MISSING)


def long_date(value: date | datetime | None) -> str:
    """readable.long_date, an empty cell when there is no value."""
    return readable.long_date(value, MISSING)


def date_time(value: datetime | None) -> str:
    """readable.date_time, an empty cell when there is no value."""
    return readable.date_time(value, MISSING)


def label(labels: Mapping[str, Any], code: str | None) -> str:
    """readable.label, an empty cell when there is no code."""
    return readable.label(labels, code, MISSING)


def choice_label(choices: Sequence[Mapping[str, Any]] | None, code: Any) -> str:
    """readable.choice_label, an empty cell when there is no value."""
    return readable.choice_label(choices, code, MISSING)


def value_text(value: Any, field_type: str | None = None, choices: Sequence[Mapping[str, Any]] | None = None) -> str:
    """readable.value_text, an empty cell when there is no value."""
    return readable.value_text(value, field_type, choices, MISSING)
