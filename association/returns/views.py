"""/libraries/<code>/returns/<year> (the annual-return form) and /returns (completeness and the review queue)."""

from __future__ import annotations

import json
from datetime import date

import yaml
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from association.core.errors import DomainError, ValidationFailed
from association.core.forms import refusal_flashed, refusal_into_form
from association.core.i18n import current_language
from association.core.parsing import InputRefused, parse_json
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.core.redirects import safe_next
from association.core.versions import EditConflict
from association.exports.safety import attachment_name
from association.extensions import db
from association.libraries.queries import get_library
from association.progress.queries import returns_completeness
from association.returns import operations, queries
from association.returns.formcache import definition_of
from association.returns.formpage import section_index, year_changes
from association.returns.forms import (
    NA_SUFFIX,
    NOTE_SUFFIX,
    ConfirmUploadForm,
    ReviewForm,
    UploadForm,
    build_return_form,
    keep_typed,
    read_state,
    submitted_values,
)
from association.returns.labels import ACTION_LABELS, STATUS_LABELS
from association.returns.printout import printed_return, printed_return_pdf
from association.returns.queue import queue_filters, review_queue_page
from association.returns.spreadsheets import MAX_UPLOAD_BYTES, SpreadsheetRefused, build_template, read_upload
from association.users.models import Role

bp = Blueprint("returns", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RETURN_EDITORS = roles(Role.LIBRARY_REP, Role.ADMIN)


def _library_or_404(code: str):
    library = get_library(code=code)
    if library is None:
        abort(404)
    return library


def _page(library, year: int) -> queries.ReturnPage:
    """The page's one read, with its read check: every path that shows the return (a refusal too) starts here."""
    return queries.return_page(library, year, current_user, whole_history=request.args.get("history") == "all")


def _render(page: queries.ReturnPage, wtform=None, status: int = 200, *, review_form: ReviewForm | None = None,
            conflict: EditConflict | None = None):
    if wtform is None:
        wtform = build_return_form(page.form, page.values, page.notes, version=page.version)
    labels = {f.code: f.label for f in definition_of(page.form).fields}
    return render_template(
        "returns/form.html", page=page, library=page.library, year=page.year, form=page.form,
        annual_return=page.annual_return, wtform=wtform, sections=page.sections, findings=page.findings,
        editable=page.editable, previous=page.previous, history=page.history, history_total=page.history_total,
        late=page.late, review_form=review_form or ReviewForm(), upload_form=UploadForm(), can_review=page.can_review,
        section_index=section_index(page, {name: list(field.errors) for name, field in wtform._fields.items()
                                           if field.errors}),
        changes=year_changes(page),
        status_labels=STATUS_LABELS, action_labels=ACTION_LABELS, na_suffix=NA_SUFFIX, note_suffix=NOTE_SUFFIX,
        conflicts={c.field: c for c in conflict.conflicts} if conflict else {},
        conflict_rows=[(labels.get(c.field.removeprefix("notes."), c.field), c) for c in conflict.conflicts]
        if conflict else [],
    ), status


def _field_name(name: str) -> str:
    return name.removeprefix("notes.") + NOTE_SUFFIX if name.startswith("notes.") else name


@bp.route("/libraries/<code>/returns/<int:year>")
@access(SIGNED_IN)
def return_page(code: str, year: int):
    """A library's annual return for a year: the form (for its representatives), status, history, review."""
    return _render(_page(_library_or_404(code), year))


@bp.route("/libraries/<code>/returns/<int:year>/print")
@access(SIGNED_IN)
def return_print(code: str, year: int):
    """The return to print: every field's value beside last year's, the status and a summary of its reviews."""
    return render_template("returns/print.html", printed=printed_return(_library_or_404(code), year, current_user))


@bp.route("/libraries/<code>/returns/<int:year>/print.pdf")
@access(SIGNED_IN)
def return_pdf(code: str, year: int):
    """The printable return as a PDF, in the reader's language (the file name says which)."""
    printed = printed_return(_library_or_404(code), year, current_user)
    name = attachment_name("return", printed.library_code, year, language=current_language(), extension="pdf")
    return Response(printed_return_pdf(printed), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/libraries/<code>/returns/<int:year>", methods=["POST"])
@access(RETURN_EDITORS)
def return_save(code: str, year: int):
    """Save the draft ("save") or save and submit ("submit"): only what changed since the page was read; a field
    someone else changed meanwhile is a conflict page that keeps everything typed."""
    library = _library_or_404(code)
    page = _page(library, year)
    wtform = build_return_form(page.form, {}, {}, formdata=request.form)
    if not wtform.validate_on_submit():
        flash(_("Nothing was saved: correct the values marked below."), "error")
        return _render(page, wtform, status=400)
    read = read_state(wtform)
    values, notes = submitted_values(page.form, wtform)
    try:
        result = operations.save_return(library, year, current_user, values, notes, read=read)
    except EditConflict as conflict:
        db.session.rollback()
        page = _page(library, year)
        fresh = build_return_form(page.form, page.values, page.notes, version=page.version)
        flash(conflict.detail, "error")
        return _render(page, keep_typed(fresh, wtform, page.form, read), status=409, conflict=conflict)
    except DomainError as refused:
        refusal_into_form(wtform, refused, field_for=_field_name)
        flash(refused.detail, "error")
        return _render(_page(library, year), wtform, status=refused.status)
    db.session.commit()
    if request.form.get("action") == "confirm":  # "Save and submit" on the page: saved, then a confirmation step
        if result.findings.errors:
            flash(_("Not submitted: correct the errors marked below. Your values are saved as a draft."), "error")
            return _render(_page(library, year), status=422)
        return redirect(url_for("returns.submit_confirmation", code=library.code, year=year))
    if request.form.get("action") != "submit":
        flash(_("Draft saved.") if not result.findings.errors else
              _("Draft saved. It has errors to correct before it can be submitted."), "info")
        return redirect(url_for("returns.return_page", code=library.code, year=year))
    try:
        operations.submit_return(library, year, current_user)
    except DomainError as refused:
        refusal_flashed(refused, _("Not submitted: correct the errors marked below. Your values are saved as a draft.")
                        if isinstance(refused, ValidationFailed) else None)
        return _render(_page(library, year), status=refused.status)
    db.session.commit()
    flash(_("Return submitted."), "info")
    return redirect(url_for("returns.return_page", code=library.code, year=year))


REVIEW_ACTIONS = {
    "return": operations.return_for_correction,
    "accept": operations.accept_return,
    "reopen": operations.reopen_return,
}
REVIEWED = {"return": "returned", "accept": "accepted", "reopen": "reopened"}


@bp.route("/libraries/<code>/returns/<int:year>/review", methods=["POST"])
@access(STAFF)
def return_review(code: str, year: int):
    """The coordinator returns (with a comment), accepts (with an optional comment) or reopens (with a reason)."""
    library = _library_or_404(code)
    page = _page(library, year)
    form = ReviewForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in REVIEW_ACTIONS:
        return _render(page, status=400, review_form=form)
    try:
        REVIEW_ACTIONS[action](library, year, current_user, form.comment.data or "")
    except DomainError as refused:
        refusal_into_form(form, refused, default=form.comment)
        flash(refused.detail, "error")
        return _render(_page(library, year), status=refused.status, review_form=form)
    db.session.commit()
    flash(_("Return %(status)s.", status=ACTION_LABELS[REVIEWED[action]]), "info")
    return redirect(safe_next(request.form.get("next"), "returns.return_page", code=library.code, year=year))


@bp.route("/returns")
@access(SIGNED_IN)
def returns_overview():
    """Completeness of a year's returns, and the coordinator's review queue."""
    from association.progress.queries import current_reporting_year

    filters = queue_filters(request.args)
    year = filters.year.data or current_reporting_year()
    if year is None:
        abort(404)
    operations.form_for_year(year)
    queue = review_queue_page(year, filters) if operations.can_review(current_user) else None
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
    page = _page(library, year)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose the filled-in XLSX template to upload."), "error")
        return _render(page, status=400)
    data = form.file.data.stream.read(MAX_UPLOAD_BYTES + 1)
    labels = {f.code: f.label for f in definition_of(page.form).fields}
    fields = {f.code: f for f in definition_of(page.form).fields}
    try:
        operations.check_can_fill(current_user, library)  # who first: a reader's upload is never read
        uploaded = read_upload(data, page.form, library.code)
        preview = operations.preview_return(library, year, current_user, uploaded.values)
    except SpreadsheetRefused as refused:
        flash(str(refused), "error")
        return _render(page, status=413 if len(data) > MAX_UPLOAD_BYTES else 400)
    except DomainError as refused:
        db.session.rollback()
        return render_template("returns/upload_preview.html", library=library, year=year, preview=None,
                               refused=refused, labels=labels, fields=fields,
                               confirm_form=ConfirmUploadForm()), refused.status
    confirm = ConfirmUploadForm(values=json.dumps({code: new for code, _old, new in preview.changes}, default=str))
    confirm.version.data = str(page.version)
    confirm.read_values.data = {"values": page.values, "notes": {}}
    return render_template("returns/upload_preview.html", library=library, year=year, preview=preview,
                           refused=None, unknown=uploaded.unknown_codes, confirm_form=confirm, labels=labels,
                           fields=fields)


@bp.route("/libraries/<code>/returns/<int:year>/upload/confirm", methods=["POST"])
@access(RETURN_EDITORS)
def return_upload_confirm(code: str, year: int):
    """Save the previewed changes into the draft (checked again, exactly as a typed save, against the version the
    preview was made from)."""
    library = _library_or_404(code)
    _page(library, year)  # the read check comes first: a refusal never shows the return
    form = ConfirmUploadForm()
    try:
        values = parse_json(form.values.data or "") if form.validate_on_submit() else None
    except InputRefused:
        values = None
    if not isinstance(values, dict):
        abort(400)
    read = read_state(form)
    try:
        operations.save_return(library, year, current_user, values, read=read)
    except DomainError as refused:
        refusal_flashed(refused)
        return _render(_page(library, year), status=refused.status,
                       conflict=refused if isinstance(refused, EditConflict) else None)
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
        refusal_flashed(refused)
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
        refusal_flashed(refused)
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
        refusal_flashed(refused, with_fields=True)
        return redirect(url_for("returns.returns_overview", year=year))
    db.session.commit()
    flash(_("Form %(year)d revision %(revision)d loaded.", year=loaded.year, revision=loaded.revision), "info")
    return redirect(url_for("returns.returns_overview", year=year))


@bp.route("/returns/remind")
@access(STAFF)
def remind_preview():
    """Who would get today's reminder e-mail (the rules of `flask returns remind`), before anything is sent."""
    from association.returns.reminders import pending_reminders

    return render_template("returns/remind.html", reminders=pending_reminders(), review_form=ReviewForm(),
                           status_labels=STATUS_LABELS)


@bp.route("/returns/remind", methods=["POST"])
@access(STAFF)
def remind_send():
    """Send today's reminders (CSRF-checked) and say how many went out."""
    from association.returns.reminders import send_reminders

    if not ReviewForm().validate_on_submit():
        abort(400)
    try:
        reminders, failed = send_reminders()
    except OSError:
        db.session.rollback()
        flash(_("The mail server could not be reached: no reminder was sent."), "error")
        return redirect(url_for("returns.remind_preview"))
    db.session.commit()
    sent = len(reminders) - len(failed)
    flash(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", sent), "info")
    if failed:
        flash(_("The mail server refused the reminders of: %(codes)s.", codes=", ".join(failed)), "error")
    return redirect(url_for("returns.returns_overview"))


@bp.route("/libraries/<code>/returns/<int:year>/submit")
@access(RETURN_EDITORS)
def submit_confirmation(code: str, year: int):
    """The step before submitting: what submitting does, and a button that does it."""
    page = _page(_library_or_404(code), year)
    status = 200 if page.editable and page.annual_return is not None else 409
    return render_template("returns/submit_confirm.html", page=page, library=page.library, year=year,
                           confirm_form=ReviewForm(), status_labels=STATUS_LABELS), status


@bp.route("/libraries/<code>/returns/<int:year>/submit", methods=["POST"])
@access(RETURN_EDITORS)
def submit_confirmed(code: str, year: int):
    """Submit the saved draft, once confirmed (CSRF-checked)."""
    library = _library_or_404(code)
    _page(library, year)  # the read check comes first: a refusal never shows the return
    if not ReviewForm().validate_on_submit():
        abort(400)
    try:
        operations.submit_return(library, year, current_user)
    except DomainError as refused:
        db.session.rollback()
        flash(_("Not submitted: correct the errors marked below. Your values are saved as a draft.")
              if isinstance(refused, ValidationFailed) else refused.detail, "error")
        return _render(_page(library, year), status=refused.status)
    db.session.commit()
    flash(_("Return submitted."), "info")
    return redirect(url_for("returns.return_page", code=library.code, year=year))


@bp.route("/returns/<int:year>/close")
@access(STAFF)
def close_confirmation(year: int):
    """The step before closing a reporting year: what closing does (who has not submitted), and a button."""
    form = operations.form_for_year(year)
    return render_template("returns/close_confirm.html", year=year, form=form,
                           completeness=returns_completeness(year), review_form=ReviewForm())
