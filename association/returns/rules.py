"""The rules engine: cross-field expressions over field codes, evaluated safely, and year-over-year checks.

Expressions are one comparison over arithmetic (`a + b <= c`, `x / y < 0.5`). They are parsed by Python's own
parser (`ast.parse`, mode "eval") and then *interpreted* by walking the tree, accepting only numbers, field names,
`+ - * /`, unary minus and the comparisons `< <= > >= == !=`. Nothing is ever executed: there is no `eval`, no
attribute access, no call, no subscript — any other node is refused when the form is loaded. We use the standard
parser rather than a third-party expression library because the grammar is this small and the interpreter, which is
where safety lives, is a dozen lines we can read whole.

Indicators (association.indicators) use the same language without the comparison: a *quantity* is the arithmetic
alone (`expenditure_staff_kzt + expenditure_it_kzt`), parsed and evaluated by the same functions.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import lru_cache
from typing import Any, TypeGuard

from association.returns.formcache import AnyRule

NOT_AVAILABLE = "NA"

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARISONS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
                ast.Eq: operator.eq, ast.NotEq: operator.ne}


_ALLOWED_NODES = (ast.Expression, ast.Compare, ast.BinOp, ast.UnaryOp, ast.USub, ast.Load,
                  *_ARITHMETIC, *_COMPARISONS)


class ExpressionError(ValueError):
    """The expression uses something other than numbers, field codes, + - * / and one comparison."""


@dataclass(frozen=True)
class ParsedExpression:
    tree: ast.Expression
    fields: tuple[str, ...]


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> ParsedExpression:
    """Parse and check a rule expression; answers the tree and the field codes it names.

    Cached by its text: every return request checks every rule of its form, and parsing them was 0.8 ms of a
    15 ms return GET (bench/inprocess.py). The answer is never mutated (the tree is only walked), and a refusal
    (ExpressionError) is not cached."""
    tree = _parse(text)
    if not isinstance(tree.body, ast.Compare) or len(tree.body.ops) != 1:
        raise ExpressionError("An expression must be exactly one comparison, e.g. `a + b <= c`.")
    return _checked(tree)


@lru_cache(maxsize=4096)
def parse_quantity(text: str) -> ParsedExpression:
    """Parse and check arithmetic without a comparison (an indicator's numerator or denominator)."""
    tree = _parse(text)
    if isinstance(tree.body, ast.Compare):
        raise ExpressionError("A quantity is arithmetic only, without a comparison.")
    return _checked(tree)


def _parse(text: str) -> ast.Expression:
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"Not a valid expression: {error.msg}") from None


def _checked(tree: ast.Expression) -> ParsedExpression:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append((node.col_offset, node.id))
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError("Only numbers may appear as constants.")
        elif not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"`{type(node).__name__}` is not allowed in a rule.")
    return ParsedExpression(tree, tuple(dict.fromkeys(name for _, name in sorted(names))))


def _value(node: ast.AST, values: dict[str, Any], number: type = Decimal) -> Any:
    if isinstance(node, ast.Constant):
        return number(str(node.value))
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        return -_value(node.operand, values, number)
    if isinstance(node, ast.BinOp):
        return _ARITHMETIC[type(node.op)](_value(node.left, values, number), _value(node.right, values, number))
    raise ExpressionError(f"`{type(node).__name__}` is not allowed in a rule.")


def is_number(value: Any) -> TypeGuard[int | float | Decimal]:
    """A value a rule can compute with: not blank, not "not available", not a yes/no or a text."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def evaluate_quantity(parsed: ParsedExpression, values: dict[str, Any]) -> float | None:
    """The quantity's value (in floats: indicators are ratios, and they are computed by the hundred thousand),
    or None when a field it names is blank or "not available", or the arithmetic divides by zero."""
    numbers: dict[str, float] = {}
    for name in parsed.fields:
        value = values.get(name)
        kind = type(value)
        if kind is not int and kind is not float and (kind is bool or not isinstance(value, int | float | Decimal)):
            return None
        numbers[name] = float(value)  # type: ignore[arg-type]
    body = parsed.tree.body
    if isinstance(body, ast.Name):  # most quantities are one field: no tree to walk
        return numbers[body.id]
    try:
        return float(_value(body, numbers, float))
    except ZeroDivisionError:
        return None


def evaluate(parsed: ParsedExpression, values: dict[str, Any]) -> bool | None:
    """True/False, or None when the rule does not apply (a field it names is blank or "not available",
    or the arithmetic divides by zero)."""
    numbers: dict[str, Decimal] = {}
    for name in parsed.fields:
        value = values.get(name)
        if value is None or value == NOT_AVAILABLE or isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return None
        numbers[name] = Decimal(str(value))
    comparison = parsed.tree.body
    assert isinstance(comparison, ast.Compare)
    try:
        left = _value(comparison.left, numbers)
        right = _value(comparison.comparators[0], numbers)
    except (ZeroDivisionError, DivisionByZero, InvalidOperation):
        return None
    return _COMPARISONS[type(comparison.ops[0])](left, right)


def yoy_breached(rule: AnyRule, value: Any, previous: Any) -> bool:
    """Whether a value moved more than the rule's percentage away from last year's accepted value."""
    numeric = (int, float, Decimal)
    if (not isinstance(value, numeric) or isinstance(value, bool) or not isinstance(previous, numeric)
            or isinstance(previous, bool) or previous == 0):
        return False
    change = abs(Decimal(str(value)) - Decimal(str(previous))) / abs(Decimal(str(previous))) * 100
    return change > Decimal(str(rule.max_change_percent))
