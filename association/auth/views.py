"""/login and /logout."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from association.audit.operations import record_event
from association.auth import operations, resets, sessions, throttle
from association.auth.forms import LoginForm
from association.auth.throttle import mark_failed, throttled
from association.core.errors import ValidationFailed
from association.core.permissions import PUBLIC, SIGNED_IN, access
from association.core.redirects import safe_next
from association.extensions import db
from association.users.forms import ForgotPasswordForm, ResetPasswordForm

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


@bp.route("/password/forgot", methods=["GET", "POST"])
@access(PUBLIC)
def forgot_password():
    """Ask for a password-reset link by e-mail; the answer never says whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = operations.normalize_email(form.email.data)
        throttle.check("reset", email)
        throttle.record_failure("reset", email)  # every request counts: the form must not become a mail cannon
        resets.request_reset(email)
        db.session.commit()
        flash(_("If an account has this address, a link to set a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def reset_password(token: str):
    """Set a new password through a link from a password-reset e-mail."""
    throttle.check("reset-token", "")
    if resets.find_usable(token) is None:
        if request.method == "POST":
            throttle.record_failure("reset-token", "")
            db.session.commit()
        return render_template("auth/reset.html", form=None), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            resets.reset_password(token, form.new_password.data)
        except ValidationFailed as refused:
            db.session.rollback()
            form.new_password.errors.extend(refused.errors.get("password", [refused.detail]))
        else:
            db.session.commit()
            flash(_("Your password was changed. Sign in with it."), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200
