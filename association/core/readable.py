"""Values as people read them, in the language being rendered (kk, ru, en): the one place for these rules. The HTML
pages use them through the `readable`, `long_date` and `number` template filters; the exports and the PDF through
association.core.formatting, which changes only how a missing value looks in a cell.

- booleans: Yes/No, Иә/Жоқ, Да/Нет; "NA" (a return's "not available"): spelled out, Not available · Дерек жоқ ·
  Нет данных (a value on its own, capitalised like Yes and No);
- numbers: the locale's grouping and decimal sign (1,234,567.5 · 1 234 567,5 with non-breaking spaces), every
  stored decimal place kept;
- percentages: 95% · 95 % (Russian puts a non-breaking space);
- dates: "1 December 2026", "1 декабря 2026 г.", "2026 ж. 1 желтоқсан" (the languages' own long forms: a Kazakh
  date starts with the year); a moment adds the time on the 24-hour clock, in the application's time zone;
- coded values (statuses, types, choices): their label, the code itself when no label is known;
- missing: "—" on a page (a blank would read as "forgotten to render")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from babel.numbers import format_decimal as babel_decimal
from flask_babel import format_date, format_datetime, format_percent, get_locale, to_user_timezone
from flask_babel import gettext as _

from association.core.i18n import current_language
from association.core.models import localized

NOT_AVAILABLE = "NA"  # how a return stores "not available"
EMPTY = "—"
# English reads day-month-year here (its CLDR "long" form is month-first); kk and ru use their own long forms.
DATE_PATTERNS = {"en": "d MMMM y"}
TIME_PATTERN = "HH:mm"
LARGEST_GROUPED = 10**18  # beyond every stored bound: written in scientific form rather than as 19 grouped digits


class FieldLike(Protocol):
    """What a form field tells about its values (a returns.models.FormField)."""

    type: Any
    choices: list[Any] | None


def yes_no(value: bool | None, missing: str = EMPTY) -> str:
    """Yes or No in the user's language."""
    if value is None:
        return missing
    return _("Yes") if value else _("No")


def not_available() -> str:
    """A return's "not available" (NA), spelled out."""
    return _("Not available")


def number(value: int | float | Decimal | None, missing: str = EMPTY) -> str:
    """A number with the locale's grouping and decimal sign, every decimal place it has kept."""
    if value is None:
        return missing
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if abs(float(value)) >= LARGEST_GROUPED:
        return format(value, ".6g") if isinstance(value, float) else f"{value:.6e}"
    try:
        return babel_decimal(value, locale=get_locale() or "en", decimal_quantization=False)
    except (ArithmeticError, ValueError):
        return str(value)


def percent(value: int | float | Decimal | None, missing: str = EMPTY) -> str:
    """A percentage given as a number of percent (95 → "95%")."""
    if value is None:
        return missing
    return format_percent(Decimal(str(value)) / 100)


def long_date(value: date | datetime | None, missing: str = EMPTY) -> str:
    """A date as "1 December 2026" (a datetime with its time, in the user's time zone)."""
    if value is None:
        return missing
    if isinstance(value, datetime):
        return date_time(value)
    return format_date(value, DATE_PATTERNS.get(current_language(), "long"))


def date_time(value: datetime | None, missing: str = EMPTY) -> str:
    """The day as long_date, then the time (24-hour clock everywhere), in the application's time zone."""
    if value is None:
        return missing
    local = to_user_timezone(value)
    return f"{long_date(local.date())}, {format_datetime(value, TIME_PATTERN)}"


def local_time(value: datetime) -> datetime:
    """The moment on the application's clock, without a zone (what a spreadsheet's date cell can hold)."""
    return to_user_timezone(value).replace(tzinfo=None)


def label(labels: Mapping[str, Any], code: str | None, missing: str = EMPTY) -> str:
    """A code's label (statuses, types, roles: lazy strings by code), the code itself when none is known."""
    if code is None:
        return missing
    found = labels.get(code)
    return str(found) if found is not None else str(code)


def choice_label(choices: Sequence[Mapping[str, Any]] | None, code: Any, missing: str = EMPTY) -> str:
    """A choice field's value by its label ({code, label {kk, ru, en}} as the forms define them)."""
    if code is None or code == "":
        return missing
    for choice in choices or ():
        if isinstance(choice, Mapping) and choice.get("code") == code:
            return localized(choice.get("label")) or str(code)
    return str(code)


def value_text(value: Any, field_type: str | None = None, choices: Sequence[Mapping[str, Any]] | None = None,
               missing: str = EMPTY) -> str:
    """Any value as a person reads it: a return field's value by its type (boolean, choice, number, text), "NA"
    spelled out, dates and numbers in the locale's form."""
    if value is None or value == "":
        return missing
    if value == NOT_AVAILABLE:
        return not_available()
    if str(field_type or "") == "choice":
        return choice_label(choices, value, missing)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return date_time(value)
    if isinstance(value, date):
        return long_date(value)
    if isinstance(value, int | float | Decimal):
        return number(value)
    return str(value)


def format_value(field: FieldLike | None, value: Any) -> str:
    """A return's stored value for `field` as a reader reads it, in the user's language."""
    return value_text(value, getattr(field, "type", None), getattr(field, "choices", None))
