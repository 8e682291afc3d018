"""How programme statuses and close-out actions read in the interface."""

from flask_babel import lazy_gettext as _l

PROGRAMME_STATUS_LABELS = {
    "draft": _l("Draft"),
    "active": _l("Active"),
    "closing": _l("Being closed out"),
    "closed": _l("Closed"),
}
ACTION_LABELS = {
    "carry_over": _l("Carry over to another programme"),
    "cancel": _l("Cancel (give the reason)"),
    "done": _l("Done (give a closing comment)"),
}
