"""Indicator pages: the list, an indicator's page, the coordinator's table, a library's "How we compare", and
their downloads (CSV, XLSX, the PDF benchmark profile)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.core.errors import DomainError, ValidationFailed
from association.core.models import localized
from association.core.permissions import SIGNED_IN, access, roles
from association.extensions import db
from association.indicators import charts, exports, operations, queries
from association.indicators.forms import PeerGroupForm
from association.indicators.schemas import YearGroupArgs
from association.indicators.values import SIZE_BANDS, value_table
from association.libraries.models import LibraryType, MemberLibrary
from association.libraries.queries import get_library
from association.users.models import Role

bp = Blueprint("indicators", __name__)

NAMED_READERS = roles(Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)
GROUP_EDITORS = roles(Role.COORDINATOR, Role.ADMIN, Role.LIBRARY_REP)


def _arguments() -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The year/group/include_submitted query arguments, and the problems with them (the page then says so)."""
    try:
        return YearGroupArgs().load(request.args.to_dict()), {}
    except ma.ValidationError as problem:
        messages = problem.messages if isinstance(problem.messages, dict) else {"": problem.messages}
        return {"include_submitted": False}, {str(k): [str(m) for m in v] for k, v in messages.items()}


def _group(args: dict[str, Any], errors: dict[str, list[str]]) -> queries.GroupSpec:
    try:
        return queries.resolve_group(args.get("group"), current_user)
    except ValidationFailed as refused:
        errors.update(refused.errors)
        return queries.resolve_group(None, current_user)


def _group_choices() -> list[tuple[str, str]]:
    return [("size", _("Size band")), ("type", _("Type")), ("region", _("Region")),
            *[(str(group.id), group.name) for group in queries.visible_groups(current_user)]]


def _table_group_choices() -> list[tuple[str, str]]:
    """For the table, groups with their value: every size band, type and region, and the custom groups."""
    table = value_table()
    regions = sorted({(info.region, localized(info.region_names)) for info in table.libraries.values()})
    return [("size", _("All libraries")),
            *[(f"size:{code}", queries.group_value_label("size", code)) for code, _low, _high in SIZE_BANDS],
            *[(f"type:{kind.value}", queries.group_value_label("type", kind.value)) for kind in LibraryType],
            *[(f"region:{code}", f"{_('Region')}: {name}") for code, name in regions],
            *[(str(group.id), group.name) for group in queries.visible_groups(current_user)]]


def _library_or_404(code: str) -> MemberLibrary:
    library = get_library(code=code)
    if library is None:
        abort(404)
    return library


@bp.route("/indicators")
@access(SIGNED_IN)
def indicator_list():
    """Every indicator with its definition."""
    return render_template("indicators/list.html", indicators=queries.indicators(),
                           can_read_named=queries.can_read_named(current_user),
                           own_library=queries.own_library_code(current_user))


@bp.route("/indicators/<code>")
@access(SIGNED_IN)
def indicator_page(code: str):
    """An indicator: its definition and its national distribution by year."""
    try:
        indicator = queries.indicator_by_code(code)
    except DomainError:
        abort(404)
    years = queries.national_distribution(code)
    return render_template("indicators/indicator.html", indicator=indicator, years=years, charts=charts,
                           min_peers=queries.min_peers())


@bp.route("/indicators/table")
@access(NAMED_READERS)
def indicator_table():
    """Libraries × indicators for a year, sortable, filtered by group, shaded by quartile."""
    args, errors = _arguments()
    spec = _group(args, errors)
    table = queries.indicator_table(args.get("year"), spec, current_user, sort=request.args.get("sort", "library"),
                                    descending=request.args.get("order") == "desc",
                                    include_submitted=args["include_submitted"])
    return render_template("indicators/table.html", table=table, errors=errors, charts=charts,
                           groups=_table_group_choices(), include_submitted=args["include_submitted"],
                           min_peers=queries.min_peers()), \
        422 if errors else 200


def _download_table() -> queries.IndicatorTable:
    args, errors = _arguments()
    if errors:
        abort(422)
    try:
        spec = queries.resolve_group(args.get("group"), current_user)
    except ValidationFailed:
        abort(422)
    return queries.indicator_table(args.get("year"), spec, current_user, include_submitted=args["include_submitted"])


@bp.route("/indicators/table.csv")
@access(NAMED_READERS)
def indicator_table_csv():
    """The indicator table as CSV (an unavailable value is an empty cell)."""
    table = _download_table()
    return Response(stream_with_context(exports.table_csv(table)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="indicators-{table.year}.csv"'})


@bp.route("/indicators/table.xlsx")
@access(NAMED_READERS)
def indicator_table_xlsx():
    """The indicator table as XLSX, with the distributions and a native chart per indicator."""
    table = _download_table()
    return Response(exports.table_xlsx(table).read(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="indicators-{table.year}.xlsx"'})


@bp.route("/libraries/<code>/compare")
@access(SIGNED_IN)
def library_compare(code: str):
    """How we compare: each indicator beside the peer group's distribution, and over the years."""
    library = _library_or_404(code)
    if not queries.can_benchmark(current_user, library.id):
        abort(403)
    args, errors = _arguments()
    spec = _group(args, errors)
    result = queries.benchmark(library, args.get("year"), spec, current_user, args["include_submitted"])
    return render_template("indicators/compare.html", result=result, errors=errors, charts=charts,
                           groups=_group_choices(), years=queries.value_table().years,
                           min_peers=queries.min_peers()), 422 if errors else 200


@bp.route("/libraries/<code>/compare.pdf")
@access(SIGNED_IN)
def library_compare_pdf(code: str):
    """The one-page benchmark profile of a library, in the reader's language (PDF)."""
    library = _library_or_404(code)
    if not queries.can_benchmark(current_user, library.id):
        abort(403)
    args, errors = _arguments()
    if errors:
        abort(422)
    try:
        spec = queries.resolve_group(args.get("group"), current_user)
    except ValidationFailed:
        abort(422)
    result = queries.benchmark(library, args.get("year"), spec, current_user, args["include_submitted"])
    return Response(exports.benchmark_pdf(result), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="benchmark-{library.code}-{result.year}.pdf"'})


def _render_groups(form: PeerGroupForm, status: int = 200):
    groups = queries.visible_groups(current_user)
    return render_template("indicators/groups.html", form=form, groups=groups,
                           can_save=queries.can_save_groups(current_user),
                           deletable={g.id for g in groups if queries.can_delete_group(current_user, g)}), status


@bp.route("/peer-groups")
@access(SIGNED_IN)
def peer_groups():
    """The custom peer groups you may use, and a form to save one."""
    return _render_groups(PeerGroupForm())


@bp.route("/peer-groups", methods=["POST"])
@access(GROUP_EDITORS)
def peer_group_create():
    """Save a custom peer group (a coordinator's is shared; a representative's is their own)."""
    form = PeerGroupForm()
    if not form.validate_on_submit():
        return _render_groups(form, 422)
    codes = [code for code in (form.libraries.data or "").replace(",", " ").split() if code]
    try:
        group = operations.save_peer_group(current_user, form.name.data, codes)
    except DomainError as refused:
        db.session.rollback()
        for name, messages in refused.errors.items():
            getattr(form, name, form.libraries).errors = list(messages)
        return _render_groups(form, refused.status)
    db.session.commit()
    flash(_("Peer group %(name)s saved.", name=group.name), "success")
    return redirect(url_for("indicators.peer_groups"))


@bp.route("/peer-groups/<int:group_id>/delete", methods=["POST"])
@access(GROUP_EDITORS)
def peer_group_delete(group_id: int):
    """Delete a custom peer group (its owner, or the coordinator)."""
    group = queries.peer_group(group_id)
    if group is None or not queries.can_use_group(current_user, group):
        abort(404)
    try:
        operations.delete_peer_group(current_user, group)
    except DomainError:
        abort(403)
    db.session.commit()
    flash(_("Peer group deleted."), "success")
    return redirect(url_for("indicators.peer_groups"))
