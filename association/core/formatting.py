"""How values read for people, in the language being rendered (kk, ru, en): the one place for these rules, used by
the exports and the PDF (and, later, the pages and e-mails).

- booleans: Yes/No, Иә/Жоқ, Да/Нет; "NA" (a return's "not available"): spelled out;
- numbers: the locale's grouping and decimal sign (1,234,567.5 · 1 234 567,5 with non-breaking spaces);
- percentages: 95% · 95 % (Russian puts a non-breaking space);
- dates: "1 December 2026", "1 декабря 2026 г.", "2026 ж. 1 желтоқсан"; with the time in the app's time zone;
- coded values (statuses, types, choices): their label, the code itself when no label is known."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _

from association.core.i18n import current_language

NOT_AVAILABLE = "NA"  # how a return stores "not available"
DATE_PATTERNS = {"en": "d MMMM y"}  # English reads day-month-year here; kk and ru use their own "long" forms


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def not_available() -> str:
    return _("not available")


def number(value: int | float | Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value)


def percent(value: int | float | Decimal | None) -> str:
    """A percentage given as a number of percent (95 → "95%")."""
    if value is None:
        return ""
    return format_percent(Decimal(str(value)) / 100)


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, DATE_PATTERNS.get(current_language(), "long"))


def date_time(value: datetime | None) -> str:
    """The date as long_date, then the time (24-hour clock everywhere), in the application's time zone."""
    if value is None:
        return ""
    from flask_babel import to_user_timezone

    local = to_user_timezone(value)
    return f"{long_date(local)}, {format_datetime(value, 'HH:mm')}"


def label(labels: Mapping[str, Any], code: str | None) -> str:
    """A code's label (statuses, types, roles: lazy strings by code), the code itself when none is known."""
    if code is None:
        return ""
    found = labels.get(code)
    return str(found) if found is not None else str(code)


def choice_label(choices: Sequence[Mapping[str, Any]] | None, code: Any) -> str:
    """A choice field's value by its label ({code, label {kk, ru, en}} as the forms define them)."""
    from association.core.models import localized

    for choice in choices or ():
        if choice.get("code") == code:
            return localized(choice.get("label")) or str(code)
    return "" if code is None else str(code)


def value_text(value: Any, field_type: str | None = None, choices: Sequence[Mapping[str, Any]] | None = None) -> str:
    """Any value as a person reads it: a return field's value by its type (boolean, choice, number, text), "NA"
    spelled out, dates and numbers in the locale's form."""
    if value is None or value == "":
        return ""
    if value == NOT_AVAILABLE:
        return not_available()
    if field_type == "choice":
        return choice_label(choices, value)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return date_time(value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, int | float | Decimal):
        return number(value)
    return str(value)
