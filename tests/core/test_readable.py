"""The one home of readable values (association.core.readable): every rule in every language, as the pages show it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from association.core import readable
from association.core.readable import format_value, long_date
from association.returns.models import FieldType
from association.roadmap.labels import STATUS_LABELS

CHOICE = SimpleNamespace(type=FieldType.CHOICE, choices=[
    {"code": "kabis", "label": {"kk": "ҚАБИС", "ru": "КАБИС", "en": "KABIS"}},
    {"code": "other", "label": {"kk": "Басқа", "ru": "Другая", "en": "Other"}}])
BOOLEAN = SimpleNamespace(type=FieldType.BOOLEAN, choices=None)
INTEGER = SimpleNamespace(type=FieldType.INTEGER, choices=None)
DECIMAL = SimpleNamespace(type=FieldType.DECIMAL, choices=None)
TEXT = SimpleNamespace(type=FieldType.TEXT, choices=None)
NBSP, NNBSP = "\N{NO-BREAK SPACE}", "\N{NARROW NO-BREAK SPACE}"


def read(app, locale, field, value):
    with app.test_request_context(), force_locale(locale):
        return format_value(field, value)


def run(app, locale, function, *args):
    with app.test_request_context(), force_locale(locale):
        return function(*args)


@pytest.mark.parametrize("locale, yes, no", [("en", "Yes", "No"), ("kk", "Иә", "Жоқ"), ("ru", "Да", "Нет")])
def test_booleans_read_yes_and_no(app, locale, yes, no):
    assert (read(app, locale, BOOLEAN, True), read(app, locale, BOOLEAN, False)) == (yes, no)
    assert (run(app, locale, readable.yes_no, True), run(app, locale, readable.yes_no, None)) == (yes, "—")


@pytest.mark.parametrize("locale, kabis, other", [("en", "KABIS", "Other"), ("kk", "ҚАБИС", "Басқа"),
                                                  ("ru", "КАБИС", "Другая")])
def test_choices_read_by_their_label(app, locale, kabis, other):
    assert read(app, locale, CHOICE, "kabis") == kabis and read(app, locale, CHOICE, "other") == other
    assert read(app, locale, CHOICE, "gone") == "gone"  # a code no longer on the form is shown as it is
    assert run(app, locale, readable.choice_label, CHOICE.choices, None) == "—"


@pytest.mark.parametrize("locale, words", [("en", "Not available"), ("kk", "Дерек жоқ"), ("ru", "Нет данных")])
def test_not_available_is_spelled_out_and_missing_is_a_dash(app, locale, words):
    assert read(app, locale, INTEGER, "NA") == read(app, locale, CHOICE, "NA") == words
    assert run(app, locale, readable.not_available) == words
    assert read(app, locale, INTEGER, None) == read(app, locale, TEXT, "") == "—"
    assert read(app, locale, INTEGER, 0) == "0"  # zero is a value, not "not available"


@pytest.mark.parametrize("locale, whole, decimal, places", [
    ("en", "1,234,567", "3,200.5", "12.3456"),
    ("kk", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5", "12,3456"),
    ("ru", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5", "12,3456"),
])
def test_numbers_use_the_locales_grouping(app, locale, whole, decimal, places):
    assert read(app, locale, INTEGER, 1234567) == whole
    assert read(app, locale, DECIMAL, 3200.5) == decimal
    assert read(app, locale, DECIMAL, Decimal("3200.5")) == decimal
    assert read(app, locale, DECIMAL, 12.3456) == places  # every stored decimal place (a return keeps four)
    assert run(app, locale, readable.number, None) == "—"


@pytest.mark.parametrize("locale, text", [("en", "95%"), ("kk", "95%"), ("ru", f"95{NBSP}%")])
def test_percentages(app, locale, text):
    assert run(app, locale, readable.percent, 95) == text
    assert run(app, locale, readable.percent, None) == "—"


@pytest.mark.parametrize("locale, text", [("en", "In progress"), ("kk", "Орындалуда"), ("ru", "В работе")])
def test_coded_values_read_by_their_label(app, locale, text):
    assert run(app, locale, readable.label, STATUS_LABELS, "in_progress") == text
    assert run(app, locale, readable.label, STATUS_LABELS, "unheard_of") == "unheard_of"  # the code, not a blank


def test_text_stays_as_typed(app):
    assert read(app, "ru", TEXT, "Koha 23.05") == "Koha 23.05"


@pytest.mark.parametrize("locale, day, moment", [
    ("en", "1 December 2026", "2 December 2026, 05:53"),  # UTC 00:53 is 05:53 in Almaty, the app's time zone
    ("kk", f"2026{NNBSP}ж. 1 желтоқсан", f"2026{NNBSP}ж. 2 желтоқсан, 05:53"),  # a Kazakh date starts with the year
    ("ru", f"1 декабря 2026{NNBSP}г.", f"2 декабря 2026{NNBSP}г., 05:53"),
])
def test_dates_spell_the_month_in_the_languages_long_form(app, locale, day, moment):
    with app.test_request_context(), force_locale(locale):
        assert long_date(date(2026, 12, 1)) == format_value(None, date(2026, 12, 1)) == day
        assert long_date(datetime(2026, 12, 2, 0, 53, tzinfo=UTC)) == moment
        assert readable.date_time(datetime(2026, 12, 1, 19, 53, tzinfo=UTC)) == moment.replace("05:53", "00:53")
        assert long_date(None) == "—"


def test_the_template_filters_are_these_rules(app):
    with app.test_request_context(), force_locale("ru"):
        filters = app.jinja_env.filters
        assert filters["readable"](True, BOOLEAN) == "Да" and filters["readable"]("NA", INTEGER) == "Нет данных"
        assert filters["number"](1234567) == f"1{NBSP}234{NBSP}567" and filters["number"]("x") == "x"
        assert filters["long_date"](date(2026, 12, 1)) == f"1 декабря 2026{NNBSP}г."
