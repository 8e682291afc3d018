"""The one safe-redirect rule: a `next` parameter or form field is followed only when it is a path of this site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import url_for


def is_local_path(target: str | None) -> bool:
    """True for a path of this site ("/tasks?x=1"); False for anything a browser could take elsewhere: another
    host ("https://evil.example/", "//evil.example", "/\\evil.example"), a scheme ("javascript:…"), control
    characters or whitespace a browser strips before reading the address."""
    if not target or not target.startswith("/") or len(target) > 2000:
        return False
    if any(ord(char) < 33 or ord(char) == 127 for char in target) or "\\" in target:
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default_endpoint: str = "main.dashboard", **values: Any) -> str:
    """`target` when it is a path of this site, otherwise the address of `default_endpoint`."""
    return target if target is not None and is_local_path(target) else url_for(default_endpoint, **values)
