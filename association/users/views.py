"""/account (language, password, API tokens) and /admin/users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from association.auth import operations as auth_operations
from association.auth import sessions as auth_sessions
from association.auth import throttle
from association.auth.models import ApiToken, UserSession
from association.auth.passwords import verify_password
from association.committees.models import Committee
from association.core.errors import ValidationFailed
from association.core.permissions import ADMIN, SIGNED_IN, access
from association.core.templating import ROLE_LABELS
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users import operations
from association.users.forms import LanguageForm, PasswordForm, TokenForm, UserForm
from association.users.models import Role, User

bp = Blueprint("users", __name__)


def _account_page(**forms):
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    context = {
        "language_form": LanguageForm(locale=current_user.locale or "en"),
        "password_form": PasswordForm(),
        "token_form": TokenForm(),
        "tokens": tokens,
        "sessions": auth_sessions.live_sessions(current_user),
        "this_session": auth_sessions.current_session(),
        "new_token": None,
    }
    context.update(forms)
    return render_template("users/account.html", **context)


@bp.route("/account")
@access(SIGNED_IN)
def account():
    """The user's own settings: language, password and API tokens."""
    return _account_page()


@bp.route("/account/language", methods=["POST"])
@access(SIGNED_IN)
def account_language():
    """Save the interface language."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return _account_page(language_form=form), 400
    operations.set_locale(current_user, form.locale.data)
    db.session.commit()
    flash(_("Language saved."), "info")
    return redirect(url_for("users.account"))


@bp.route("/account/password", methods=["POST"])
@access(SIGNED_IN)
def account_password():
    """Change the password; other sessions and all API tokens stop working."""
    form = PasswordForm()
    if form.validate_on_submit():
        throttle.check("password", f"user:{current_user.id}")
        if not verify_password(current_user.password_hash, form.current_password.data):
            throttle.record_failure("password", f"user:{current_user.id}")
            db.session.commit()
            form.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                operations.change_password(current_user, form.new_password.data)
            except ValidationFailed as refused:
                form.new_password.errors.extend(refused.errors.get("password", [refused.detail]))
            else:
                db.session.commit()
                login_user(current_user._get_current_object())  # this session carries the new generation and stays signed in
                flash(_("Password changed. Your other sessions and API tokens were signed out."), "info")
                return redirect(url_for("users.account"))
    return _account_page(password_form=form), 400


@bp.route("/account/tokens", methods=["POST"])
@access(SIGNED_IN)
def create_token():
    """Create an API token; it is shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form), 400
    token, _record = auth_operations.issue_token(current_user, form.name.data or "")
    db.session.commit()
    return _account_page(new_token=token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@access(SIGNED_IN)
def revoke_token(token_id: int):
    """Revoke one of the user's own API tokens."""
    record = db.session.get(ApiToken, token_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    auth_operations.revoke_token(record)
    db.session.commit()
    flash(_("Token revoked."), "info")
    return redirect(url_for("users.account"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@access(SIGNED_IN)
def end_session(session_id: int):
    """End one of the user's own signed-in sessions (another browser, a lost laptop)."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    auth_sessions.end_session(record, "ended_by_user")
    db.session.commit()
    flash(_("Session ended."), "info")
    return redirect(url_for("users.account"))


def _user_form() -> UserForm:
    form = UserForm()
    form.roles.choices = [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in Role]
    form.committee.choices = [SelectChoice("", "—")] + [
        SelectChoice(code) for code in db.session.scalars(sa.select(Committee.code).order_by(Committee.position))
    ]
    form.library.choices = [SelectChoice("", "—")] + [
        SelectChoice(code) for code in db.session.scalars(sa.select(MemberLibrary.code).order_by(MemberLibrary.code))
    ]
    return form


def _users_page(form: UserForm):
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    libraries = dict(db.session.execute(sa.select(MemberLibrary.id, MemberLibrary.code)).all())
    return render_template("users/admin_users.html", users=users, libraries=libraries, form=form)


@bp.route("/admin/users")
@access(ADMIN)
def admin_users():
    """All accounts, with their roles, committees and libraries."""
    return _users_page(_user_form())


@bp.route("/admin/users", methods=["POST"])
@access(ADMIN)
def admin_create_user():
    """Create an account."""
    form = _user_form()
    if form.validate_on_submit():
        try:
            operations.create_user(
                form.email.data, form.name.data, form.password.data, form.roles.data,
                committees=[(form.committee.data, form.chair.data)] if form.committee.data else [],
                library_code=form.library.data or None,
            )
        except ValidationFailed as refused:
            for name, messages in refused.errors.items():
                field = getattr(form, {"role": "roles"}.get(name, name), None)
                (field.errors if field is not None else form.form_errors).extend(messages)
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=form.email.data.strip().lower()), "info")
            return redirect(url_for("users.admin_users"))
    return _users_page(form), 400
