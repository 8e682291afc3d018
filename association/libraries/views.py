"""/libraries, /libraries/<code>: the registry, a library's page with its measures, and their forms."""

from __future__ import annotations

import json
import math

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from wtforms.fields.choices import SelectChoice

from association.core import charts
from association.core.errors import DomainError
from association.core.forms import refusal_into_form
from association.core.pagination import DEFAULT_PER_PAGE, paginate
from association.core.permissions import SIGNED_IN, STAFF, access, roles
from association.core.versions import EditConflict, missing_version, posted_read_values, posted_version
from association.extensions import db
from association.libraries import operations, queries
from association.libraries.forms import (
    MEASURE_LABELS,
    MEMBERSHIP_LABELS,
    TYPE_LABELS,
    ContactForm,
    LibraryFilterForm,
    LibraryForm,
    MeasureForm,
    MembershipForm,
)
from association.libraries.models import MeasureStatus, MemberLibrary, MembershipStatus
from association.returns.labels import STATUS_LABELS as RETURN_STATUS_LABELS
from association.roadmap.models import RoadmapTask
from association.users.models import Role

bp = Blueprint("libraries", __name__)

PROFILE_EDITORS = roles(Role.LIBRARY_REP, Role.COORDINATOR, Role.ADMIN)
PROGRESS_EDITORS = roles(Role.LIBRARY_REP, Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.ADMIN)


def _region_choices(blank: bool) -> list[SelectChoice]:
    return ([SelectChoice("", "—")] if blank else []) + [
        SelectChoice(region.code, region.name) for region in queries.regions()
    ]


@bp.route("/libraries")
@access(SIGNED_IN)
def library_list():
    """The member libraries, filtered and paginated, with their progress."""
    form = LibraryFilterForm(request.args)
    form.region.choices = _region_choices(blank=True)
    form.validate()
    filters = {name: field.data for name, field in form._fields.items() if field.data and not field.errors}
    page = max(request.args.get("page", 1, type=int), 1)
    items, total = paginate(queries.library_query(filters), page, DEFAULT_PER_PAGE)
    return render_template("libraries/list.html", form=form, libraries=queries.describe_libraries(items),
                           total=total, page=page, pages=max(math.ceil(total / DEFAULT_PER_PAGE), 1),
                           type_labels=TYPE_LABELS, membership_labels=MEMBERSHIP_LABELS)


def _library_or_404(code: str) -> MemberLibrary:
    library = queries.get_library(code=code)
    if library is None:
        abort(404)
    return library


def _render_library(library: MemberLibrary, *, measure_forms: dict | None = None, membership_form=None,
                    status: int = 200):
    """The library's page. A measure's form is WTForms only when it was posted back with errors; every other
    editable measure's form is plain HTML from one MeasureForm per page and that measure's values formatted here
    (at 10x a coordinator may edit 110 measures: a form object each cost 40 ms of the page's 65)."""
    page = queries.library_page(library, current_user)
    forms = measure_forms or {}
    plain_forms = {
        measure.task.id: _plain_measure_form(measure)
        for measure in page.measures if measure.task.id in page.editable_measures and measure.task.id not in forms
    }
    if membership_form is None and page.can_change_membership:
        membership_form = MembershipForm()
    return render_template(
        "libraries/detail.html", library=page.library, record=page.record, figures=page.figures,
        measures=page.measures, measure_forms=forms, plain_measure_forms=plain_forms,
        measure_form=_measure_form_parts() if plain_forms else None,
        measure_csrf=generate_csrf() if plain_forms else "", representatives=page.representatives,
        membership=page.membership, history=page.history, returns=page.returns, membership_form=membership_form,
        can_edit_profile=page.can_edit_profile, measure_labels=_as_text(MEASURE_LABELS),
        membership_labels=_as_text(MEMBERSHIP_LABELS), type_labels=_as_text(TYPE_LABELS), charts=charts, can_read_returns=page.can_read_returns,
        return_labels=RETURN_STATUS_LABELS, measure_counts=page.measure_counts(MEASURE_LABELS),
    ), status


def _as_text(labels: dict) -> dict[str, str]:
    """Lazy labels translated once for the page, not once per row."""
    return {key: str(label) for key, label in labels.items()}


def _measure_form_parts() -> dict:
    """The labels, choices and limits every measure's form shows, from one MeasureForm."""
    form = MeasureForm(formdata=None, meta={"csrf": False})
    return {"status": str(form.status.label.text), "evidence_url": str(form.evidence_url.label.text),
            "note": str(form.note.label.text), "choices": [(c.value, str(c.label)) for c in form.status.choices],
            "evidence_url_maxlength": form.evidence_url.flags.maxlength, "note_maxlength": form.note.flags.maxlength}


def _plain_measure_form(measure: queries.Measure) -> dict[str, str]:
    """What a measure's form shows, as text: the values read, the version and the JSON of the values read (what
    MeasureForm's hidden fields would hold)."""
    shown = {"status": measure.status.value, "evidence_url": measure.evidence_url or "", "note": measure.note}
    return {**shown, "prefix": f"m{measure.task.id}", "version": str(measure.version),
            "read_values": json.dumps(shown, ensure_ascii=False)}


@bp.route("/libraries/<code>")
@access(SIGNED_IN)
def library_detail(code: str):
    """A library: profile, membership, representatives, progress on the measures, returns by year."""
    return _render_library(_library_or_404(code))


@bp.route("/libraries/<code>/progress/<int:task_id>", methods=["POST"])
@access(PROGRESS_EDITORS)
def measure_update(code: str, task_id: int):
    """Record the library's progress on one measure (its representative, the committee, the coordinator)."""
    library = _library_or_404(code)
    task = db.session.get(RoadmapTask, task_id)
    if task is None:
        abort(404)
    if not operations.can_edit_progress(current_user, library, task):
        abort(403)
    form = MeasureForm(prefix=f"m{task_id}")
    if form.validate_on_submit():
        try:
            operations.set_measure_progress(library, task, current_user, status=MeasureStatus(form.status.data),
                                            evidence_url=form.evidence_url.data or None, note=form.note.data or "",
                                            expected_version=posted_version(form.version),
                                            read=_read_profile(form), field_merge=True)
        except EditConflict as conflict:
            read = _read_profile(form)
            refusal_into_form(form, conflict)
            _keep_typed_measure(form, next(m for m in queries.library_measures(library.id) if m.task.id == task_id),
                                read)
            form.form_errors = [conflict.detail]
            return _render_library(_library_or_404(code), measure_forms={task_id: form}, status=conflict.status)
        except DomainError as refused:
            refusal_into_form(form, refused, default=form.status)
            return _render_library(_library_or_404(code), measure_forms={task_id: form}, status=refused.status)
        db.session.commit()
        flash(_("Progress saved."), "info")
        return redirect(url_for("libraries.library_detail", code=library.code) + f"#measure-{task_id}")
    return _render_library(library, measure_forms={task_id: form}, status=400)


def _keep_typed_measure(form: MeasureForm, measure: queries.Measure, read: dict[str, str] | None) -> None:
    """The conflict's form: read again at the stored version, with the fields the user changed kept as typed."""
    stored = {"status": measure.status.value, "evidence_url": measure.evidence_url or "", "note": measure.note}
    for name, value in stored.items():
        typed = form[name].data or ""
        if read is not None and typed == read.get(name, ""):
            form[name].data, form[name].raw_data = value, None
    form.version.data, form.read_values.data = str(measure.version), stored


@bp.route("/libraries/<code>/membership", methods=["POST"])
@access(STAFF)
def membership_update(code: str):
    """Change the library's membership status (coordinator)."""
    library = _library_or_404(code)
    form = MembershipForm()
    if form.validate_on_submit():
        try:
            operations.change_membership(library, current_user, MembershipStatus(form.status.data),
                                         form.effective_on.data, form.reason.data or "")
        except DomainError as refused:
            refusal_into_form(form, refused, default=form.status)
            return _render_library(_library_or_404(code), membership_form=form, status=refused.status)
        db.session.commit()
        flash(_("Membership changed."), "info")
        return redirect(url_for("libraries.library_detail", code=library.code))
    return _render_library(library, membership_form=form, status=400)


def _profile_form(library: MemberLibrary | None):
    """The whole profile for the coordinator; the contact fields for a library's representative."""
    if current_user.is_coordinator:
        form = LibraryForm()
        form.region.choices = _region_choices(blank=False)
    else:
        form = ContactForm()
    if request.method == "GET" and library is not None:
        _show_stored(form, library)
    return form


def _show_stored(form, library: MemberLibrary) -> None:
    """Fill the form with the library as stored now, and the version and values it is read at."""
    shown = operations.shown_profile(library, form.FIELDS)
    for name in form.FIELDS:
        value = getattr(library, name) if name != "region" else None
        form[name].data = shown[name] if name in ("region", "type") else value
        form[name].raw_data = None
    form.version.data = str(library.version)
    form.read_values.data = shown


def _read_profile(form) -> dict[str, str] | None:
    read = posted_read_values(form.read_values)
    if read is not None and not all(isinstance(value, str) for value in read.values()):
        raise missing_version()
    return read


def _save_profile(form, library: MemberLibrary | None):
    data = {name: form[name].data for name in form.FIELDS}
    try:
        if library is None:
            saved = operations.create_library(current_user, data)
        else:
            operations.edit_library(library, current_user, data, expected_version=posted_version(form.version),
                                    read=_read_profile(form), field_merge=True)
            saved = library
    except EditConflict:
        raise
    except DomainError as refused:
        refusal_into_form(form, refused)
        return None
    db.session.commit()
    return saved


@bp.route("/libraries/new", methods=["GET", "POST"])
@access(STAFF)
def library_new():
    """Register a member library (coordinator)."""
    form = _profile_form(None)
    if form.validate_on_submit():
        saved = _save_profile(form, None)
        if saved is not None:
            flash(_("Library registered."), "info")
            return redirect(url_for("libraries.library_detail", code=saved.code))
    return render_template("libraries/form.html", form=form, library=None), 400 if form.errors else 200


@bp.route("/libraries/<code>/edit", methods=["GET", "POST"])
@access(PROFILE_EDITORS)
def library_edit(code: str):
    """Edit a library's profile: every field (coordinator) or the contact fields (its representative). A field
    someone else changed since the form was read is a conflict page that keeps what was typed."""
    library = _library_or_404(code)
    if not operations.can_edit_profile(current_user, library):
        abort(403)
    form = _profile_form(library)
    conflict_rows = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = _save_profile(form, library)
        except EditConflict as conflict:
            db.session.rollback()
            library = _library_or_404(code)
            form = _conflict_form(form, library, _read_profile(form))
            labels = {name: form[name].label.text for name in form.FIELDS}
            conflict_rows = [(labels.get(c.field, c.field), c) for c in conflict.conflicts]
            flash(conflict.detail, "error")
            return render_template("libraries/form.html", form=form, library=library,
                                   conflict_rows=conflict_rows), 409
        if saved is not None:
            flash(_("Library saved."), "info")
            return redirect(url_for("libraries.library_detail", code=saved.code))
        library = _library_or_404(code)
    return render_template("libraries/form.html", form=form, library=library,
                           conflict_rows=conflict_rows), 400 if form.errors else 200


def _conflict_form(typed, library: MemberLibrary, read: dict[str, str] | None):
    """The stored profile, read at its new version, with what the user changed kept as typed."""
    fresh = LibraryForm(formdata=None) if current_user.is_coordinator else ContactForm(formdata=None)
    if current_user.is_coordinator:
        fresh.region.choices = _region_choices(blank=False)
    _show_stored(fresh, library)
    for name in fresh.FIELDS:
        if read is None or operations.as_shown(typed[name].data).strip() != read.get(name, "").strip():
            fresh[name].data, fresh[name].raw_data = typed[name].data, typed[name].raw_data
    return fresh
