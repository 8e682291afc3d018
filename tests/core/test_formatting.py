"""The exports' readable values (association.core.formatting): the pages' rules in each language, with an empty
cell where a page shows "—"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from association.core import formatting as fmt
from association.core import readable
from association.roadmap.labels import STATUS_LABELS

NBSP, NNBSP = "\xa0", "\u202f"
LANGUAGES = ("en", "kk", "ru")
CHOICES = [{"code": "kabis", "label": {"kk": "ҚАБИС", "ru": "КАБИС", "en": "KABIS"}},
           {"code": "koha", "label": {"kk": "Koha", "ru": "Koha", "en": "Koha"}}]
MOMENT = datetime(2026, 12, 1, 19, 53, tzinfo=UTC)
# Every rule with a value: (the export's function, the page's, its arguments).
SAME_AS_THE_PAGES = [
    (fmt.yes_no, readable.yes_no, (True,)), (fmt.number, readable.number, (Decimal("3200.5"),)),
    (fmt.percent, readable.percent, (95,)), (fmt.long_date, readable.long_date, (date(2026, 12, 1),)),
    (fmt.date_time, readable.date_time, (MOMENT,)), (fmt.label, readable.label, (STATUS_LABELS, "done")),
    (fmt.choice_label, readable.choice_label, (CHOICES, "kabis")),
    (fmt.value_text, readable.value_text, ("NA", "integer")),
]


@pytest.fixture
def in_language(ctx):
    def run(language, function, *args):
        with force_locale(language):
            return function(*args)
    return run


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("export", "page", "args"), SAME_AS_THE_PAGES)
def test_every_rule_reads_as_on_the_pages(in_language, language, export, page, args):
    assert in_language(language, export, *args) == in_language(language, page, *args)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missing_value_is_an_empty_cell_not_a_dash(in_language, language):
    for function in (fmt.yes_no, fmt.number, fmt.percent, fmt.long_date, fmt.date_time):
        assert in_language(language, function, None) == ""
    assert in_language(language, fmt.label, STATUS_LABELS, None) == ""
    assert in_language(language, fmt.choice_label, CHOICES, None) == ""
    assert in_language(language, fmt.value_text, None, "integer") == in_language(language, fmt.value_text, "") == ""
    assert in_language(language, readable.value_text, None) == "—"  # the page keeps its dash


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("kk", "Иә", "Жоқ"), ("ru", "Да", "Нет")])
def test_booleans(in_language, language, yes, no):
    assert in_language(language, fmt.yes_no, True) == yes
    assert in_language(language, fmt.yes_no, False) == no
    assert in_language(language, fmt.value_text, True, "boolean") == yes


@pytest.mark.parametrize(("language", "text"), [("en", "Not available"), ("kk", "Дерек жоқ"), ("ru", "Нет данных")])
def test_not_available_is_spelled_out(in_language, language, text):
    assert in_language(language, fmt.not_available) == text
    assert in_language(language, fmt.value_text, "NA", "integer") == text
    assert in_language(language, fmt.value_text, "NA", "choice", CHOICES) == text


@pytest.mark.parametrize(("language", "integer", "decimal"), [
    ("en", "1,234,567", "3,200.5"), ("kk", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5"),
    ("ru", f"1{NBSP}234{NBSP}567", f"3{NBSP}200,5")])
def test_numbers_use_the_locale_grouping(in_language, language, integer, decimal):
    assert in_language(language, fmt.number, 1234567) == integer
    assert in_language(language, fmt.number, Decimal("3200.5")) == decimal
    assert in_language(language, fmt.value_text, 3200.5, "decimal") == decimal


@pytest.mark.parametrize(("language", "text"), [("en", "95%"), ("kk", "95%"), ("ru", f"95{NBSP}%")])
def test_percentages(in_language, language, text):
    assert in_language(language, fmt.percent, 95) == text


@pytest.mark.parametrize(("language", "text"), [
    ("en", "1 December 2026"), ("kk", f"2026{NNBSP}ж. 1 желтоқсан"), ("ru", f"1 декабря 2026{NNBSP}г.")])
def test_dates_spell_the_month(in_language, language, text):
    assert in_language(language, fmt.long_date, date(2026, 12, 1)) == text
    assert in_language(language, fmt.value_text, date(2026, 12, 1)) == text


@pytest.mark.parametrize(("language", "text"), [
    ("en", "2 December 2026, 00:53"), ("kk", f"2026{NNBSP}ж. 2 желтоқсан, 00:53"),
    ("ru", f"2 декабря 2026{NNBSP}г., 00:53")])
def test_date_and_time_in_the_application_time_zone(in_language, language, text):
    # 19:53 UTC is 00:53 the next day in Almaty (UTC+5, BABEL_DEFAULT_TIMEZONE), not an ambiguous "12/2/26".
    assert in_language(language, fmt.date_time, MOMENT) == text
    assert in_language(language, fmt.long_date, MOMENT) == text  # a moment keeps its time, as on the pages
    assert in_language(language, fmt.local_time, MOMENT) == datetime(2026, 12, 2, 0, 53)  # for a date cell


@pytest.mark.parametrize(("language", "text"), [("en", "In progress"), ("kk", "Орындалуда"), ("ru", "В работе")])
def test_coded_values_read_by_their_label(in_language, language, text):
    assert in_language(language, fmt.label, STATUS_LABELS, "in_progress") == text
    assert in_language(language, fmt.label, STATUS_LABELS, "unheard_of") == "unheard_of"  # the code, not a blank


@pytest.mark.parametrize(("language", "text"), [("en", "KABIS"), ("kk", "ҚАБИС"), ("ru", "КАБИС")])
def test_choices_read_by_their_label(in_language, language, text):
    assert in_language(language, fmt.choice_label, CHOICES, "kabis") == text
    assert in_language(language, fmt.value_text, "kabis", "choice", CHOICES) == text
    assert in_language(language, fmt.value_text, "other", "choice", CHOICES) == "other"


def test_text_stays_as_typed(in_language):
    assert in_language("kk", fmt.value_text, "Koha 23.05", "text") == "Koha 23.05"
