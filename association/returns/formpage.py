"""What the return form shows beside the fields: a section index with its counts, and the change from last year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from association.core.models import localized
from association.returns.queries import ReturnPage


@dataclass(frozen=True)
class SectionCount:
    code: str
    title: str
    filled: int
    missing: int  # required and empty
    errors: int  # fields with an error (a refused value, a range, a cross-field rule)


def section_index(page: ReturnPage, refused: dict[str, list[str]] | None = None) -> list[SectionCount]:
    """Per section of the form: how many fields are filled, required but missing, and in error."""
    values = page.values
    errors = {**page.findings.errors, **(refused or {})}
    return [
        SectionCount(
            code=section["code"], title=localized(section["title"]) or section["code"],
            filled=sum(1 for f in section["fields"] if is_filled(values.get(f.code))),
            missing=sum(1 for f in section["fields"] if f.required and not is_filled(values.get(f.code))),
            errors=sum(1 for f in section["fields"] if errors.get(f.code)),
        )
        for section in page.sections if section["fields"]
    ]


def year_changes(page: ReturnPage) -> dict[str, float]:
    """Per numeric field with a value this year and a non-zero accepted value last year: the change in %."""
    changes: dict[str, float] = {}
    for code, before in page.previous.items():
        now = page.values.get(code)
        if isinstance(before, int | float | Decimal) and isinstance(now, int | float | Decimal) \
                and _number(before) and _number(now) and float(before) != 0:
            changes[code] = round((float(now) - float(before)) / abs(float(before)) * 100, 1)
    return changes


def is_filled(value: Any) -> bool:
    """A value, "not available" included (a deliberate answer); empty and missing are not."""
    return value is not None and value != ""


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
