"""/api/v1/indicators, /api/v1/libraries/{id}/benchmark and /api/v1/peer-groups: indicators and benchmarking."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from association.core.pagination import page_schema
from association.core.permissions import SIGNED_IN, access, roles
from association.extensions import db
from association.indicators import operations, queries
from association.indicators.schemas import (
    BenchmarkSchema,
    IndicatorSchema,
    ListArgs,
    NamedValuesSchema,
    PeerGroupArgs,
    PeerGroupSchema,
    YearGroupArgs,
)
from association.libraries.queries import get_library
from association.users.models import Role

blp = Blueprint(
    "indicators_api", __name__, url_prefix="/api/v1",
    description="Indicators (ISO 11620, ACRL key ratios) computed from accepted returns, and peer benchmarking. "
                "Quartiles, median and percentile ranks use one method everywhere: **inclusive** — linear "
                "interpolation at p·(n − 1), i.e. `statistics.quantiles(values, n=4, method='inclusive')`. "
                "A value is unavailable (`available: false`, `value: null`) when an input is missing or \"not "
                "available\" or the denominator is 0. A distribution of fewer than k = 5 available values is "
                "not shown (`peers: null`). Named values are for the coordinator, observers and admins; a "
                "library's representatives see their own library by name and others only as distributions.")

NAMED_READERS = roles(Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)
GROUP_EDITORS = roles(Role.COORDINATOR, Role.ADMIN, Role.LIBRARY_REP)


@blp.route("/indicators")
class Indicators(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_schema(IndicatorSchema))
    def get(self, args: dict) -> dict:
        """List the indicators: code, names, numerator and denominator expressions, factor, unit, direction"""
        everything = [queries.describe_indicator(indicator) for indicator in queries.indicators()]
        page, per_page = args["page"], args["per_page"]
        return {"items": everything[(page - 1) * per_page: page * per_page], "total": len(everything),
                "page": page, "per_page": per_page}


@blp.route("/indicators/<code>/values")
class IndicatorValues(MethodView):
    @access(NAMED_READERS)
    @blp.arguments(YearGroupArgs, location="query")
    @blp.response(200, NamedValuesSchema)
    @blp.alt_response(404, description="No such indicator")
    @blp.alt_response(422, description="Unknown group or year out of range")
    def get(self, args: dict, code: str) -> dict:
        """Every library's value of one indicator for a year, by name (coordinator, observer, admin)"""
        spec = queries.resolve_group(args.get("group"), current_user)
        year, items = queries.named_values(code, args.get("year"), spec, current_user, args["include_submitted"])
        return {"indicator": code, "year": year, "group": spec.key, "items": [
            {"library": item.code, "library_id": item.library_id, "name": item.name, "value": item.value,
             "available": item.value is not None, "provisional": item.provisional, "group": item.group}
            for item in items]}


@blp.route("/libraries/<int:library_id>/benchmark")
class LibraryBenchmark(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(YearGroupArgs, location="query")
    @blp.response(200, BenchmarkSchema)
    @blp.alt_response(403, description="Another library (a representative sees only their own)")
    @blp.alt_response(404, description="No such library")
    @blp.alt_response(422, description="Unknown group or year out of range")
    def get(self, args: dict, library_id: int) -> dict:
        """A library's indicators beside its peer group's distribution (count, quartiles, min, max, percentile)"""
        library = get_library(library_id)
        if library is None:
            abort(404)
        queries.check_benchmark_access(current_user, library)
        spec = queries.resolve_group(args.get("group"), current_user)
        result = queries.benchmark(library, args.get("year"), spec, current_user, args["include_submitted"])
        return queries.describe_benchmark(result)


@blp.route("/peer-groups")
class PeerGroups(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_schema(PeerGroupSchema))
    def get(self, args: dict) -> dict:
        """The custom peer groups you may use: the coordinator's, and your own"""
        everything = [queries.describe_group(group) for group in queries.visible_groups(current_user)]
        page, per_page = args["page"], args["per_page"]
        return {"items": everything[(page - 1) * per_page: page * per_page], "total": len(everything),
                "page": page, "per_page": per_page}

    @access(GROUP_EDITORS)
    @blp.arguments(PeerGroupArgs)
    @blp.response(201, PeerGroupSchema)
    @blp.alt_response(422, description="No name, or unknown library codes")
    def post(self, args: dict) -> dict:
        """Save a custom peer group (a coordinator's is shared; a representative's is their own)"""
        group = operations.save_peer_group(current_user, args["name"], args["libraries"])
        db.session.commit()
        found = queries.peer_group(group.id)
        assert found is not None
        return queries.describe_group(found)


@blp.route("/peer-groups/<int:group_id>")
class PeerGroupItem(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, PeerGroupSchema)
    @blp.alt_response(404, description="No such group, or not one you may use")
    def get(self, group_id: int) -> dict:
        """One custom peer group"""
        group = queries.peer_group(group_id)
        if group is None or not queries.can_use_group(current_user, group):
            abort(404)
        return queries.describe_group(group)

    @access(GROUP_EDITORS)
    @blp.response(204)
    @blp.alt_response(403, description="Not your group")
    @blp.alt_response(404, description="No such group")
    def delete(self, group_id: int) -> None:
        """Delete a custom peer group (its owner, or the coordinator)"""
        group = queries.peer_group(group_id)
        if group is None or not queries.can_use_group(current_user, group):
            abort(404)
        operations.delete_peer_group(current_user, group)
        db.session.commit()
