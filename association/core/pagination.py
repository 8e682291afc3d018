"""Paginated lists: `?page=&per_page=` (at most 200) answered as {"items", "total", "page", "per_page"}."""

from __future__ import annotations

from typing import Any, cast

import marshmallow as ma
import sqlalchemy as sa
from flask import Response, current_app

from association.core.schemas import QueryArgs
from association.extensions import db

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50


class PageArgs(QueryArgs):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The schema of one page of `item_schema` objects."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "total": ma.fields.Integer(),
        "page": ma.fields.Integer(),
        "per_page": ma.fields.Integer(),
    }, name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema")


def page_response(items: list[dict[str, Any]], total: int, page: int, per_page: int) -> Response:
    """A page whose items were already dumped by a plain serializer (see roadmap.schemas.task_item), answered as
    JSON directly: flask-smorest passes a Response through and documents the route's page_schema all the same."""
    return json_response({"items": items, "total": total, "page": page, "per_page": per_page})


def json_response(document: Any) -> Response:
    """`document` as the app's JSON, the way flask-smorest would have answered it once dumped."""
    return cast(Response, current_app.json.response(document))  # jsonify's compact JSON: the app's response class


def page_url(page: int) -> str:
    """The current page's address with another page number (for the HTML lists' pagination links)."""
    from flask import request, url_for

    return url_for(request.endpoint or "", **{**(request.view_args or {}), **request.args.to_dict(), "page": page})


def paginate(query: sa.Select, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of the query's objects and how many match, in one statement: the count rides along on every row
    as a window function (`count(*) OVER ()`, computed before LIMIT), which saves the round trip of a count of its
    own. Only a page past the end, with no row to carry it, counts separately."""
    rows = db.session.execute(
        query.add_columns(sa.func.count().over()).limit(per_page).offset((page - 1) * per_page)).unique().all()
    if rows:
        return [row[0] for row in rows], rows[0][-1]
    if page == 1:
        return [], 0
    return [], db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


def one_page(query: sa.Select, args: dict[str, Any]) -> dict[str, Any]:
    """The API's answer for one page of the query: {"items", "total", "page", "per_page"} (args from PageArgs)."""
    items, total = paginate(query, args["page"], args["per_page"])
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}
