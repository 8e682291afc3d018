"""Loading an annual-return form definition (the YAML of seed_data/form-YEAR.yaml) into form, field and rule rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from association.core.errors import ValidationFailed
from association.extensions import db
from association.returns.models import FieldType, FormField, FormRule, ReturnForm, RuleKind, Severity
from association.returns.rules import ExpressionError, parse_expression


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def check_definition(data: dict[str, Any]) -> None:
    """Refuse a definition that names unknown sections, types or fields, before anything is written."""
    errors: dict[str, list[str]] = {}
    for key in ("year", "opens_on", "due_on", "fields"):
        if key not in data:
            errors.setdefault(key, []).append("Missing.")
    sections = {section["code"] for section in data.get("sections", [])}
    codes: set[str] = set()
    for field in data.get("fields", []):
        code = field.get("code")
        if not code or code in codes:
            errors.setdefault("fields", []).append(f"Missing or repeated field code {code!r}.")
        codes.add(code)
        if field.get("type") not in {t.value for t in FieldType}:
            errors.setdefault(code or "fields", []).append(f"Unknown type {field.get('type')!r}.")
        if sections and field.get("section") not in sections:
            errors.setdefault(code or "fields", []).append(f"Unknown section {field.get('section')!r}.")
    numeric = {f.get("code") for f in data.get("fields", []) if f.get("type") in ("integer", "decimal")}
    for rule in data.get("rules", []):
        if rule.get("kind") not in {k.value for k in RuleKind} or rule.get("severity") not in {s.value for s in Severity}:
            errors.setdefault(rule.get("code") or "rules", []).append("Unknown kind or severity.")
        if rule.get("kind") == "expression":
            try:
                unknown = set(parse_expression(rule.get("expression") or "").fields) - numeric
            except ExpressionError as problem:
                errors.setdefault(rule.get("code") or "rules", []).append(str(problem))
            else:
                if unknown:
                    errors.setdefault(rule.get("code") or "rules", []).append(
                        f"Names fields that are not numeric fields of the form: {', '.join(sorted(unknown))}.")
        if rule.get("kind") == "yoy_change" and rule.get("field") not in codes:
            errors.setdefault(rule.get("code") or "rules", []).append(f"Unknown field {rule.get('field')!r}.")
    if errors:
        raise ValidationFailed("The form definition is not valid.", errors)


def build_form(data: dict[str, Any], revision: int = 1) -> ReturnForm:
    """A new (unsaved) form with its fields and rules from a definition."""
    check_definition(data)
    form = ReturnForm(
        year=int(data["year"]), revision=revision, titles=data.get("title") or {},
        opens_on=data["opens_on"], due_on=data["due_on"],
        periods=_jsonable_periods(data.get("periods") or {}), units=data.get("units") or {},
        sections=data.get("sections") or [],
    )
    form.fields = [
        FormField(
            code=field["code"], section=field["section"], position=position, labels=field.get("label") or {},
            helps=field.get("help") or {}, type=FieldType(field["type"]), unit=field.get("unit"),
            period=field.get("period"), required=bool(field.get("required")),
            min_value=_decimal(field.get("min")), max_value=_decimal(field.get("max")),
            allow_na=bool(field.get("allow_na")), choices=field.get("choices"),
        )
        for position, field in enumerate(data["fields"], start=1)
    ]
    form.rules = [
        FormRule(
            code=rule["code"], position=position, kind=RuleKind(rule["kind"]), expression=rule.get("expression"),
            field_code=rule.get("field"), max_change_percent=_decimal(rule.get("max_change_percent")),
            severity=Severity(rule["severity"]), messages=rule.get("message") or {},
        )
        for position, rule in enumerate(data.get("rules") or [], start=1)
    ]
    return form


def _jsonable_periods(periods: dict[str, Any]) -> dict[str, Any]:
    """Periods carry dates; JSON columns want ISO strings."""
    out: dict[str, Any] = {}
    for key, period in periods.items():
        out[key] = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in period.items()}
    return out


def load_form_if_missing(data: dict[str, Any]) -> ReturnForm | None:
    """Add the form for the definition's year unless that year already has one (the seed never overwrites)."""
    year = int(data["year"])
    if db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == year)) is not None:
        return None
    form = build_form(data)
    db.session.add(form)
    db.session.flush()
    return form
