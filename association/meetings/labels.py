"""The meeting statuses in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "planned": _l("Planned"),
    "held": _l("Held"),
    "minutes_published": _l("Minutes published"),
}
