"""/login and /logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from association.audit.operations import record_event
from association.auth import operations, sessions
from association.auth.forms import LoginForm
from association.auth.throttle import mark_failed, throttled
from association.core.permissions import PUBLIC, SIGNED_IN, access
from association.core.redirects import safe_next
from association.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
@throttled
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data, channel="web")
        if user is None:
            mark_failed()
            db.session.commit()  # keep the failed-login audit event
            form.password.errors.append(_("Wrong e-mail or password."))
            return render_template("auth/login.html", form=form), 200
        # A fresh session on sign-in: nothing an attacker planted in the old one survives.
        chosen_locale = session.get("locale")
        session.clear()
        login_user(user)
        sessions.start_session(user)
        if user.locale is None and chosen_locale:
            user.locale = chosen_locale
        db.session.commit()
        return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout():
    """Sign out (POST only, with the CSRF token, so no link or image can sign a user out)."""
    record = sessions.current_session()
    if record is not None:
        sessions.end_session(record, "logout")  # every copy of the cookie is dead from now on
    record_event("logout", user=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
