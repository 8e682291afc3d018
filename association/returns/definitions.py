"""Loading an annual-return form definition (the YAML of seed_data/form-YEAR.yaml) into form, field and rule rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from association.core.errors import ValidationFailed
from association.core.models import utcnow
from association.extensions import db
from association.returns.formcache import AnyField, AnyRule
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
    if not isinstance(data.get("year"), int) or isinstance(data.get("year"), bool):
        errors.setdefault("year", []).append("A whole number.")
    for key in ("fields", "rules", "sections"):
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            errors.setdefault(key, []).append("A list of mappings.")
    for key in ("title", "units", "periods"):
        if not isinstance(data.get(key) or {}, dict):
            errors.setdefault(key, []).append("A mapping.")
    if errors:
        raise ValidationFailed("The form definition is not valid.", errors)
    for item in data.get("fields", []) + data.get("rules", []):
        for key in ("label", "help", "message"):
            if not isinstance(item.get(key) or {}, dict):
                errors.setdefault(str(item.get("code")), []).append(f"`{key}` must be a {{kk, ru, en}} mapping.")
        for key in ("min", "max", "max_change_percent"):
            value = item.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                errors.setdefault(str(item.get("code")), []).append(f"`{key}` must be a number.")
        choices = item.get("choices")
        if choices is not None and (not isinstance(choices, list)
                                    or not all(isinstance(c, dict) and c.get("code") for c in choices)):
            errors.setdefault(str(item.get("code")), []).append("`choices` must be a list of {code, label}.")
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


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("The form definition is not valid.", {name: ["Not a date (YYYY-MM-DD)."]}) from None


def build_form(data: dict[str, Any], revision: int = 1) -> ReturnForm:
    """A new (unsaved) form with its fields and rules from a definition."""
    check_definition(data)
    data = {**data, "opens_on": _as_date(data["opens_on"], "opens_on"), "due_on": _as_date(data["due_on"], "due_on")}
    if data["opens_on"] > data["due_on"]:
        raise ValidationFailed("The form definition is not valid.", {"due_on": ["On or after opens_on."]})
    form = ReturnForm(
        year=int(data["year"]), revision=revision, titles=data.get("title") or {},
        opens_on=data["opens_on"], due_on=data["due_on"],
        periods=_jsonable_periods(data.get("periods") or {}), units=data.get("units") or {},
        sections=data.get("sections") or [],
    )
    form.fields = _field_rows(data)
    form.rules = _rule_rows(data)
    return form


def _field_rows(data: dict[str, Any]) -> list[FormField]:
    return [
        FormField(
            code=field["code"], section=field["section"], position=position, labels=field.get("label") or {},
            helps=field.get("help") or {}, type=FieldType(field["type"]), unit=field.get("unit"),
            period=field.get("period"), required=bool(field.get("required")),
            min_value=_decimal(field.get("min")), max_value=_decimal(field.get("max")),
            allow_na=bool(field.get("allow_na")), choices=field.get("choices"),
        )
        for position, field in enumerate(data["fields"], start=1)
    ]


def _rule_rows(data: dict[str, Any]) -> list[FormRule]:
    return [
        FormRule(
            code=rule["code"], position=position, kind=RuleKind(rule["kind"]), expression=rule.get("expression"),
            field_code=rule.get("field"), max_change_percent=_decimal(rule.get("max_change_percent")),
            severity=Severity(rule["severity"]), messages=rule.get("message") or {},
        )
        for position, rule in enumerate(data.get("rules") or [], start=1)
    ]


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


def _in_use(form: ReturnForm) -> bool:
    """Whether a return has ever been submitted on this revision (then it must not change under it)."""
    from association.returns.models import AnnualReturn

    return db.session.scalar(
        sa.select(AnnualReturn.id).where(AnnualReturn.form_id == form.id, AnnualReturn.first_submitted_at.is_not(None))
        .limit(1)
    ) is not None


def latest_revision(year: int) -> ReturnForm | None:
    """The year's newest revision, with its fields and rules."""
    return db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.year == year).order_by(ReturnForm.revision.desc())
        .options(selectinload(ReturnForm.fields), selectinload(ReturnForm.rules))
    ).first()


def load_form(data: dict[str, Any]) -> tuple[ReturnForm, bool]:
    """Load a definition: a new form, or a new revision when the year's form is in use by a submitted return
    (drafts move to it), or a replacement of a revision no one has submitted on. Answers (form, replaced)."""
    from association.returns.models import AnnualReturn, ReturnStatus

    check_definition(data)
    year = int(data["year"])
    current = latest_revision(year)
    if current is not None and not _in_use(current):
        replacement = build_form(data, revision=current.revision)
        current.titles, current.opens_on, current.due_on = replacement.titles, replacement.opens_on, replacement.due_on
        current.periods, current.units, current.sections = replacement.periods, replacement.units, replacement.sections
        # The fields and rules change under the same id: a new updated_at is what tells every process's cache of
        # the definition (returns.formcache) that it is stale, even when no column of the form itself changed.
        current.updated_at = utcnow()
        # Old rows go first: the new ones reuse their (form, code) keys.
        for row in [*current.fields, *current.rules]:
            db.session.delete(row)
        db.session.flush()
        db.session.expire(current, ["fields", "rules"])
        db.session.add_all([*_field_rows(data), *_rule_rows(data)])
        for row in db.session.new:
            if isinstance(row, FormField | FormRule):
                row.form_id = current.id
        db.session.flush()
        return current, True
    form = build_form(data, revision=(current.revision + 1) if current else 1)
    db.session.add(form)
    db.session.flush()
    if current is not None:
        db.session.execute(
            sa.update(AnnualReturn)
            .where(AnnualReturn.form_id == current.id, AnnualReturn.status == ReturnStatus.DRAFT,
                   AnnualReturn.first_submitted_at.is_(None))
            .values(form_id=form.id).execution_options(synchronize_session=False)
        )
    return form, False


def form_definition(form: ReturnForm, fields: Sequence[AnyField], rules: Sequence[AnyRule]) -> dict[str, Any]:
    """A form as a definition (the shape of seed_data/form-YEAR.yaml), to copy, edit and load again."""

    def number(value: Decimal | None) -> int | float | None:
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    return {
        "year": form.year, "title": form.titles, "opens_on": form.opens_on, "due_on": form.due_on,
        "periods": form.periods, "units": form.units, "sections": form.sections,
        "fields": [
            {"code": f.code, "section": f.section, "label": f.labels, "help": f.helps, "type": f.type.value,
             "unit": f.unit, "period": f.period, "required": f.required, "min": number(f.min_value),
             "max": number(f.max_value), "allow_na": f.allow_na, "choices": f.choices}
            for f in fields
        ],
        "rules": [
            {"code": r.code, "kind": r.kind.value, **({"expression": r.expression} if r.expression else {}),
             **({"field": r.field_code, "max_change_percent": number(r.max_change_percent)} if r.field_code else {}),
             "severity": r.severity.value, "message": r.messages}
            for r in rules
        ],
    }


def copy_form(form: ReturnForm, fields: Sequence[AnyField], rules: Sequence[AnyRule], to_year: int) -> ReturnForm:
    """Start next year's form from this one: the same fields and rules, every date moved by the years between."""
    if latest_revision(to_year) is not None:
        raise ValidationFailed("That year already has a form.", {"to_year": ["That year already has a form."]})
    shift = to_year - form.year
    data = form_definition(form, fields, rules)
    data["year"] = to_year
    data["opens_on"] = _shift(form.opens_on, shift)
    data["due_on"] = _shift(form.due_on, shift)
    data["periods"] = {
        key: {name: (_shift(date.fromisoformat(value), shift).isoformat() if name in ("start", "end", "date") else value)
              for name, value in period.items()}
        for key, period in (form.periods or {}).items()
    }
    new = build_form(data)
    db.session.add(new)
    db.session.flush()
    return new


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
