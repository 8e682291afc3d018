"""/api/v1/me: who the caller is."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.permissions import SIGNED_IN, access
from association.users.queries import describe_user
from association.users.schemas import MeSchema

blp = Blueprint("users_api", __name__, url_prefix="/api/v1", description="Users")


@blp.route("/me")
class Me(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, MeSchema)
    @blp.alt_response(401, description="Not authenticated")
    def get(self) -> dict:
        """The signed-in user, their roles, committees and library"""
        return describe_user(current_user)
