"""One cell of a filled-in return template, read forgivingly: what people type in a spreadsheet, in any of the three
languages, becomes the value the form stores — or a problem that names the cell and says what was expected.

- a choice: its code or its label in kk, ru or en (KABIS, kabis, КАБИС);
- yes/no: yes/no, true/false, 1/0, Иә/Жоқ, Да/Нет (and the spreadsheet's own TRUE/FALSE);
- "not available" (where the field allows it): NA or the words in any language;
- numbers: spaces, non-breaking and narrow non-breaking spaces between thousands, a decimal comma (1 234,5);
- percentages: 95, 95%, 95 % or a cell Excel keeps as 0.95 with a % format.
Letter case and the spaces around a value never matter. The rules of what a value may be stay in
returns.validation (which checks these values again, as it checks a typed save): this only reads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from association.core import readable
from association.core.models import localized
from association.returns.formcache import AnyField
from association.returns.models import FieldType
from association.returns.rules import NOT_AVAILABLE

LANGUAGES = ("kk", "ru", "en")
PERCENT_UNIT = "percent"
# Between thousands: a space, a no-break space, a narrow no-break space (what kk/ru number formatting writes), a thin
# and a figure space.
GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009\u2007")
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
MAX_NUMBER_TEXT = 100
# The machine words and what a Kazakh keyboard without ә and қ gives (ия, жок); the labels of every language are
# added from the translations, so the words the template offers are always among them.
YES_WORDS = {"yes", "y", "true", "1", "ия"}
NO_WORDS = {"no", "n", "false", "0", "жок"}
NA_WORDS = {NOT_AVAILABLE.casefold(), "n/a"}


class Unreadable(ValueError):
    """The cell holds something that is not a value of its field (the message: what the cell is expected to hold)."""


class NotAvailableRefused(Unreadable):
    """The cell says "not available" for a field that does not allow it."""


def _words(message: str) -> set[str]:
    """A message in every language, as typed words (case folded)."""
    words = set()
    for language in LANGUAGES:
        with force_locale(language):
            words.add(_(message).strip().casefold())
    return words


@dataclass(frozen=True)
class Vocabulary:
    """The words a template's cells may hold, in every language (gathered once per upload)."""

    yes: frozenset[str]
    no: frozenset[str]
    not_available: frozenset[str]

    @classmethod
    def gather(cls) -> Vocabulary:
        return cls(frozenset(YES_WORDS | _words("Yes")), frozenset(NO_WORDS | _words("No")),
                   frozenset(NA_WORDS | _words("Not available")))


@dataclass(frozen=True)
class CellProblem:
    """A cell that could not be read: where, which field, what it held, and the sentence that says so."""

    cell: str
    code: str
    label: str
    given: str
    message: str


def is_percent(definition: AnyField) -> bool:
    return definition.type == FieldType.DECIMAL and definition.unit == PERCENT_UNIT


def options(definition: AnyField) -> list[str]:
    """What a list cell offers, in the user's language: the choices' labels or Yes/No, then "Not available"."""
    offered: list[str] = []
    if definition.type == FieldType.CHOICE:
        offered = [localized(choice.get("label")) or str(choice["code"]) for choice in definition.choices or []]
    elif definition.type == FieldType.BOOLEAN:
        offered = [readable.yes_no(True), readable.yes_no(False)]
    if offered and definition.allow_na:
        offered.append(readable.not_available())
    return offered


def expected(definition: AnyField) -> str:
    """What the cell should hold, said to the user (after "expected")."""
    if definition.type == FieldType.INTEGER:
        return _("a whole number, e.g. 1 234")
    if is_percent(definition):
        return _("a percentage, e.g. 95 or 95%")
    if definition.type == FieldType.DECIMAL:
        return _("a number, e.g. 1 234,5")
    return _("one of: %(options)s", options=", ".join(options(definition)))


def read_cell(definition: AnyField, value: Any, number_format: str | None, words: Vocabulary) -> Any:
    """The value the form stores for what the cell holds (None for a blank); raises Unreadable."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
        # A text field that may not be "not available" keeps the words as typed ("нет данных" is a fine comment);
        # only the stored marker itself is refused there, as a typed save refuses it.
        text_only = definition.type == FieldType.TEXT and not definition.allow_na and value != NOT_AVAILABLE
        if value.casefold() in words.not_available and not text_only:
            if not definition.allow_na:
                raise NotAvailableRefused(definition.code)
            return NOT_AVAILABLE
    if value is None:
        return None
    kind = definition.type
    if kind == FieldType.TEXT:
        return _as_text(value)
    if kind == FieldType.BOOLEAN:
        return _as_boolean(definition, value, words)
    if kind == FieldType.CHOICE:
        return _as_choice(definition, value)
    number = _as_number(value, percent=is_percent(definition), number_format=number_format)
    if number is None:
        raise Unreadable(expected(definition))
    if kind == FieldType.INTEGER:
        if number != number.to_integral_value():
            raise Unreadable(expected(definition))
        return int(number)
    return number


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return readable.yes_no(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if isinstance(value, str) else str(value)


def _as_boolean(definition: AnyField, value: Any, words: Vocabulary) -> bool:
    if isinstance(value, bool):
        return value
    folded = _plain_number_text(value) if isinstance(value, int | float) else str(value).casefold()
    if folded in words.yes:
        return True
    if folded in words.no:
        return False
    raise Unreadable(expected(definition))


def _as_choice(definition: AnyField, value: Any) -> str:
    typed = (_plain_number_text(value) if isinstance(value, int | float) else str(value)).casefold()
    choices = definition.choices or []
    for choice in choices:  # a code first: a label in one language may be another choice's code
        if str(choice["code"]).casefold() == typed:
            return choice["code"]
    for choice in choices:
        if typed in _labels(choice.get("label")):
            return choice["code"]
    raise Unreadable(expected(definition))


def _labels(labels: Any) -> set[str]:
    if not isinstance(labels, dict):
        return set()
    return {str(labels[language]).strip().casefold() for language in LANGUAGES if labels.get(language)}


def _plain_number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _as_number(value: Any, *, percent: bool, number_format: str | None) -> Decimal | None:
    """A number from a numeric cell or from text as people write it; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = Decimal(str(value))
        if not number.is_finite():
            return None
        # Excel keeps "95%" typed in a cell as 0.95 shown with a % format; the form stores 95.
        return number * 100 if percent and number_format and "%" in number_format else number
    if not isinstance(value, str) or len(value) > MAX_NUMBER_TEXT:
        return None
    text = value.translate(GROUPING).translate(MINUS_SIGNS)
    if percent and text.endswith("%"):
        text = text[:-1]
    text = _decimal_point(text)
    if not NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        return None


def _decimal_point(text: str) -> str:
    """The text with "." as its decimal sign and no grouping: with both signs the last one is the decimal sign
    (1.234,5 · 1,234.5); a lone comma is a decimal comma (1234,5, as kk and ru write); several of one sign group
    thousands (1,234,567 · 1.234.567)."""
    commas, points = text.count(","), text.count(".")
    if commas and points:
        decimal_sign = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_sign == "," else ","
        return text.replace(grouping, "").replace(decimal_sign, ".")
    if commas == 1:
        return text.replace(",", ".")
    if commas > 1:
        return text.replace(",", "")
    if points > 1:
        return text.replace(".", "")
    return text


def problem(definition: AnyField, cell: str, value: Any, unreadable: Unreadable) -> CellProblem:
    """The sentence for a cell that could not be read, in the user's language."""
    given = _plain_number_text(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    if isinstance(unreadable, NotAvailableRefused):
        message = _("Cell %(cell)s: this field cannot be marked as not available.", cell=cell)
    else:
        message = _("Cell %(cell)s: “%(value)s” cannot be read; expected %(expected)s.", cell=cell,
                    value=given.strip()[:60], expected=str(unreadable))
    return CellProblem(cell, definition.code, definition.label, given, message)


def errors_by_code(problems: Iterable[CellProblem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in problems:
        found.setdefault(item.code, []).append(item.message)
    return found
