"""A test app whose routes raise what the operations raise, for the error and permission mechanisms."""

import pytest
from flask import Blueprint, abort

from association import create_app
from association.core.errors import PreconditionRequired, StaleVersion, StateConflict, ValidationFailed
from association.core.permissions import ADMIN, PUBLIC, access

# Statuses that the foundation's own endpoints do not produce yet are checked through routes of a test app
# that raise exactly what the operations raise.

@pytest.fixture(scope="module")
def error_app(tmp_path_factory):
    application = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    bp = Blueprint("raising", __name__, url_prefix="/api/v1/raising")

    @bp.route("/admin-only")
    @access(ADMIN)
    def admin_only():
        return {"ok": True}

    @bp.route("/conflict")
    @access(PUBLIC)
    def conflict():
        raise StateConflict("A task cannot go from done to planned.", {"status": ["Allowed: in_progress."]})

    @bp.route("/stale")
    @access(PUBLIC)
    def stale():
        raise StaleVersion("Changed by someone else.")

    @bp.route("/precondition")
    @access(PUBLIC)
    def precondition():
        raise PreconditionRequired()

    @bp.route("/invalid")
    @access(PUBLIC)
    def invalid():
        raise ValidationFailed("Bad values.", {"progress_percent": ["A whole number from 0 to 100."]})

    @bp.route("/boom")
    @access(PUBLIC)
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    @bp.route("/aborted")
    @access(PUBLIC)
    def aborted():
        abort(409)

    @bp.route("/undeclared")
    def undeclared():
        return {"leaked": True}

    application.register_blueprint(bp)
    with application.app_context():
        from association.extensions import db

        db.create_all()
    return application


