"""Readable values on the HTML pages (association.core.readable): every rule in every language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from association.core.readable import format_value, long_date
from association.returns.models import FieldType

CHOICE = SimpleNamespace(type=FieldType.CHOICE, choices=[
    {"code": "kabis", "label": {"kk": "КАБИС", "ru": "КАБИС", "en": "KABIS"}},
    {"code": "other", "label": {"kk": "Басқа", "ru": "Другая", "en": "Other"}}])
BOOLEAN = SimpleNamespace(type=FieldType.BOOLEAN, choices=None)
INTEGER = SimpleNamespace(type=FieldType.INTEGER, choices=None)
DECIMAL = SimpleNamespace(type=FieldType.DECIMAL, choices=None)
TEXT = SimpleNamespace(type=FieldType.TEXT, choices=None)
NBSP = "\N{NO-BREAK SPACE}"


def read(app, locale, field, value):
    with app.test_request_context(), force_locale(locale):
        return format_value(field, value)


@pytest.mark.parametrize("locale, yes, no", [("en", "Yes", "No"), ("kk", "Иә", "Жоқ"), ("ru", "Да", "Нет")])
def test_booleans_read_yes_and_no(app, locale, yes, no):
    assert (read(app, locale, BOOLEAN, True), read(app, locale, BOOLEAN, False)) == (yes, no)


@pytest.mark.parametrize("locale, kabis, other", [("en", "KABIS", "Other"), ("kk", "КАБИС", "Басқа"),
                                                  ("ru", "КАБИС", "Другая")])
def test_choices_read_by_their_label(app, locale, kabis, other):
    assert read(app, locale, CHOICE, "kabis") == kabis and read(app, locale, CHOICE, "other") == other
    assert read(app, locale, CHOICE, "gone") == "gone"  # a code no longer on the form is shown as it is


@pytest.mark.parametrize("locale, words", [("en", "Not available"), ("kk", "Дерек жоқ"), ("ru", "Нет данных")])
def test_not_available_is_spelled_out_and_missing_is_a_dash(app, locale, words):
    assert read(app, locale, INTEGER, "NA") == words
    assert read(app, locale, INTEGER, None) == read(app, locale, TEXT, "") == "—"
    assert read(app, locale, INTEGER, 0) == "0"  # zero is a value, not "not available"


@pytest.mark.parametrize("locale, whole, decimal", [
    ("en", "1,234,567", "3,200.5"),
    ("kk", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5"),
    ("ru", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5"),
])
def test_numbers_use_the_locales_grouping(app, locale, whole, decimal):
    assert read(app, locale, INTEGER, 1234567) == whole
    assert read(app, locale, DECIMAL, 3200.5) == decimal
    assert read(app, locale, DECIMAL, Decimal("3200.5")) == decimal


def test_text_stays_as_typed(app):
    assert read(app, "ru", TEXT, "Koha 23.05") == "Koha 23.05"


@pytest.mark.parametrize("locale, day, moment", [
    ("en", "1 December 2026", "2 December 2026, 05:53"),  # UTC 00:53 is 05:53 in Almaty, the app's time zone
    ("kk", "1 желтоқсан 2026", "2 желтоқсан 2026, 05:53"),
    ("ru", "1 декабря 2026", "2 декабря 2026, 05:53"),
])
def test_dates_read_day_month_name_year(app, locale, day, moment):
    with app.test_request_context(), force_locale(locale):
        assert long_date(date(2026, 12, 1)) == day
        assert long_date(datetime(2026, 12, 2, 0, 53, tzinfo=UTC)) == moment
        assert long_date(None) == "—"
