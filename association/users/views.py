"""/account (language, password, API tokens) and /admin/users."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from association.auth import operations as auth_operations
from association.auth import resets, throttle
from association.auth import sessions as auth_sessions
from association.auth.models import ApiToken, UserSession
from association.auth.passwords import verify_password
from association.committees.models import Committee
from association.core.errors import StaleVersion, StateConflict, ValidationFailed
from association.core.permissions import ADMIN, SIGNED_IN, access
from association.core.templating import ROLE_LABELS
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users import operations
from association.users.forms import LanguageForm, PasswordForm, TokenForm, UserEditForm, UserForm, VersionForm
from association.users.models import Role, User
from association.users.queries import changes_since, get_user

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


def _edit_form(user: User, formdata: bool = True) -> UserEditForm:
    form = UserEditForm() if formdata else UserEditForm(
        formdata=None, email=user.email, name=user.name, locale=user.locale or "", roles=user.role_names,
        committees=[m.committee.code for m in user.memberships],
        chairs=[m.committee.code for m in user.memberships if m.chair], version=user.version,
    )
    committees = [SelectChoice(code) for code in
                  db.session.scalars(sa.select(Committee.code).order_by(Committee.position))]
    form.roles.choices = [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in Role]
    form.committees.choices = committees
    form.chairs.choices = list(committees)
    form.library.choices = [SelectChoice("", "—")] + [
        SelectChoice(code) for code in db.session.scalars(sa.select(MemberLibrary.code).order_by(MemberLibrary.code))
    ]
    if not formdata and user.library_id is not None:
        form.library.data = db.session.scalar(sa.select(MemberLibrary.code).where(MemberLibrary.id == user.library_id))
    return form


def _user_page(user: User, form: UserEditForm, status: int = 200, conflict: list | None = None):
    return render_template("users/admin_user.html", user=user, form=form, conflict=conflict,
                           sessions=auth_sessions.live_sessions(user)), status


def _user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>")
@access(ADMIN)
def admin_user(user_id: int):
    """One account: edit it, deactivate or reactivate it, send a password-reset link."""
    user = _user_or_404(user_id)
    return _user_page(user, _edit_form(user, formdata=False))


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
@access(ADMIN)
def admin_update_user(user_id: int):
    """Save an admin's edit of an account (refused when someone saved it since the form was read)."""
    user = _user_or_404(user_id)
    form = _edit_form(user)
    if not form.validate_on_submit():
        return _user_page(user, form, 400)
    expected = int(form.version.data) if (form.version.data or "").isdigit() else -1
    chairs = set(form.chairs.data or [])
    changes = {
        "email": form.email.data, "name": form.name.data, "locale": form.locale.data or None,
        "roles": form.roles.data or [], "library": form.library.data or None,
        "committees": [(code, code in chairs) for code in form.committees.data or []],
    }
    try:
        operations.update_user(user, current_user, changes, expected_version=expected)
    except StaleVersion:
        db.session.rollback()
        user = _user_or_404(user_id)
        conflict = changes_since(user, expected)
        form.version.data = user.version  # what was typed stays; saving again now applies it over the newer state
        return _user_page(user, form, 409, conflict=conflict)
    except ValidationFailed as refused:
        db.session.rollback()
        user = _user_or_404(user_id)
        for name, messages in refused.errors.items():
            field = getattr(form, name, None)
            (field.errors if field is not None else form.form_errors).extend(messages)
        return _user_page(user, form, 422)
    db.session.commit()
    flash(_("User %(email)s saved.", email=user.email), "info")
    return redirect(url_for("users.admin_user", user_id=user.id))


def _account_act(user_id: int, act, done_message: str):
    user = _user_or_404(user_id)
    if not VersionForm().validate_on_submit():
        abort(400)
    try:
        act(user)
    except (StateConflict, ValidationFailed, resets.MailNotSent) as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        user = _user_or_404(user_id)
        return _user_page(user, _edit_form(user, formdata=False), refused.status)
    db.session.commit()
    flash(done_message, "info")
    return redirect(url_for("users.admin_user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@access(ADMIN)
def admin_deactivate_user(user_id: int):
    """Deactivate an account: it cannot sign in, its sessions and tokens end at once."""
    return _account_act(user_id, lambda user: operations.deactivate_user(user, current_user),
                        _("The user was deactivated; their sessions and tokens have ended."))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@access(ADMIN)
def admin_reactivate_user(user_id: int):
    """Let a deactivated account sign in again."""
    return _account_act(user_id, lambda user: operations.reactivate_user(user, current_user),
                        _("The user was reactivated."))


@bp.route("/admin/users/<int:user_id>/password-reset", methods=["POST"])
@access(ADMIN)
def admin_password_reset(user_id: int):
    """E-mail the user a single-use link to set a new password."""
    return _account_act(user_id, lambda user: resets.admin_reset(user, current_user),
                        _("A password-reset link was e-mailed to the user."))


@bp.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@access(ADMIN)
def admin_unlock_user(user_id: int):
    """Forget the failed sign-ins of the account, so that it may sign in again at once."""
    return _account_act(user_id, lambda user: throttle.unlock(user.email),
                        _("The failed sign-ins of the user were forgotten."))
