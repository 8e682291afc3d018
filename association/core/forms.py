"""What every HTML form does with a refused operation: end the transaction, put each message beside its field."""

from __future__ import annotations

from collections.abc import Callable

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
