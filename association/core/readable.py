"""Values as people read them on the HTML pages: booleans as Yes/No, choices by their label, "not available"
spelled out, numbers with the locale's grouping, dates as "1 December 2026" (and the Kazakh and Russian forms)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from association.core.models import localized

# Day, month name, year: never ambiguous between day-first and month-first readers, in every language.
LONG_DATE = "d MMMM y"
LONG_DATETIME = "d MMMM y, HH:mm"
NOT_AVAILABLE = "NA"
EMPTY = "—"


class FieldLike(Protocol):
    """What a form field tells about its values (a returns.models.FormField)."""

    type: Any
    choices: list[Any] | None


def long_date(value: date | datetime | None) -> str:
    """A date as "1 December 2026" (a datetime with its time, in the user's time zone)."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        return format_datetime(value, LONG_DATETIME)
    return format_date(value, LONG_DATE)


def format_number(value: int | float | Decimal) -> str:
    from association.core.templating import format_number as grouped

    return str(grouped(float(value) if isinstance(value, Decimal) else value))


def format_value(field: FieldLike | None, value: Any) -> str:
    """A return's stored value for `field` as a reader reads it, in the user's language."""
    if value is None or value == "":
        return EMPTY
    if value == NOT_AVAILABLE:
        return _("Not available")
    kind = str(getattr(field, "type", "") or "")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == "choice":
        for choice in getattr(field, "choices", None) or []:
            if isinstance(choice, dict) and choice.get("code") == value:
                return localized(choice.get("label")) or str(value)
        return str(value)
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    return str(value)
