"""Shared marshmallow pieces."""

from __future__ import annotations

from typing import Any

import marshmallow as ma


class QueryArgs(ma.Schema):
    """Query-string arguments; an empty value (`?year=` from a form's "all" option) means "not given"."""

    @ma.pre_load
    def drop_empty(self, data: Any, **kwargs: Any) -> Any:
        if hasattr(data, "items"):
            return {key: value for key, value in data.items() if value != ""}
        return data
