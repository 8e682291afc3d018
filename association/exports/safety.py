"""Keeping exported text inert: a cell that a spreadsheet would run as a formula gets a leading apostrophe (CSV);
XLSX cells are written as strings, never formulas (see the writers)."""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A user-written text that starts like a formula, made inert for CSV (numbers and dates pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def attachment_name(*parts: Any, language: str, extension: str) -> str:
    """A safe file name that says what is in the file and in which language, e.g. `progress-2025-REG-ru.xlsx`."""
    words = [re.sub(r"[^A-Za-z0-9_.-]+", "-", str(part)).strip("-.") for part in (*parts, language)
             if part not in (None, "")]
    return "-".join(w for w in words if w) + "." + extension
