"""What the libraries' measure statuses, membership statuses and types are called on the pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MEASURE_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "not_applicable": _l("Not applicable"),
}
MEMBERSHIP_LABELS = {"active": _l("Active member"), "suspended": _l("Suspended"), "left": _l("Left the Association")}
TYPE_LABELS = {
    "national": _l("National university"),
    "state": _l("State university"),
    "autonomous": _l("Autonomous organization of education"),
    "private": _l("Private university"),
    "joint-stock": _l("Joint-stock company"),
}
