"""Reading an HTML form's hidden fields (the CSRF token, the version it was read at, the values it showed)."""

from __future__ import annotations

from html.parser import HTMLParser


class _HiddenInputs(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = action is None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and self.action is not None:
            self.inside = (attributes.get("action") or "") == self.action
        elif tag == "input" and self.inside and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields.setdefault(attributes["name"] or "", attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.action is not None:
            self.inside = False


def hidden_fields(html: str, action: str | None = None) -> dict[str, str]:
    """The hidden inputs of the form posting to `action` (of the whole page when None), unescaped."""
    parser = _HiddenInputs(action)
    parser.feed(html)
    return parser.fields
