"""Small rules that several areas share, each defined once: the percentage of a count, the http(s) link check and
the longest comment, note or reason a person may write."""

from __future__ import annotations

from flask_babel import gettext as _

# Comments, notes, reasons and explanations: on tasks, measures, memberships and returns alike.
MAX_COMMENT_LENGTH = 5000


def percent(part: int, whole: int) -> int:
    """A whole percentage; 0 when there is nothing to count."""
    return round(100 * part / whole) if whole else 0


def is_http_url(value: str | None) -> bool:
    """An address a browser opens as a web page (http or https), the only kind of link people may store."""
    return bool(value) and str(value).strip().lower().startswith(("http://", "https://"))


def link_errors(name: str, value: str | None) -> dict[str, list[str]]:
    """{name: [message]} when `value` is given and is not an http(s) address, else {}."""
    return {} if not value or is_http_url(value) else {name: [_("Must start with http:// or https://.")]}


def length_errors(name: str, value: str | None, limit: int = MAX_COMMENT_LENGTH) -> dict[str, list[str]]:
    """{name: [message]} when `value` is longer than `limit`, else {}."""
    return {name: [_("At most %(n)d characters.", n=limit)]} if len(value or "") > limit else {}
