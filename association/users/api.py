"""/api/v1/me: who the caller is; /api/v1/users/{id}: the life of an account (admin)."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from association.auth import resets
from association.core.etags import check_if_match, etag_for, set_response_etag
from association.core.permissions import ADMIN, SIGNED_IN, access
from association.extensions import db
from association.users import operations
from association.users.models import User
from association.users.queries import describe_account, describe_user, get_user
from association.users.schemas import AcceptedSchema, AccountSchema, MeSchema, UserPatchArgs

blp = Blueprint("users_api", __name__, url_prefix="/api/v1", description="Users")


@blp.route("/me")
class Me(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, MeSchema)
    @blp.alt_response(401, description="Not authenticated")
    def get(self) -> dict:
        """The signed-in user, their roles, committees and library"""
        return describe_user(current_user)


def _user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404, description=_("There is no user %(id)d.", id=user_id))
    return user


def _described(user: User) -> dict:
    set_response_etag(etag_for("user", user.id, user.version))
    return describe_account(user)


@blp.route("/users/<int:user_id>")
class Account(MethodView):
    @access(ADMIN)
    @blp.response(200, AccountSchema)
    def get(self, user_id: int) -> dict:
        """One user: roles, committees, library, whether active, and the version (ETag)"""
        return _described(_user_or_404(user_id))

    @access(ADMIN)
    @blp.arguments(UserPatchArgs)
    @blp.response(200, AccountSchema)
    @blp.alt_response(412, description="If-Match names an older version")
    @blp.alt_response(428, description="If-Match is missing")
    def patch(self, args: dict, user_id: int) -> dict:
        """Change a user's name, e-mail, language, roles, committees (with chair flags) or library; If-Match"""
        user = _user_or_404(user_id)
        check_if_match(etag_for("user", user.id, user.version))
        if "committees" in args:
            args["committees"] = [(m["code"], m["chair"]) for m in args["committees"]]
        operations.update_user(user, current_user, args, expected_version=user.version)
        db.session.commit()
        return _described(_user_or_404(user_id))


@blp.route("/users/<int:user_id>/deactivate")
class Deactivate(MethodView):
    @access(ADMIN)
    @blp.response(200, AccountSchema)
    @blp.alt_response(409, description="Yourself, the last active admin, or already deactivated")
    def post(self, user_id: int) -> dict:
        """Deactivate a user: they cannot sign in, their sessions and tokens end at once, their history stays"""
        operations.deactivate_user(_user_or_404(user_id), current_user)
        db.session.commit()
        return _described(_user_or_404(user_id))


@blp.route("/users/<int:user_id>/reactivate")
class Reactivate(MethodView):
    @access(ADMIN)
    @blp.response(200, AccountSchema)
    @blp.alt_response(409, description="The user is active")
    def post(self, user_id: int) -> dict:
        """Let a deactivated user sign in again"""
        operations.reactivate_user(_user_or_404(user_id), current_user)
        db.session.commit()
        return _described(_user_or_404(user_id))


@blp.route("/users/<int:user_id>/password-reset")
class AdminPasswordReset(MethodView):
    @access(ADMIN)
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(409, description="The user is deactivated")
    @blp.alt_response(503, description="The e-mail could not be sent")
    def post(self, user_id: int) -> dict:
        """E-mail the user a single-use, expiring link to set a new password"""
        resets.admin_reset(_user_or_404(user_id), current_user)
        db.session.commit()
        return {"detail": _("A password-reset link was e-mailed to the user.")}
