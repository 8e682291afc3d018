"""Versions on HTML edit forms: the version a page was read at, the values it showed, and the merge rule.

The rule (one for every edit form): a save sends only the fields the user changed since the page was read. When the
object has moved on since then, the save still lands if none of those fields was changed meanwhile by someone else
(both saves are kept); a field changed by both, to different values, is a conflict, never silently overwritten: nothing is saved and the
conflict page shows, field by field, the value typed and the value stored."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from wtforms import Field, HiddenField

from association.core.errors import DomainError, StaleVersion


@dataclass(frozen=True)
class FieldConflict:
    """One field both saves changed: what this user typed, and what is stored now."""

    field: str
    yours: Any
    theirs: Any


class EditConflict(StaleVersion):
    """A stale save that would overwrite a field someone else changed meanwhile (409 on an HTML page)."""

    status = 409

    def __init__(self, detail: str, conflicts: list[FieldConflict]) -> None:
        super().__init__(detail, {c.field: [_("Someone else changed this meanwhile; stored now: %(value)s",
                                                value="—" if c.theirs in (None, "") else c.theirs)]
                                  for c in conflicts})
        self.conflicts = conflicts


class BadVersion(DomainError):
    """A version that the object never had (a forged form field): 400, nothing changed."""

    status = 400


def changed_fields(submitted: Mapping[str, Any], read: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted fields whose value differs from the one the page showed."""
    return {name: value for name, value in submitted.items() if value != read.get(name)}


def check_merge(*, expected_version: int | None, current_version: int, changed: Mapping[str, Any],
                read: Mapping[str, Any] | None, current: Mapping[str, Any],
                same: Callable[[str, Any, Any], bool] | None = None) -> None:
    """Refuse a save read at `expected_version` of an object now at `current_version`: BadVersion for a version it
    never had; EditConflict for a changed field that someone else changed too (when the values read are unknown,
    `read` None, every changed field whose stored value differs). A save read at the current version, or one that
    touches only fields nobody else changed, passes. `same(field, a, b)` compares two values of a field."""
    if expected_version is None or expected_version == current_version:
        return
    if expected_version < 0 or expected_version > current_version:
        raise BadVersion(_("The form's version is not one this object ever had; reload the page."))
    equal = same or (lambda _name, a, b: a == b)
    conflicts = [FieldConflict(name, value, current.get(name)) for name, value in changed.items()
                 if (read is None or not equal(name, read.get(name), current.get(name)))
                 and not equal(name, value, current.get(name))]
    if conflicts:
        raise EditConflict(
            _("Someone else changed %(fields)s since you opened the page. Nothing was saved: compare the values "
              "below and save again.", fields=", ".join(c.field for c in conflicts)), conflicts)


class VersionField(HiddenField):
    """The version the page was read at (the number the API's ETag names)."""


class ReadValuesField(HiddenField):
    """The values the page showed, as JSON: what "changed since the page was read" is measured against."""

    def _value(self) -> str:
        return self.data if isinstance(self.data, str) else json.dumps(self.data or {}, default=str,
                                                                          ensure_ascii=False)


def missing_version() -> BadVersion:
    """The refusal of a form whose version (or values read) is missing or not one the page could have sent."""
    return BadVersion(_("This form has no valid version: reload the page and enter your changes again. "
                        "Nothing was saved."))


def posted_version(field: Field, *, allow_empty: bool = False) -> int | None:
    """The version a form was read at; BadVersion (400, nothing changed) when it is missing or not a version number.
    `allow_empty`: a form for an object that did not exist yet sends an empty version (None)."""
    raw = (field.data or "").strip() if isinstance(field.data, str) else field.data
    if raw in ("", None) and allow_empty:
        return None
    try:
        version = int(raw)
    except (TypeError, ValueError):
        raise missing_version() from None
    if version < 0:
        raise missing_version()
    return version


def posted_read_values(field: Field) -> dict[str, Any] | None:
    """The values the page showed (a JSON object), None when the form sent none; BadVersion (400) when malformed."""
    if field.data in (None, ""):
        return None
    try:
        values = json.loads(field.data or "")
    except (TypeError, ValueError):
        raise missing_version() from None
    if not isinstance(values, dict):
        raise missing_version()
    return values
