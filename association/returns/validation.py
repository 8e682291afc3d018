"""Checking a return's values against its form: types (refused outright), then ranges, required fields and rules
(kept with the draft and listed as errors or warnings)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from association.core.models import localized
from association.returns.formcache import FieldDefinition, RuleDefinition
from association.returns.models import FieldType, RuleKind, Severity
from association.returns.rules import NOT_AVAILABLE, evaluate, parse_expression, yoy_breached

MAX_TEXT_LENGTH = 5000
# The storage bound of every number in a return, whatever its form allows: values live in a JSON column, read back
# as IEEE doubles by SQLite, PostgreSQL's JSON operators and every client, so a number is kept exactly only with at
# most 15 significant digits. Whole numbers: up to 15 digits; decimals: 11 digits before the point and 4 after.
MAX_INTEGER = 10**15 - 1
MAX_DECIMAL = Decimal(10**11) - Decimal("0.0001")
DECIMAL_PLACES = 4


@dataclass
class Findings:
    """What the rules say about a set of values: errors block submission, warnings do not."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, severity: Severity, codes: tuple[str, ...] | list[str], message: str) -> None:
        target = self.errors if severity == Severity.ERROR else self.warnings
        for code in codes:
            target.setdefault(code, []).append(message)


def coerce_values(form_fields: Sequence[FieldDefinition], submitted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn submitted values into stored ones; answers (values, type errors). Unknown codes and wrong types are
    errors that refuse the whole save. `None` (or "") clears a value; "NA" means "not available"."""
    by_code = {f.code: f for f in form_fields}
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in submitted.items():
        definition = by_code.get(code)
        if definition is None:
            errors[code] = [_("This form has no field %(code)s.", code=code)]
            continue
        try:
            values[code] = _coerce(definition, raw)
        except ValueError as problem:
            errors[code] = [str(problem)]
    return values, errors


def _coerce(definition: FieldDefinition, raw: Any) -> Any:
    if raw is None or raw == "":
        return None
    if raw == NOT_AVAILABLE:
        if not definition.allow_na:
            raise ValueError(_("This field cannot be marked as not available."))
        return NOT_AVAILABLE
    kind = definition.type
    if kind == FieldType.INTEGER:
        if isinstance(raw, bool):
            raise ValueError(_("A whole number is expected."))
        if isinstance(raw, int):
            return _bounded_integer(raw)
        if isinstance(raw, float) and raw.is_integer():
            return _bounded_integer(int(raw))
        if isinstance(raw, str) and len(raw) <= 100:
            try:
                whole = int(raw.strip().replace(" ", "").replace("\u00a0", ""))
            except ValueError:
                pass
            else:
                return _bounded_integer(whole)
        raise ValueError(_("A whole number is expected."))
    if kind == FieldType.DECIMAL:
        if isinstance(raw, bool):
            raise ValueError(_("A number is expected."))
        try:
            number = Decimal(str(raw).strip().replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("A number is expected.")) from None
        if not number.is_finite():
            raise ValueError(_("A number is expected."))
        if abs(number) > MAX_DECIMAL:
            raise ValueError(_("The number is too large to be stored: at most %(max)s.", max=_plain(MAX_DECIMAL)))
        number = round(number, DECIMAL_PLACES)
        return int(number) if number == number.to_integral_value() else float(round(number, 4))
    if kind == FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"true", "yes", "1"}:
            return True
        if isinstance(raw, str) and raw.strip().lower() in {"false", "no", "0"}:
            return False
        raise ValueError(_("Yes or no is expected."))
    if kind == FieldType.CHOICE:
        codes = [choice["code"] for choice in definition.choices or []]
        if raw not in codes:
            raise ValueError(_("One of: %(codes)s.", codes=", ".join(codes)))
        return raw
    if not isinstance(raw, str):
        raise ValueError(_("Text is expected."))
    if len(raw) > MAX_TEXT_LENGTH:
        raise ValueError(_("At most %(n)d characters.", n=MAX_TEXT_LENGTH))
    return raw


def _bounded_integer(number: int) -> int:
    if abs(number) > MAX_INTEGER:
        raise ValueError(_("The number is too large to be stored: at most %(max)s.", max=MAX_INTEGER))
    return number


def check_values(form_fields: Sequence[FieldDefinition], rules: Sequence[RuleDefinition], values: dict[str, Any],
                 previous: dict[str, Any] | None) -> Findings:
    """Ranges, required fields and the form's rules, over stored values (`previous`: last year's accepted values)."""
    findings = Findings()
    for definition in form_fields:
        value = values.get(definition.code)
        if value is None:
            if definition.required:
                findings.add(Severity.ERROR, [definition.code], _("Required."))
            continue
        if value == NOT_AVAILABLE or definition.type not in (FieldType.INTEGER, FieldType.DECIMAL):
            continue
        if definition.min_value is not None and Decimal(str(value)) < definition.min_value:
            findings.add(Severity.ERROR, [definition.code],
                         _("At least %(min)s.", min=_plain(definition.min_value)))
        if definition.max_value is not None and Decimal(str(value)) > definition.max_value:
            findings.add(Severity.ERROR, [definition.code], _("At most %(max)s.", max=_plain(definition.max_value)))
    for rule in rules:
        message = localized(rule.messages) or rule.code
        if rule.kind == RuleKind.EXPRESSION:
            parsed = parse_expression(rule.expression or "")
            if evaluate(parsed, values) is False:
                findings.add(rule.severity, parsed.fields, message)
        elif previous is not None and rule.field_code is not None and yoy_breached(
                rule, values.get(rule.field_code), previous.get(rule.field_code)):
            findings.add(rule.severity, [rule.field_code], message)
    return findings


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")
