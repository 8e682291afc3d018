"""The account page's e-mail preferences (POST /account/notifications) and the admin's undelivered mail."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.core.permissions import ADMIN, SIGNED_IN, access
from association.extensions import db
from association.notifications.kinds import KINDS
from association.notifications.operations import set_mail_preferences
from association.notifications.queries import preferences_of, undelivered

bp = Blueprint("notifications", __name__)


@bp.route("/account/notifications", methods=["POST"])
@access(SIGNED_IN)
def account_notifications():
    """Save which kinds of e-mail the user receives (the ticked ones)."""
    set_mail_preferences(current_user, request.form.getlist("kinds"))
    db.session.commit()
    flash(_("E-mail preferences saved."), "info")
    return redirect(url_for("users.account") + "#notifications")


@bp.route("/admin/mail")
@access(ADMIN)
def undelivered_mail():
    """Notifications the mail server has not taken: waiting for a retry, or refused (with its answer)."""
    messages, total = undelivered()
    return render_template("notifications/undelivered.html", messages=messages, total=total, kinds=KINDS)


def init_app(app: Flask) -> None:
    """The account page shows the preferences through this template global (users/account.html includes them)."""
    app.jinja_env.globals["mail_preferences"] = preferences_of
