"""What the annual returns' statuses and history actions are called on the pages, in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned for correction"),
    "accepted": _l("Accepted"),
}
ACTION_LABELS = {
    "saved": _l("saved"), "submitted": _l("submitted"), "returned": _l("returned for correction"),
    "accepted": _l("accepted"), "reopened": _l("reopened"), "created": _l("created"),
}
