"""/libraries/<code>/returns/<year> (the annual-return form) and /returns (completeness and the review queue)."""

from __future__ import annotations

import json
from datetime import date

import yaml
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from association.core.errors import DomainError, ValidationFailed
from association.core.parsing import InputRefused, parse_json
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.extensions import db
from association.libraries.queries import get_library
from association.progress.queries import returns_completeness
from association.returns import operations, queries
from association.returns.forms import (
    ACTION_LABELS,
    NA_SUFFIX,
    NOTE_SUFFIX,
    STATUS_LABELS,
    ConfirmUploadForm,
    ReviewForm,
    UploadForm,
    YearForm,
    build_return_form,
    submitted_values,
)
from association.returns.models import ReturnStatus
from association.returns.spreadsheets import MAX_UPLOAD_BYTES, SpreadsheetRefused, build_template, read_upload
from association.returns.validation import Findings
from association.users.models import Role

bp = Blueprint("returns", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RETURN_EDITORS = roles(Role.LIBRARY_REP, Role.ADMIN)


def _library_or_404(code: str):
    library = get_library(code=code)
    if library is None:
        abort(404)
    return library


def _render(library, year: int, wtform=None, findings: Findings | None = None, status: int = 200):
    form = operations.form_for_year(year)
    annual_return = operations.find_return(library.id, year)
    if annual_return is not None:
        form = operations.form_of(annual_return)
    values = annual_return.values if annual_return else {}
    editable = operations.can_edit_return(current_user, library) and (
        annual_return is None or annual_return.status in operations.EDITABLE) and form.closed_at is None
    if wtform is None:
        wtform = build_return_form(form, values or {}, (annual_return.notes if annual_return else None) or {})
    if findings is None:
        findings = operations.findings_for(annual_return, form) if annual_return else Findings()
    sections = [
        {"code": section["code"], "title": section.get("title") or {},
         "fields": [f for f in form.fields if f.section == section["code"]]}
        for section in form.sections or [{"code": f.section} for f in form.fields[:1]]
    ]
    return render_template(
        "returns/form.html", library=library, year=year, form=form, annual_return=annual_return, wtform=wtform,
        sections=sections, findings=findings, editable=editable,
        previous=operations.previous_values(library.id, year) or {},
        history=queries.return_history(
            annual_return.id, limit=None if request.args.get("history") == "all" else queries.RECENT_HISTORY,
        ) if annual_return else [],
        history_total=queries.return_history_total(annual_return.id) if annual_return else 0,
        late=queries.is_late(annual_return, form), review_form=ReviewForm(), upload_form=UploadForm(),
        can_review=operations.can_review(current_user), status_labels=STATUS_LABELS, action_labels=ACTION_LABELS,
        na_suffix=NA_SUFFIX, note_suffix=NOTE_SUFFIX,
    ), status


@bp.route("/libraries/<code>/returns/<int:year>")
@access(SIGNED_IN)
def return_page(code: str, year: int):
    """A library's annual return for a year: the form (for its representatives), status, history, review."""
    library = _library_or_404(code)
    if not operations.can_read_return(current_user, library):
        abort(403)
    return _render(library, year)


@bp.route("/libraries/<code>/returns/<int:year>", methods=["POST"])
@access(RETURN_EDITORS)
def return_save(code: str, year: int):
    """Save the draft ("save") or save and submit ("submit"); a refused submission keeps everything typed."""
    library = _library_or_404(code)
    if not operations.can_edit_return(current_user, library):
        abort(403)
    form = operations.form_for_year(year)
    existing = operations.find_return(library.id, year)
    if existing is not None:
        form = operations.form_of(existing)
    wtform = build_return_form(form, {}, {}, formdata=request.form)
    if not wtform.validate_on_submit():
        flash(_("Nothing was saved: correct the values marked below."), "error")
        return _render(library, year, wtform, status=400)
    values, notes = submitted_values(form, wtform)
    try:
        result = operations.save_return(library, year, current_user, values, notes)
    except DomainError as refused:
        db.session.rollback()
        for name, messages in refused.errors.items():
            target = wtform._fields.get(name.replace("notes.", "") + (NOTE_SUFFIX if name.startswith("notes.") else ""))
            (target.errors if target is not None else wtform.form_errors).extend(messages)
        flash(refused.detail, "error")
        return _render(library, year, wtform, status=refused.status)
    db.session.commit()
    if request.form.get("action") != "submit":
        flash(_("Draft saved.") if not result.findings.errors else
              _("Draft saved. It has errors to correct before it can be submitted."), "info")
        return redirect(url_for("returns.return_page", code=library.code, year=year))
    try:
        operations.submit_return(library, year, current_user)
    except ValidationFailed:
        db.session.rollback()
        flash(_("Not submitted: correct the errors marked below. Your values are saved as a draft."), "error")
        return _render(library, year, wtform, status=422)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return _render(library, year, wtform, status=refused.status)
    db.session.commit()
    flash(_("Return submitted."), "info")
    return redirect(url_for("returns.return_page", code=library.code, year=year))


REVIEW_ACTIONS = {
    "return": lambda library, year, user, comment: operations.return_for_correction(library, year, user, comment),
    "accept": lambda library, year, user, comment: operations.accept_return(library, year, user),
    "reopen": lambda library, year, user, comment: operations.reopen_return(library, year, user, comment),
}


@bp.route("/libraries/<code>/returns/<int:year>/review", methods=["POST"])
@access(STAFF)
def return_review(code: str, year: int):
    """The coordinator returns (with a comment), accepts or reopens (with a reason) a return."""
    library = _library_or_404(code)
    form = ReviewForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in REVIEW_ACTIONS:
        return _render(library, year, status=400)
    try:
        REVIEW_ACTIONS[action](library, year, current_user, form.comment.data or "")
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return _render(library, year, status=refused.status)
    db.session.commit()
    flash(_("Return %(status)s.", status=ACTION_LABELS.get({"return": "returned", "accept": "accepted",
                                                            "reopen": "reopened"}[action])), "info")
    return redirect(request.form.get("next") or url_for("returns.return_page", code=library.code, year=year))


@bp.route("/returns")
@access(SIGNED_IN)
def returns_overview():
    """Completeness of a year's returns, and the coordinator's review queue."""
    from association.progress.queries import current_reporting_year

    filters = YearForm(request.args)
    filters.validate()
    year = filters.year.data or current_reporting_year()
    if year is None:
        abort(404)
    operations.form_for_year(year)
    status = ReturnStatus(filters.status.data) if filters.status.data and not filters.status.errors else None
    queue = []
    if operations.can_review(current_user):
        returns = queries.review_queue(year, status)
        findings = operations.findings_for_many(returns)
        queue = [(annual_return, findings[annual_return.id]) for annual_return in returns]
    return render_template(
        "returns/overview.html", year=year, filters=filters, completeness=returns_completeness(year),
        form=operations.form_for_year(year), upload_form=UploadForm(),
        regions=queries.completeness_by_region(year), queue=queue, review_form=ReviewForm(),
        status_labels=STATUS_LABELS,
    )


@bp.route("/returns/bulk-accept", methods=["POST"])
@access(STAFF)
def returns_bulk_accept():
    """Accept several submitted returns at once; any that cannot be accepted are reported and left alone."""
    form = ReviewForm()
    year = request.form.get("year", type=int)
    if not form.validate_on_submit() or year is None:
        abort(400)
    accepted, refused = operations.accept_returns(request.form.getlist("library"), year, current_user)
    db.session.commit()
    if accepted:
        flash(_("Accepted: %(codes)s.", codes=", ".join(accepted)), "info")
    if refused:
        flash(_("Not accepted (not submitted): %(codes)s.", codes=", ".join(refused)), "error")
    return redirect(url_for("returns.returns_overview", year=year))


@bp.route("/libraries/<code>/returns/<int:year>/template.xlsx")
@access(SIGNED_IN)
def return_template(code: str, year: int):
    """Download the return as an XLSX template (fields, units, last year's values, lists for choices)."""
    library = _library_or_404(code)
    if not operations.can_read_return(current_user, library):
        abort(403)
    annual_return = operations.find_return(library.id, year)
    form = operations.form_of(annual_return) if annual_return else operations.form_for_year(year)
    data = build_template(form, library.code, (annual_return.values if annual_return else None) or {},
                          operations.previous_values(library.id, year) or {})
    filename = f"return-{library.code}-{year}-{date.today().isoformat()}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/libraries/<code>/returns/<int:year>/upload", methods=["POST"])
@access(RETURN_EDITORS)
def return_upload(code: str, year: int):
    """Read a filled-in template and show what it would change (a dry run); nothing is saved yet."""
    library = _library_or_404(code)
    if not operations.can_edit_return(current_user, library):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the filled-in XLSX template to upload."), "error")
        return _render(library, year, status=400)
    data = form.file.data.stream.read(MAX_UPLOAD_BYTES + 1)
    annual_return = operations.find_return(library.id, year)
    definition = operations.form_of(annual_return) if annual_return else operations.form_for_year(year)
    try:
        uploaded = read_upload(data, definition, library.code)
        preview = operations.preview_return(library, year, current_user, uploaded.values)
    except SpreadsheetRefused as refused:
        flash(str(refused), "error")
        return _render(library, year, status=413 if len(data) > MAX_UPLOAD_BYTES else 400)
    except DomainError as refused:
        return render_template("returns/upload_preview.html", library=library, year=year, preview=None,
                               refused=refused, labels={f.code: f.label for f in definition.fields},
                               confirm_form=ConfirmUploadForm()), refused.status
    confirm = ConfirmUploadForm(values=json.dumps(uploaded.values, default=str))
    return render_template("returns/upload_preview.html", library=library, year=year, preview=preview,
                           refused=None, unknown=uploaded.unknown_codes, confirm_form=confirm,
                           labels={f.code: f.label for f in definition.fields})


@bp.route("/libraries/<code>/returns/<int:year>/upload/confirm", methods=["POST"])
@access(RETURN_EDITORS)
def return_upload_confirm(code: str, year: int):
    """Save the previewed values as the draft (checked again, exactly as a typed save)."""
    library = _library_or_404(code)
    form = ConfirmUploadForm()
    try:
        values = parse_json(form.values.data or "") if form.validate_on_submit() else None
    except InputRefused:
        values = None
    if not isinstance(values, dict):
        abort(400)
    try:
        operations.save_return(library, year, current_user, values)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return _render(library, year, status=refused.status)
    db.session.commit()
    flash(_("The spreadsheet's values are saved in the draft."), "info")
    return redirect(url_for("returns.return_page", code=library.code, year=year))


@bp.route("/returns/<int:year>/closed", methods=["POST"])
@access(STAFF)
def form_closed(year: int):
    """Close the reporting year, or open it again (coordinator)."""
    if not ReviewForm().validate_on_submit():
        abort(400)
    try:
        operations.set_year_closed(year, current_user, request.form.get("closed") == "1")
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
    else:
        db.session.commit()
        flash(_("Saved."), "info")
    return redirect(url_for("returns.returns_overview", year=year))


@bp.route("/returns/<int:year>/copy", methods=["POST"])
@access(STAFF)
def form_copy(year: int):
    """Start next year's form from this year's (coordinator)."""
    if not ReviewForm().validate_on_submit():
        abort(400)
    try:
        form = operations.copy_year(year, year + 1, current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(refused.detail, "error")
        return redirect(url_for("returns.returns_overview", year=year))
    db.session.commit()
    flash(_("The form for %(year)d was created from %(source)d's.", year=form.year, source=year), "info")
    return redirect(url_for("returns.returns_overview", year=year + 1))


@bp.route("/returns/<int:year>/definition", methods=["POST"])
@access(STAFF)
def form_definition_upload(year: int):
    """Load an edited form definition (YAML) for the year (coordinator)."""
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = yaml.safe_load(form.file.data.stream.read(MAX_UPLOAD_BYTES + 1).decode("utf-8"))
        if not isinstance(data, dict) or data.get("year") != year:
            raise ValidationFailed(_("This definition is not for %(year)d.", year=year), {})
        loaded, _replaced = operations.load_definition(data, current_user)
    except (yaml.YAMLError, UnicodeDecodeError):
        flash(_("The file is not a YAML form definition."), "error")
        return redirect(url_for("returns.returns_overview", year=year))
    except DomainError as refused:
        db.session.rollback()
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in refused.errors.items())
        flash(f"{refused.detail} {problems}".strip(), "error")
        return redirect(url_for("returns.returns_overview", year=year))
    db.session.commit()
    flash(_("Form %(year)d revision %(revision)d loaded.", year=loaded.year, revision=loaded.revision), "info")
    return redirect(url_for("returns.returns_overview", year=year))
