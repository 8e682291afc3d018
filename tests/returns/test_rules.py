"""The rules engine: safe expressions, "not available" and blanks, year-over-year changes."""

from decimal import Decimal

import pytest

from association.returns.models import FormRule, RuleKind, Severity
from association.returns.rules import ExpressionError, evaluate, parse_expression, yoy_breached


@pytest.mark.parametrize(("expression", "values", "expected"), [
    ("staff_trained <= staff_total", {"staff_trained": 5, "staff_total": 10}, True),
    ("staff_trained <= staff_total", {"staff_trained": 11, "staff_total": 10}, False),
    ("a + b + c <= d", {"a": 1, "b": 2, "c": 3, "d": 6}, True),
    ("a + b + c <= d", {"a": 1, "b": 2, "c": 3.5, "d": 6}, False),
    ("a / b < 0.5", {"a": 1, "b": 4}, True),
    ("a / b < 0.5", {"a": 1, "b": 0}, None),  # division by zero: the rule does not apply
    ("a * 2 - -b == 10", {"a": 3, "b": 4}, True),
    ("a <= b", {"a": "NA", "b": 3}, None),  # not available
    ("a <= b", {"b": 3}, None),  # blank
    ("a <= b", {"a": True, "b": 3}, None),  # not a number
    ("a >= 0.1", {"a": 0.1}, True),  # decimal arithmetic, no float surprise
])
def test_evaluate(expression, values, expected):
    assert evaluate(parse_expression(expression), values) is expected


@pytest.mark.parametrize("expression", [
    "__import__('os').system('true') == 0", "a.b <= 1", "a[0] <= 1", "(lambda: 1)() <= 1", "a <= b <= c",
    "a + b", "'x' == a", "a if b else c", "a ** 2 <= 4", "not a", "a <= ", "True == a",
])
def test_anything_else_is_refused(expression):
    with pytest.raises(ExpressionError):
        parse_expression(expression)


def test_fields_are_listed_once_in_order():
    assert parse_expression("a + b + a <= c").fields == ("a", "b", "c")


def rule(percent):
    return FormRule(code="x", kind=RuleKind.YOY_CHANGE, field_code="v", max_change_percent=Decimal(percent),
                    severity=Severity.WARNING)


@pytest.mark.parametrize(("value", "previous", "breached"), [
    (150, 100, False), (151, 100, True), (49, 100, True), (50, 100, False), (10, 0, False), ("NA", 100, False),
    (100, None, False), (100, "NA", False),
])
def test_year_over_year(value, previous, breached):
    assert yoy_breached(rule(50), value, previous) is breached
