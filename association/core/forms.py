"""What every HTML form does with a refused operation: end the transaction, then put each message beside its field
(or, for a form with no field to mark, in a message above the page)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from wtforms import Field, Form

from association.core.errors import DomainError
from association.extensions import db


def refusal_into_form(form: Form, refused: DomainError, *, field_for: Callable[[str], str] | None = None,
                      default: Field | None = None) -> None:
    """Roll back the refused change and show its messages: each beside the field it names (`field_for` maps the
    operation's names to the form's), the rest, and a refusal that names no field, above the form (or beside
    `default`)."""
    db.session.rollback()
    for name, messages in refused.errors.items():
        target = form._fields.get(field_for(name) if field_for else name) or default
        _add_errors(form, target, messages)
    if not refused.errors:
        _add_errors(form, default, [refused.detail])


def _add_errors(form: Form, field: Field | None, messages: list[str]) -> None:
    if field is None:
        form.form_errors = [*form.form_errors, *messages]
    else:
        field.errors = [*field.errors, *messages]


def refusal_flashed(refused: DomainError, detail: str | None = None, *, with_fields: bool = False) -> None:
    """Roll back the refused change and say why in a message above the page (for forms with no field to mark):
    `detail` instead of the refusal's own words, and with `with_fields` each field's messages too."""
    db.session.rollback()
    problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in refused.errors.items())
    flash(f"{detail or refused.detail} {problems if with_fields else ''}".strip(), "error")
