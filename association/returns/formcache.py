"""A form revision's fields and rules as plain, immutable values, kept per process.

Every return request checks and describes values against its form's fields and rules; loading them as ORM objects
was two statements and most of the request's CPU. A revision's fields and rules change only when `load_form`
replaces a revision no one has submitted on, and that bumps the revision's `updated_at`: the cache is keyed by
(form id, updated_at), read with the form's row on every request, so every process sees a replaced definition on
its very next request. What can change on a revision without replacing it (closed_at, the dates) is never cached:
it is read from the form's row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from association.core.models import localized
from association.extensions import db
from association.returns.models import FieldType, FormField, FormRule, ReturnForm, RuleKind, Severity


# Shared by every request of the process, so never changed; not frozen only because core.readable.FieldLike, a
# protocol with plain attributes, would not accept read-only ones.
@dataclass
class FieldDefinition:
    code: str
    section: str
    position: int
    labels: dict[str, Any]
    helps: dict[str, Any]
    type: FieldType
    unit: str | None
    period: str | None
    required: bool
    min_value: Decimal | None
    max_value: Decimal | None
    allow_na: bool
    choices: list[Any] | None

    @property
    def label(self) -> str:
        return localized(self.labels)


@dataclass(frozen=True)
class RuleDefinition:
    code: str
    position: int
    kind: RuleKind
    expression: str | None
    field_code: str | None
    max_change_percent: Decimal | None
    severity: Severity
    messages: dict[str, Any]

    @property
    def message(self) -> str:
        return localized(self.messages)


@dataclass(frozen=True)
class Definition:
    fields: tuple[FieldDefinition, ...]
    rules: tuple[RuleDefinition, ...]


# What code that reads a field or a rule accepts: the cached definition, or the row it was made from.
AnyField = FormField | FieldDefinition
AnyRule = FormRule | RuleDefinition

# Bounded so that a long-lived process loading many revisions (tests, a busy coordinator) does not grow without end.
MAX_CACHED = 64


def _cache() -> dict[tuple[int, datetime], Definition]:
    # Per application (one per worker process), so that two instances in one test stand for two workers.
    return current_app.extensions.setdefault("return_form_definitions", {})


def definition_of(form: ReturnForm) -> Definition:
    """The revision's fields and rules, loaded once per process and revision state."""
    key = (form.id, form.updated_at)
    cache = _cache()
    cached = cache.get(key)
    if cached is None:
        cached = _load(form.id)
        if len(cache) >= MAX_CACHED:
            cache.clear()
        cache[key] = cached
    return cached


def definitions_of(forms: list[ReturnForm]) -> dict[int, Definition]:
    return {form.id: definition_of(form) for form in forms}


def _load(form_id: int) -> Definition:
    fields = db.session.execute(
        sa.select(*(getattr(FormField, name) for name in FieldDefinition.__dataclass_fields__))
        .where(FormField.form_id == form_id).order_by(FormField.position, FormField.id)
    ).all()
    rules = db.session.execute(
        sa.select(*(getattr(FormRule, name) for name in RuleDefinition.__dataclass_fields__))
        .where(FormRule.form_id == form_id).order_by(FormRule.position, FormRule.id)
    ).all()
    return Definition(tuple(FieldDefinition(*row) for row in fields), tuple(RuleDefinition(*row) for row in rules))
