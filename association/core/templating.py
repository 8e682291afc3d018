"""What every template can use: the languages, the localized() picker, the role names."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from association.core.models import localized
from association.core.pagination import page_url
from association.core.readable import number


def format_number(value):
    """A number as the user's language writes it (association.core.readable.number); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return number(value)


ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Roadmap coordinator"),
    "committee_member": _l("Committee member"),
    "library_rep": _l("Library representative"),
    "observer": _l("Observer"),
}


def init_templating(app: Flask) -> None:
    from association.core.readable import format_value, long_date

    app.jinja_env.filters["zip"] = lambda first, second: zip(first, second, strict=True)
    app.jinja_env.globals["now"] = date.today
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["readable"] = lambda value, field=None: format_value(field, value)
    app.jinja_env.filters["long_date"] = long_date

    @app.context_processor
    def common() -> dict:
        return {
            "languages": [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
            "current_locale": str(get_locale() or "en"),
            "localized": localized,
            "role_labels": ROLE_LABELS,
            "page_url": page_url,
        }
