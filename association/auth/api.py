"""/api/v1/auth: bearer tokens for API clients."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from association.auth import operations, resets, throttle
from association.auth.schemas import TokenArgs, TokenSchema
from association.auth.throttle import mark_failed, throttled
from association.core.api import abort
from association.core.permissions import PUBLIC, SIGNED_IN, access
from association.extensions import db
from association.users.schemas import AcceptedSchema, PasswordResetConfirmArgs, PasswordResetRequestArgs

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="Bearer tokens and password resets")


@blp.route("/token")
class Token(MethodView):
    @access(PUBLIC.without_csrf())
    @throttled
    @blp.doc(security=[])
    @blp.arguments(TokenArgs, example={"email": "coordinator@example.org", "password": "…", "name": "reporting script"})
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="Wrong e-mail or password")
    def post(self, args: dict) -> dict:
        """Exchange an e-mail and password for a bearer token"""
        user = operations.authenticate(args["email"], args["password"], channel="api")
        if user is None:
            mark_failed()
            db.session.commit()  # keep the failed-login audit event
            abort(401, message=_("Wrong e-mail or password."))
        token, record = operations.issue_token(user, args["name"])
        db.session.commit()
        return {"token": token, "expires_at": record.expires_at}

    @access(SIGNED_IN)
    @blp.response(204)
    @blp.alt_response(401, description="Not authenticated")
    @blp.alt_response(409, description="The request was not made with a bearer token")
    def delete(self) -> None:
        """Revoke the bearer token this request was made with"""
        record = operations.current_token()
        if record is None:
            abort(409, message=_("This request was not made with a bearer token; there is no token to revoke."))
        operations.revoke_token(record)
        db.session.commit()


@blp.route("/password-reset")
class PasswordReset(MethodView):
    @access(PUBLIC.without_csrf())
    @blp.doc(security=[])
    @blp.arguments(PasswordResetRequestArgs)
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(429, description="Too many requests for this address or account")
    def post(self, args: dict) -> dict:
        """Ask for a password-reset link by e-mail; the answer is the same whether or not the address exists"""
        email = operations.normalize_email(args["email"])
        throttle.check("reset", email)
        throttle.record_failure("reset", email)  # every request counts
        resets.request_reset(email)
        db.session.commit()
        return {"detail": _("If an account has this address, a link to set a new password is on its way.")}


@blp.route("/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    @access(PUBLIC.without_csrf())
    @blp.doc(security=[])
    @blp.arguments(PasswordResetConfirmArgs)
    @blp.response(204)
    @blp.alt_response(422, description="The token is not valid any more, or the password is refused")
    @blp.alt_response(429, description="Too many wrong tokens from this address")
    def post(self, args: dict) -> None:
        """Set a new password with the token of a reset link; every session and token of the user ends"""
        throttle.check("reset-token", "")
        if resets.find_usable(args["token"]) is None:
            throttle.record_failure("reset-token", "")
            db.session.commit()
        resets.reset_password(args["token"], args["password"])
        db.session.commit()
