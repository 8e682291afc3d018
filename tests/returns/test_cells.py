"""Reading one cell of a return template (association.returns.cells): every accepted form, every refusal, in each
language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from association.returns import cells
from association.returns.models import FieldType, FormField

NBSP, NNBSP = "\u00a0", "\u202f"
LMS = FormField(code="lms_type", type=FieldType.CHOICE, allow_na=False,
                labels={"kk": "Кітапханалық жүйе", "ru": "Библиотечная система", "en": "Library system"},
                choices=[{"code": "irbis", "label": {"kk": "ИРБИС", "ru": "ИРБИС", "en": "IRBIS"}},
                         {"code": "kabis", "label": {"kk": "КАБИС", "ru": "КАБИС", "en": "KABIS"}},
                         {"code": "other", "label": {"kk": "Басқа", "ru": "Другая", "en": "Other"}}])
REPOSITORY = FormField(code="has_repository", type=FieldType.BOOLEAN, allow_na=False,
                       labels={"kk": "Репозиторий", "ru": "Репозиторий", "en": "Repository"})
STAFF = FormField(code="staff_total", type=FieldType.INTEGER, allow_na=False,
                  labels={"kk": "Қызметкерлер", "ru": "Сотрудники", "en": "Staff"})
VISITS = FormField(code="visits_virtual", type=FieldType.INTEGER, allow_na=True,
                   labels={"kk": "Виртуалды келу", "ru": "Виртуальные посещения", "en": "Virtual visits"})
AREA = FormField(code="area_total_m2", type=FieldType.DECIMAL, allow_na=False, unit="m2",
                 labels={"kk": "Аудан", "ru": "Площадь", "en": "Area"})
SHARE = FormField(code="ecatalogue_share_percent", type=FieldType.DECIMAL, unit="percent", allow_na=False,
                  labels={"kk": "Үлес", "ru": "Доля", "en": "Share"})
NAME = FormField(code="lms_name", type=FieldType.TEXT, allow_na=True, labels={"en": "Name"})
COMMENT = FormField(code="programme_comment", type=FieldType.TEXT, allow_na=False, labels={"en": "Comment"})


@pytest.fixture
def read(ctx):
    words = cells.Vocabulary.gather()

    def run(field, value, number_format=None, language="en"):
        with force_locale(language):
            return cells.read_cell(field, value, number_format, words)
    return run


@pytest.mark.parametrize("typed", ["kabis", "KABIS", "Kabis", "  kabis ", "КАБИС", "кабис", f"{NBSP}КАБИС\t"])
def test_a_choice_reads_from_its_code_or_any_languages_label(read, typed):
    assert read(LMS, typed) == "kabis"


@pytest.mark.parametrize("typed", ["Басқа", "басқа", "Другая", "ДРУГАЯ", "Other", "other"])
def test_each_languages_label_of_a_choice(read, typed):
    assert read(LMS, typed) == "other"


@pytest.mark.parametrize(("typed", "answer"), [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False), (1, True), (0, False),
    (True, True), (False, False), ("Иә", True), ("иә", True), ("Жоқ", False), ("ЖОҚ", False), ("Да", True),
    ("нет", False), (" Нет ", False), ("ия", True), ("жок", False)])
def test_yes_and_no_in_every_language(read, typed, answer):
    assert read(REPOSITORY, typed) is answer


@pytest.mark.parametrize(("typed", "number"), [
    (1234567, 1234567), (1234567.0, 1234567), ("1234567", 1234567), ("1 234 567", 1234567),
    (f"1{NBSP}234{NBSP}567", 1234567), (f"1{NNBSP}234{NNBSP}567", 1234567), ("1,234,567", 1234567),
    ("1.234.567", 1234567), (" 34 ", 34), ("−5", -5), ("34,0", 34)])
def test_whole_numbers_with_spaces_between_thousands(read, typed, number):
    assert read(STAFF, typed) == number and isinstance(read(STAFF, typed), int)


@pytest.mark.parametrize(("typed", "number"), [
    ("1 234,5", Decimal("1234.5")), (f"1{NBSP}234,5", Decimal("1234.5")), (f"3{NNBSP}200,5", Decimal("3200.5")),
    ("1234.5", Decimal("1234.5")), ("1,234.5", Decimal("1234.5")), ("1.234,5", Decimal("1234.5")),
    (3200.5, Decimal("3200.5")), (",5", Decimal("0.5"))])
def test_decimals_with_a_decimal_comma(read, typed, number):
    assert read(AREA, typed) == number


@pytest.mark.parametrize(("typed", "number_format", "number"), [
    ("95%", None, 95), ("95 %", None, 95), (f"95{NBSP}%", None, 95), ("95,5 %", None, Decimal("95.5")),
    (95, "General", 95), ("95", None, 95), (0.95, "0%", 95), (0.955, "0.0%", Decimal("95.5")), (1, "0%", 100)])
def test_percentages_as_typed_or_as_excel_keeps_them(read, typed, number_format, number):
    assert read(SHARE, typed, number_format) == number


def test_a_percent_sign_belongs_to_percentages_only(read):
    with pytest.raises(cells.Unreadable):
        read(AREA, "95%")
    assert read(AREA, 0.95, "0%") == Decimal("0.95")  # a % format means nothing to a field that is not a share


@pytest.mark.parametrize("typed", ["NA", "na", "n/a", "Not available", "дерек жоқ", "Нет данных", " НЕТ ДАННЫХ "])
def test_not_available_in_every_language_where_the_field_allows_it(read, typed):
    assert read(VISITS, typed) == "NA"


def test_blanks_clear_and_text_stays_as_typed(read):
    assert read(STAFF, None) is None and read(STAFF, "   ") is None and read(LMS, "") is None
    assert read(NAME, "Koha 23.05") == "Koha 23.05" and read(NAME, 23) == "23" and read(NAME, 23.5) == "23.5"
    assert read(NAME, "=HYPERLINK(1)") == "=HYPERLINK(1)"
    assert read(NAME, "Нет данных") == "NA"  # what the template writes for a text marked "not available"
    assert read(COMMENT, "Нет данных") == "Нет данных"  # a text that cannot be "not available" keeps the words
    with pytest.raises(cells.NotAvailableRefused):
        read(COMMENT, "NA")


def message(field, value, language, cell="H14"):
    words = cells.Vocabulary.gather()
    with force_locale(language):
        try:
            cells.read_cell(field, value, None, words)
        except cells.Unreadable as unreadable:
            return cells.problem(field, cell, value, unreadable)
    raise AssertionError(f"{value!r} was read")


@pytest.mark.parametrize(("language", "whole", "one_of", "labels", "yes_no", "percentage", "number", "no_na"), [
    ("en", "Cell H14: “thirty-four” cannot be read; expected a whole number", "expected one of:",
     "IRBIS, KABIS, Other", "Yes, No", "a percentage, e.g. 95 or 95%", "a number, e.g. 1 234,5",
     "Cell H14: this field cannot be marked as not available."),
    ("kk", "H14 ұяшығы: «thirty-four» мәні танылмады; күтілетіні — бүтін сан", "мыналардың бірі:",
     "ИРБИС, КАБИС, Басқа", "Иә, Жоқ", "пайыз, мысалы 95 немесе 95%", "сан, мысалы 1 234,5",
     "H14 ұяшығы: бұл өрісті «дерек жоқ» деп белгілеуге болмайды."),
    ("ru", "Ячейка H14: значение «thirty-four» не распознано; ожидается целое число", "ожидается одно из:",
     "ИРБИС, КАБИС, Другая", "Да, Нет", "процент, например 95 или 95%", "число, например 1 234,5",
     "Ячейка H14: это поле нельзя отметить как «нет данных»."),
])
def test_a_cell_that_cannot_be_read_is_named_with_what_it_should_hold(ctx, language, whole, one_of, labels, yes_no,
                                                                      percentage, number, no_na):
    found = message(STAFF, "thirty-four", language)
    assert found.message.startswith(whole) and (found.cell, found.code, found.given) == ("H14", "staff_total",
                                                                                            "thirty-four")
    with force_locale(language):
        assert found.label == STAFF.labels[language]
    assert message(STAFF, "12,5", language).message.startswith(whole.replace("thirty-four", "12,5"))
    assert message(STAFF, True, language).message.startswith(whole.replace("thirty-four", "True"))
    assert one_of in message(LMS, "Windows", language).message
    assert message(LMS, "Windows", language).message.endswith(f"{labels}.")
    assert message(REPOSITORY, "maybe", language).message.endswith(f"{yes_no}.")
    assert message(SHARE, "about half", language).message.endswith(f"{percentage}.")
    assert message(AREA, "1 2 3,4,5.6.7", language).message.endswith(f"{number}.")
    assert message(STAFF, "NA", language).message == no_na
    assert message(REPOSITORY, "Not available", language).message == no_na
