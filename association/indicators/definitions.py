"""Loading indicator definitions (seed_data/indicators.yaml): checked whole, with the line of every problem named,
before anything is written."""

from __future__ import annotations

import ast
import re
from typing import Any

import sqlalchemy as sa
import yaml

from association.core.errors import ValidationFailed
from association.extensions import db
from association.indicators.models import Direction, Indicator
from association.returns.models import FieldType, FormField
from association.returns.rules import ExpressionError, ParsedExpression, parse_quantity

CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANGUAGES = ("kk", "ru", "en")
TEXTS = {"name": "names", "description": "descriptions", "unit": "units"}
INVALID = "The indicator definitions are not valid."


def numeric_field_codes() -> set[str]:
    """The integer and decimal field codes of every loaded form (what an indicator may compute with)."""
    return set(db.session.scalars(sa.select(FormField.code).distinct().where(
        FormField.type.in_([FieldType.INTEGER, FieldType.DECIMAL]))))


def _key_lines(text: str) -> list[dict[str, int]]:
    """For each item of `indicators`, the line (1-based) of the item and of each of its keys."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "indicators" and isinstance(value, yaml.SequenceNode):
            return [{"": item.start_mark.line + 1,
                     **({k.value: k.start_mark.line + 1 for k, _v in item.value}
                        if isinstance(item, yaml.MappingNode) else {})}
                    for item in value.value]
    return []


def parse_definitions(text: str) -> list[dict[str, Any]]:
    """Read and check a definitions file; answers the indicators as plain dicts, or raises ValidationFailed with
    `{code or position: ["line N: …"]}`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValidationFailed(INVALID, {"file": [f"{where}not valid YAML."]}) from None
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ValidationFailed(INVALID, {"indicators": ["line 1: the file must hold a non-empty list `indicators`."]})
    check_definitions(items, _key_lines(text), numeric_field_codes())
    return items


def check_definitions(items: list[Any], lines: list[dict[str, int]], fields: set[str]) -> None:
    """Refuse unknown fields, divisions by something other than a field, anything outside the expression
    language, missing texts, a bad factor or direction, and repeated codes."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = lines[index] if index < len(lines) else {}

        def refuse(key: str, message: str, at: dict[str, int] = at, index: int = index, item: Any = item) -> None:
            line = at.get(key) or at.get("") or 0
            name = item.get("code") if isinstance(item, dict) and isinstance(item.get("code"), str) else None
            errors.setdefault(name or f"indicators[{index}]", []).append(f"line {line}: {key or 'item'}: {message}")

        if not isinstance(item, dict):
            refuse("", "each indicator is a mapping.")
            continue
        code = item.get("code")
        if not isinstance(code, str) or not CODE.match(code):
            refuse("code", "a snake_case code is required.")
        elif code in seen:
            refuse("code", f"the code {code!r} is repeated.")
        else:
            seen.add(code)
        for key in TEXTS:
            texts = item.get(key)
            if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) or not texts[lang].strip()
                                                  for lang in LANGUAGES):
                refuse(key, "a mapping with kk, ru and en texts.")
        factor = item.get("factor", 1)
        if isinstance(factor, bool) or not isinstance(factor, int) or factor <= 0:
            refuse("factor", "a whole number above 0 (1, 100, 1000).")
        if item.get("direction", "neither") not in {d.value for d in Direction}:
            refuse("direction", "one of higher, lower, neither.")
        if not isinstance(item.get("standard", ""), str):
            refuse("standard", "a text naming the standard.")
        for key in ("numerator", "denominator"):
            expression = item.get(key)
            if key == "denominator" and expression is None:
                continue
            for message in expression_problems(expression, fields):
                refuse(key, message)
    if errors:
        raise ValidationFailed(INVALID, errors)


def expression_problems(expression: Any, fields: set[str]) -> list[str]:
    """What is wrong with a numerator or denominator (nothing: an empty list)."""
    if not isinstance(expression, str) or not expression.strip():
        return ["an expression over field codes is required."]
    try:
        parsed = parse_quantity(expression)
    except ExpressionError as problem:
        return [str(problem)]
    problems = []
    unknown = sorted(set(parsed.fields) - fields)
    if unknown:
        problems.append(f"names fields that are not numeric fields of a form: {', '.join(unknown)}.")
    if not parsed.fields:
        problems.append("must name at least one field.")
    if _divides_by_non_field(parsed):
        problems.append("may divide only by a field code (put other divisors in the denominator).")
    return problems


def _divides_by_non_field(parsed: ParsedExpression) -> bool:
    return any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and not isinstance(node.right, ast.Name)
               for node in ast.walk(parsed.tree))


def _apply(indicator: Indicator, item: dict[str, Any], position: int) -> None:
    indicator.position = position
    indicator.names, indicator.descriptions, indicator.units = (
        {lang: item[key][lang] for lang in LANGUAGES} for key in TEXTS)
    indicator.numerator = item["numerator"].strip()
    indicator.denominator = item["denominator"].strip() if item.get("denominator") else None
    indicator.factor = item.get("factor", 1)
    indicator.direction = Direction(item.get("direction", "neither"))
    indicator.standard = item.get("standard", "")


def load_indicators(items: list[dict[str, Any]], *, overwrite: bool = True) -> tuple[int, int]:
    """Add the checked indicators, and update those whose code exists (unless `overwrite` is off, as in the seed,
    which never changes a row that exists). Answers (added, updated)."""
    existing = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    added = updated = 0
    for position, item in enumerate(items, start=1):
        indicator = existing.get(item["code"])
        if indicator is None:
            indicator = Indicator(code=item["code"])
            db.session.add(indicator)
            added += 1
        elif not overwrite:
            continue
        else:
            updated += 1
        _apply(indicator, item, position)
    db.session.flush()
    return added, updated
