"""/api/v1/auth: bearer tokens for API clients."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from association.auth import operations
from association.auth.schemas import TokenArgs, TokenSchema
from association.auth.throttle import mark_failed, throttled
from association.core.api import abort
from association.core.permissions import PUBLIC, SIGNED_IN, access
from association.extensions import db

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="Bearer tokens")


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
