"""Each seeded indicator computed by hand from a small set of returns, with "not available", missing inputs and
zero denominators; the loader's refusals; the statistics against `statistics.quantiles`."""

from __future__ import annotations

import statistics

import pytest
import yaml
from click.testing import Result

from association.core.errors import ValidationFailed
from association.extensions import db
from association.indicators.definitions import parse_definitions
from association.indicators.models import Indicator
from association.indicators.statistics import QUARTILE_METHOD, distribution, percentile_rank
from association.indicators.values import compute_table, size_band
from association.seed.reference import read_text
from tests.indicators.conftest import BASE_VALUES, library_id

# The seeded indicators, each written out by hand (not through the expression language).
BY_HAND = {
    "loans_per_user": lambda v: v["loans_total"] / v["users_registered"],
    "visits_per_student": lambda v: v["visits_physical"] / v["students_fte"],
    "seats_per_100_students": lambda v: v["seats_reading"] / v["students_fte"] * 100,
    "expenditure_per_student": lambda v: v["expenditure_total_kzt"] / v["students_fte"],
    "eresources_share_percent": lambda v: v["expenditure_eresources_kzt"] / v["expenditure_acquisitions_kzt"] * 100,
    "downloads_per_student": lambda v: v["eresource_downloads"] / v["students_fte"],
    "staff_per_1000_students": lambda v: v["staff_total"] / v["students_fte"] * 1000,
    "staff_trained_percent": lambda v: v["staff_trained"] / v["staff_total"] * 100,
    "print_items_per_student": lambda v: v["collection_print_items"] / v["students_fte"],
    "items_added_per_1000_students": lambda v: v["collection_added_items"] / v["students_fte"] * 1000,
    "opening_hours_week": lambda v: v["opening_hours_week"],
    "training_attendees_per_100_students": lambda v: v["training_attendees"] / v["students_fte"] * 100,
    "collection_turnover": lambda v: (v["loans_total"] - v["loans_electronic"]) / v["collection_print_items"],
    "acquisitions_per_student": lambda v: v["expenditure_acquisitions_kzt"] / v["students_fte"],
}


def test_the_seed_ships_at_least_twelve_indicators_each_naming_its_standard(ctx):
    indicators = db.session.scalars(db.select(Indicator)).all()
    assert {i.code for i in indicators} == set(BY_HAND)
    assert len(indicators) >= 12
    for indicator in indicators:
        assert indicator.standard.startswith(("ISO 11620", "ACRL")), indicator.code
        assert all(indicator.names[lang] and indicator.descriptions[lang] and indicator.units[lang]
                   for lang in ("kk", "ru", "en"))


def test_every_seeded_indicator_matches_the_hand_computation(app, add_return):
    second = {**BASE_VALUES, "students_fte": 12500, "loans_total": 81000, "staff_trained": 0, "seats_reading": 1,
              "opening_hours_week": 67.5, "expenditure_total_kzt": 123456789.25}
    add_return("NU", 2024, BASE_VALUES)
    add_return("ENU", 2024, second)
    with app.app_context():
        table = compute_table()
        for code, values in (("NU", BASE_VALUES), ("ENU", second)):
            row = table.returns[(library_id(app, code), 2024)]
            for position, indicator in enumerate(table.indicators):
                assert row.values[position] == pytest.approx(BY_HAND[indicator.code](values)), (code, indicator.code)
            assert row.provisional is False


def test_not_available_missing_and_zero_denominators_are_unavailable_never_zero(app, add_return):
    values = {**BASE_VALUES, "students_fte": 0, "users_registered": "NA", "staff_total": 0, "staff_trained": 0,
              "expenditure_acquisitions_kzt": None}
    del values["collection_print_items"]
    add_return("NU", 2024, values)
    with app.app_context():
        table = compute_table()
        row = dict(zip((i.code for i in table.indicators), table.returns[(library_id(app, "NU"), 2024)].values,
                       strict=True))
    per_student = [code for code in BY_HAND if code.endswith(("_student", "_students"))]
    assert all(row[code] is None for code in per_student)  # zero denominator
    assert row["loans_per_user"] is None  # "not available"
    assert row["staff_trained_percent"] is None  # 0 / 0
    assert row["eresources_share_percent"] is None  # blank
    assert row["collection_turnover"] is None  # missing altogether
    assert row["opening_hours_week"] == 72  # no denominator: the value itself


def test_a_zero_numerator_is_a_real_zero(app, add_return):
    add_return("NU", 2024, {**BASE_VALUES, "staff_trained": 0})
    with app.app_context():
        table = compute_table()
        position = table.position("staff_trained_percent")
        assert position is not None
        assert table.returns[(library_id(app, "NU"), 2024)].values[position] == 0


def test_only_accepted_returns_count_unless_submitted_ones_are_asked_for_and_then_marked(app, add_return):
    add_return("NU", 2024, BASE_VALUES, status="submitted")
    add_return("ENU", 2024, BASE_VALUES, status="draft")
    with app.app_context():
        assert (library_id(app, "NU"), 2024) not in compute_table().returns
        with_submitted = compute_table(include_submitted=True)
        assert with_submitted.returns[(library_id(app, "NU"), 2024)].provisional is True
        assert (library_id(app, "ENU"), 2024) not in with_submitted.returns


@pytest.mark.parametrize(("students", "band"), [
    (0, "under_2000"), (1999, "under_2000"), (2000, "2000_4999"), (4999, "2000_4999"), (5000, "5000_9999"),
    (9999, "5000_9999"), (10000, "10000_plus"), (None, None)])
def test_size_bands(students, band):
    assert size_band(students) == band


@pytest.mark.parametrize("values", [[1, 2, 3, 4, 5], [3.5, 1, 10, 7, 7, 2], list(range(1, 38, 3)), [5, 5, 5, 5, 5]])
def test_quartiles_follow_statistics_quantiles_inclusive(values):
    assert QUARTILE_METHOD == "inclusive"
    found = distribution([float(v) for v in values], 5)
    assert found is not None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (found.q1, found.median, found.q3) == pytest.approx((q1, median, q3))
    assert (found.min, found.max, found.count) == (min(values), max(values), len(values))
    assert found.median == pytest.approx(statistics.median(values))


def test_fewer_than_k_values_show_no_distribution():
    assert distribution([1.0, 2.0, 3.0, 4.0], 5) is None
    assert distribution([1.0, 2.0, 3.0, 4.0, 5.0], 5) is not None


@pytest.mark.parametrize("values", [[1, 2, 3, 4, 5], [3.5, 1, 10, 7, 8, 2], [10, 20, 30, 40, 50, 60, 70]])
def test_the_percentile_rank_inverts_the_inclusive_quantiles(values):
    cut_points = statistics.quantiles(values, n=100, method="inclusive")
    for p in (10, 25, 50, 75, 90):
        assert percentile_rank(cut_points[p - 1], values) == pytest.approx(p)
    assert percentile_rank(min(values), values) == 0
    assert percentile_rank(max(values), values) == 100
    assert percentile_rank(min(values) - 1, values) == 0
    assert percentile_rank(max(values) + 1, values) == 100
    assert percentile_rank(5.0, [5.0, 5.0, 5.0, 5.0, 5.0]) == 50


def _definition(**changes) -> str:
    item = {"code": "test_ratio", "standard": "ISO 11620 — test", "name": {"kk": "а", "ru": "б", "en": "c"},
            "description": {"kk": "а", "ru": "б", "en": "c"}, "unit": {"kk": "а", "ru": "б", "en": "c"},
            "numerator": "loans_total", "denominator": "users_registered", "factor": 1, "direction": "higher"}
    item.update(changes)
    return yaml.safe_dump({"indicators": [item]}, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(("changes", "message"), [
    ({"numerator": "loans_totl"}, "loans_totl"),
    ({"denominator": "lms_name"}, "lms_name"),  # a text field is not a number
    ({"numerator": "loans_total / 2"}, "divide only by a field"),
    ({"numerator": "loans_total / (staff_total - staff_trained)"}, "divide only by a field"),
    ({"numerator": "__import__('os').getcwd()"}, "not allowed"),
    ({"numerator": "users_registered.real"}, "not allowed"),
    ({"numerator": "loans_total > users_registered"}, "without a comparison"),
    ({"numerator": "loans_total ** 2"}, "not allowed"),
    ({"numerator": "'text'"}, "numbers"),
    ({"numerator": "42"}, "at least one field"),
    ({"numerator": "loans_total +"}, "Not a valid expression"),
    ({"factor": 0}, "factor"),
    ({"direction": "up"}, "direction"),
    ({"name": {"en": "only English"}}, "kk, ru and en"),
])
def test_bad_definitions_are_refused_with_the_line_named(ctx, changes, message):
    text = _definition(**changes)
    with pytest.raises(ValidationFailed) as refused:
        parse_definitions(text)
    messages = [m for ms in refused.value.errors.values() for m in ms]
    assert any(message in m for m in messages), messages
    key = next(iter(changes))
    line = next(number for number, content in enumerate(text.splitlines(), start=1)
                if content.lstrip("- ").startswith(f"{key}:"))
    assert any(m.startswith(f"line {line}: {key}") for m in messages), (line, messages)


def test_the_shipped_definitions_pass_their_own_check(ctx):
    assert len(parse_definitions(read_text("indicators.yaml"))) == len(BY_HAND)


def test_flask_indicators_load_adds_and_updates_and_refuses_whole(app, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "good.yaml"
    good.write_text(_definition(), encoding="utf-8")
    result: Result = runner.invoke(args=["indicators", "load", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated" in result.output
    good.write_text(_definition(factor=100), encoding="utf-8")
    result = runner.invoke(args=["indicators", "load", str(good)])
    assert "0 added, 1 updated" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Indicator.factor).where(Indicator.code == "test_ratio")) == 100
    bad = tmp_path / "bad.yaml"
    text = _definition(code="other_ratio", numerator="nonsense_field")
    bad.write_text(text, encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), start=1) if content.startswith("  numerator:"))
    result = runner.invoke(args=["indicators", "load", str(bad)])
    assert result.exit_code == 1
    assert f"bad.yaml: other_ratio: line {line}: numerator" in result.output and "nonsense_field" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Indicator.id).where(Indicator.code == "other_ratio")) is None
