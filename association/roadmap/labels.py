"""How task statuses read in the interface and in e-mails, in the user's language."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "blocked": _l("Blocked"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
# A single task's status may also be the one a programme's close-out gives (never a column of the figures).
TASK_STATUS_LABELS = {**STATUS_LABELS, "carried_over": _l("Carried over")}
