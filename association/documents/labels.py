"""The document statuses in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "for_comment": _l("For comment"),
    "approved": _l("Approved"),
}
