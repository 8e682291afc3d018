"""Every readable-value rule of association.core.formatting, in each language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from association.core import formatting as fmt
from association.roadmap.labels import STATUS_LABELS

NBSP = "\xa0"
CHOICES = [{"code": "kabis", "label": {"kk": "ҚАБИС", "ru": "КАБИС", "en": "KABIS"}},
           {"code": "koha", "label": {"kk": "Koha", "ru": "Koha", "en": "Koha"}}]


@pytest.fixture
def in_language(ctx):
    def run(language, function, *args):
        with force_locale(language):
            return function(*args)
    return run


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("kk", "Иә", "Жоқ"), ("ru", "Да", "Нет")])
def test_booleans(in_language, language, yes, no):
    assert in_language(language, fmt.yes_no, True) == yes
    assert in_language(language, fmt.yes_no, False) == no
    assert in_language(language, fmt.yes_no, None) == ""


@pytest.mark.parametrize(("language", "text"), [("en", "not available"), ("kk", "дерек жоқ"), ("ru", "нет данных")])
def test_not_available_is_spelled_out(in_language, language, text):
    assert in_language(language, fmt.not_available) == text
    assert in_language(language, fmt.value_text, "NA", "integer") == text


@pytest.mark.parametrize(("language", "integer", "decimal"), [
    ("en", "1,234,567", "3,200.5"), ("kk", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5"),
    ("ru", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5")])
def test_numbers_use_the_locale_grouping(in_language, language, integer, decimal):
    assert in_language(language, fmt.number, 1234567) == integer
    assert in_language(language, fmt.number, Decimal("3200.5")) == decimal
    assert in_language(language, fmt.value_text, 3200.5, "decimal") == decimal
    assert in_language(language, fmt.number, None) == ""


@pytest.mark.parametrize(("language", "text"), [("en", "95%"), ("kk", "95%"), ("ru", f"95{NBSP}%")])
def test_percentages(in_language, language, text):
    assert in_language(language, fmt.percent, 95) == text


@pytest.mark.parametrize(("language", "text"), [
    ("en", "1 December 2026"), ("kk", "2026\u202fж. 1 желтоқсан"), ("ru", "1 декабря 2026\u202fг.")])
def test_dates_spell_the_month(in_language, language, text):
    assert in_language(language, fmt.long_date, date(2026, 12, 1)) == text
    assert in_language(language, fmt.value_text, date(2026, 12, 1)) == text


@pytest.mark.parametrize(("language", "text"), [
    ("en", "2 December 2026, 00:53"), ("kk", "2026\u202fж. 2 желтоқсан, 00:53"), ("ru", "2 декабря 2026\u202fг., 00:53")])
def test_date_and_time_in_the_application_time_zone(in_language, language, text):
    # 19:53 UTC is 00:53 the next day in Almaty (UTC+5, BABEL_DEFAULT_TIMEZONE), not an ambiguous "12/2/26".
    assert in_language(language, fmt.date_time, datetime(2026, 12, 1, 19, 53, tzinfo=UTC)) == text


@pytest.mark.parametrize(("language", "text"), [("en", "In progress"), ("kk", "Орындалуда"), ("ru", "В работе")])
def test_coded_values_read_by_their_label(in_language, language, text):
    assert in_language(language, fmt.label, STATUS_LABELS, "in_progress") == text
    assert in_language(language, fmt.label, STATUS_LABELS, "unheard_of") == "unheard_of"  # the code, not a blank


@pytest.mark.parametrize(("language", "text"), [("en", "KABIS"), ("kk", "ҚАБИС"), ("ru", "КАБИС")])
def test_choices_read_by_their_label(in_language, language, text):
    assert in_language(language, fmt.choice_label, CHOICES, "kabis") == text
    assert in_language(language, fmt.value_text, "kabis", "choice", CHOICES) == text
    assert in_language(language, fmt.value_text, "other", "choice", CHOICES) == "other"


def test_value_text_by_type(in_language):
    assert in_language("ru", fmt.value_text, True, "boolean") == "Да"
    assert in_language("kk", fmt.value_text, "Koha 23.05", "text") == "Koha 23.05"
    assert in_language("en", fmt.value_text, None, "integer") == ""
