"""Annual returns: saving drafts, submitting, the coordinator's review (return, accept, reopen).
Every save and transition writes a history row with the values as they were before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from association.core.errors import Missing, NotAllowed, StaleVersion, StateConflict, ValidationFailed
from association.core.models import utcnow
from association.core.rules import MAX_COMMENT_LENGTH
from association.core.versions import BadVersion, changed_fields, check_merge
from association.extensions import db
from association.libraries.models import MemberLibrary, MembershipStatus
from association.notifications.operations import enqueue, representatives_of
from association.returns.formcache import definition_of, definitions_of
from association.returns.models import AnnualReturn, ReturnForm, ReturnHistory, ReturnStatus
from association.returns.validation import Findings, check_values, coerce_values
from association.users.models import User

EDITABLE = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})


def can_edit_return(user: User, library: MemberLibrary) -> bool:
    """A library's own representatives fill in its return (and the admin, who can do everything)."""
    return user.represents(library.id) or user.is_admin


def check_can_fill(user: User, library: MemberLibrary) -> None:
    """Refuses whoever may not fill in the library's return (before anything they sent is read)."""
    if not can_edit_return(user, library):
        raise NotAllowed(_("Only the library's representatives can fill in its return."))


def can_read_return(user: User, library: MemberLibrary) -> bool:
    """The library's representatives, and everyone who reviews or oversees (coordinator, admin, observer)."""
    from association.users.models import Role

    return user.represents(library.id) or user.has_role(Role.COORDINATOR, Role.ADMIN, Role.OBSERVER)


def can_review(user: User) -> bool:
    return user.is_coordinator


def can_change_return(user: User, library: MemberLibrary, annual_return: AnnualReturn | None,
                      form: ReturnForm) -> bool:
    """Whether `user` may change the return now: its editor, a library still in the Association, an open year and
    a return not yet started, in draft or returned. The page's form and every save ask this one rule."""
    return (can_edit_return(user, library) and library.membership_status != MembershipStatus.LEFT
            and form.closed_at is None and (annual_return is None or annual_return.status in EDITABLE))


def form_for_year(year: int) -> ReturnForm:
    """The newest revision of the year's form (its fields and rules: `definition_of`)."""
    form = db.session.scalars(
        sa.select(ReturnForm).where(ReturnForm.year == year).order_by(ReturnForm.revision.desc())
    ).first()
    if form is None:
        raise Missing(_("There is no annual-return form for %(year)d.", year=year))
    return form


def find_return(library_id: int, year: int, *, for_change: bool = False) -> AnnualReturn | None:
    """The library's return for the year. `for_change`: locked until the transaction ends (PostgreSQL; SQLite's
    writers are serialized at BEGIN already) and refreshed from the row, so that concurrent saves of one return
    take turns and each merges into the one before it, instead of all but one failing on the version check."""
    query = sa.select(AnnualReturn).where(AnnualReturn.library_id == library_id, AnnualReturn.year == year)
    if for_change:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalars(query).one_or_none()


def previous_values(library_id: int, year: int) -> dict[str, Any] | None:
    """The library's accepted values for the year before (what the year-over-year checks compare with)."""
    return db.session.scalar(
        sa.select(AnnualReturn.values).where(AnnualReturn.library_id == library_id, AnnualReturn.year == year - 1,
                                             AnnualReturn.status == ReturnStatus.ACCEPTED)
    )


def form_of(annual_return: AnnualReturn) -> ReturnForm:
    return db.session.scalars(sa.select(ReturnForm).where(ReturnForm.id == annual_return.form_id)).one()


def findings_for(annual_return: AnnualReturn, form: ReturnForm | None = None) -> Findings:
    """The errors and warnings of a return as it stands."""
    form = form or form_of(annual_return)
    definition = definition_of(form)
    return check_values(definition.fields, definition.rules, annual_return.values or {},
                        previous_values(annual_return.library_id, annual_return.year))


def findings_for_many(returns: list[AnnualReturn]) -> dict[int, Findings]:
    """Errors and warnings of many returns with a fixed number of queries: each form revision is loaded once,
    and last year's accepted values of all the libraries in one query."""
    forms = {
        form.id: form for form in db.session.scalars(
            sa.select(ReturnForm).where(ReturnForm.id.in_({r.form_id for r in returns})))
    }
    definitions = definitions_of(list(forms.values()))
    previous: dict[tuple[int, int], dict[str, Any]] = {}
    if returns:
        rows = db.session.execute(
            sa.select(AnnualReturn.library_id, AnnualReturn.year, AnnualReturn.values).where(
                AnnualReturn.library_id.in_({r.library_id for r in returns}),
                AnnualReturn.year.in_({r.year - 1 for r in returns}),
                AnnualReturn.status == ReturnStatus.ACCEPTED)
        )
        previous = {(library_id, year): values for library_id, year, values in rows}
    return {
        r.id: check_values(definitions[r.form_id].fields, definitions[r.form_id].rules, r.values or {},
                           previous.get((r.library_id, r.year - 1)))
        for r in returns
    }


def _check_open(form: ReturnForm) -> None:
    if form.closed_at is not None:
        raise StateConflict(_("The coordinator has closed the year %(year)d: no more changes.", year=form.year))


def _record(annual_return: AnnualReturn, user: User, action: str, before: ReturnStatus | None,
            values_before: dict[str, Any] | None, comment: str = "") -> None:
    db.session.add(ReturnHistory(
        return_id=annual_return.id, at=utcnow(), user_id=user.id, action=action, from_status=before,
        to_status=annual_return.status, values_before=values_before, comment=comment,
    ))


def _flush() -> None:
    # No rollback here: the caller's transaction (or savepoint, in a bulk accept) ends it, so one refused return
    # never undoes the others saved in the same request.
    # The message is translated first: after a refused flush the session cannot load the user's language.
    refusal = _("The return was changed by someone else at the same time; read it again.")
    try:
        db.session.flush()
    except (StaleDataError, sa.exc.IntegrityError):
        raise StateConflict(refusal) from None


@dataclass
class SaveResult:
    annual_return: AnnualReturn
    form: ReturnForm
    findings: Findings


def _prepare(library: MemberLibrary, year: int, user: User, submitted: dict[str, Any],
             notes: dict[str, str] | None, *, for_change: bool) -> tuple[ReturnForm, AnnualReturn | None, dict[str, Any]]:
    """Every check a save makes before writing anything: who, which form, its state, the values' types."""
    check_can_fill(user, library)
    annual_return = find_return(library.id, year, for_change=for_change)
    form = form_of(annual_return) if annual_return is not None else form_for_year(year)
    _check_open(form)
    if library.membership_status == MembershipStatus.LEFT:
        raise StateConflict(_("This library has left the Association."))
    if annual_return is not None:
        _check_editable(annual_return)
    fields = definition_of(form).fields
    values, type_errors = coerce_values(fields, submitted)
    known = {f.code for f in fields}
    for code, note in (notes or {}).items():
        if code not in known:
            type_errors.setdefault(f"notes.{code}", []).append(_("This form has no field %(code)s.", code=code))
        elif note is not None and (not isinstance(note, str) or len(note) > MAX_COMMENT_LENGTH):
            type_errors.setdefault(f"notes.{code}", []).append(_("At most %(n)d characters.", n=MAX_COMMENT_LENGTH))
    if type_errors:
        raise ValidationFailed(_("Nothing was saved: some values have the wrong type or an unknown code."), type_errors)
    return form, annual_return, values


def _check_editable(annual_return: AnnualReturn) -> None:
    if annual_return.status not in EDITABLE:
        raise StateConflict(_("A %(status)s return cannot be changed.", status=annual_return.status.value))


def _new_draft(library: MemberLibrary, year: int, form: ReturnForm) -> tuple[AnnualReturn, bool]:
    """The library's new draft for the year, and True; or, when another save created it at the same instant (the
    unique key refuses ours once theirs commits), theirs, locked, and False: the save then merges into it."""
    try:
        with db.session.begin_nested():
            annual_return = AnnualReturn(library_id=library.id, year=year, form_id=form.id,
                                         status=ReturnStatus.DRAFT, values={}, notes={})
            db.session.add(annual_return)
        return annual_return, True
    except sa.exc.IntegrityError:
        theirs = find_return(library.id, year, for_change=True)
        if theirs is None:  # created and removed again meanwhile: nothing sensible to merge into
            raise StateConflict(_("The return was changed by someone else at the same time; read it again.")) from None
        return theirs, False


def _merge(current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Given values replace the stored ones; None clears a value."""
    merged = {**current, **values}
    return {code: value for code, value in merged.items() if value is not None}


@dataclass
class Preview:
    values: dict[str, Any]
    changes: list[tuple[str, Any, Any]]
    findings: Findings


def preview_return(library: MemberLibrary, year: int, user: User, submitted: dict[str, Any]) -> Preview:
    """What saving these values would change and what the rules would say, without saving (a dry run)."""
    form, annual_return, values = _prepare(library, year, user, submitted, None, for_change=False)
    current = dict(annual_return.values or {}) if annual_return else {}
    merged = _merge(current, values)
    definition = definition_of(form)
    changes = [(f.code, current.get(f.code), merged.get(f.code)) for f in definition.fields
               if current.get(f.code) != merged.get(f.code)]
    findings = check_values(definition.fields, definition.rules, merged, previous_values(library.id, year))
    return Preview(merged, changes, findings)


@dataclass(frozen=True)
class ReadState:
    """What an HTML page showed of a return: its version (0 before it existed) and its values and notes, in the
    form's own words (what the form would post unchanged); None when the form did not say."""

    version: int
    values: dict[str, Any] | None
    notes: dict[str, str] | None


def _changed_since_read(read: ReadState, submitted: dict[str, Any],
                        notes: dict[str, str] | None) -> tuple[dict[str, Any], dict[str, str] | None]:
    """Only the values and notes that differ from what the page showed: the rest is not this user's change."""
    values = submitted if read.values is None else changed_fields(submitted, read.values)
    if notes is None or read.notes is None:
        return values, notes
    return values, changed_fields(notes, read.notes)


def _check_read_state(form: ReturnForm, annual_return: AnnualReturn, read: ReadState, values: dict[str, Any],
                      notes: dict[str, str] | None) -> None:
    """A save read at an older version lands only if none of its fields was changed meanwhile by someone else."""
    read_values, forged = coerce_values(definition_of(form).fields, read.values or {})
    if forged:
        raise BadVersion(_("The form's values are not this return's; reload the page."))
    current_notes = annual_return.notes or {}
    check_merge(
        expected_version=read.version, current_version=annual_return.version,
        changed={**values, **{f"notes.{code}": note for code, note in (notes or {}).items()}},
        read=None if read.values is None else
        {**read_values, **{f"notes.{code}": note for code, note in (read.notes or {}).items()}},
        current={**(annual_return.values or {}), **{f"notes.{code}": note for code, note in current_notes.items()}},
        same=lambda _name, a, b: _blank_is_none(a) == _blank_is_none(b),
    )


def _blank_is_none(value: Any) -> Any:
    """A blank note or value and a missing one are the same; 0 and False are values."""
    return None if value is None or value == "" else value


def save_return(library: MemberLibrary, year: int, user: User, submitted: dict[str, Any],
                notes: dict[str, str] | None = None, expected_version: int | None = None,
                read: ReadState | None = None) -> SaveResult:
    """Save a draft (creating it if needed). Unknown codes and wrong types refuse everything (422); values out of
    range and rule breaches are saved and reported. `expected_version` (the API's If-Match) refuses any save of an
    older version (412); `read` (an HTML page) saves only what changed since it was read, and refuses (409) only
    when a changed field was changed meanwhile by someone else."""
    if read is not None:
        submitted, notes = _changed_since_read(read, submitted, notes)
    form, annual_return, values = _prepare(library, year, user, submitted, notes, for_change=True)
    created = False
    if annual_return is None:
        if read is not None and read.version > 0:
            raise BadVersion(_("The form's version is not one this return ever had; reload the page."))
        annual_return, created = _new_draft(library, year, form)
    values_before: dict[str, Any] | None = None
    if not created:
        _check_editable(annual_return)  # again: a return created concurrently may have moved on already
        if expected_version is not None and expected_version != annual_return.version:
            raise StaleVersion(_("The return was changed by someone else since you read it."))
        if read is not None:
            _check_read_state(form, annual_return, read, values, notes)
        values_before = dict(annual_return.values or {})
    annual_return.values = _merge(annual_return.values or {}, values)
    if notes is not None:
        merged_notes = {**(annual_return.notes or {}), **notes}
        annual_return.notes = {code: note for code, note in merged_notes.items() if note}
    annual_return.updated_at = utcnow()
    _flush()
    _record(annual_return, user, "saved", annual_return.status, values_before)
    _flush()
    return SaveResult(annual_return, form, findings_for(annual_return, form))


def _existing(library: MemberLibrary, year: int) -> tuple[AnnualReturn, ReturnForm]:
    """The return a workflow step changes, locked (see find_return), with its form."""
    annual_return = find_return(library.id, year, for_change=True)
    if annual_return is None:
        form_for_year(year)  # 404 with the form message when the year has no form at all
        raise Missing(_("This library has not started its return for %(year)d.", year=year))
    return annual_return, form_of(annual_return)


def submit_return(library: MemberLibrary, year: int, user: User) -> AnnualReturn:
    """Submit a draft or returned return: refused (422) while errors remain; 409 from any other status."""
    if not can_edit_return(user, library):
        raise NotAllowed(_("Only the library's representatives can submit its return."))
    annual_return, form = _existing(library, year)
    _check_open(form)
    if annual_return.status not in EDITABLE:
        raise StateConflict(_("A %(status)s return cannot be submitted.", status=annual_return.status.value))
    findings = findings_for(annual_return, form)
    if findings.errors:
        raise ValidationFailed(_("The return has errors; correct them before submitting."), findings.errors)
    before = annual_return.status
    now = utcnow()
    annual_return.status = ReturnStatus.SUBMITTED
    annual_return.submitted_at = now
    annual_return.first_submitted_at = annual_return.first_submitted_at or now
    _flush()
    _record(annual_return, user, "submitted", before, dict(annual_return.values or {}))
    _flush()
    return annual_return


def _review(library: MemberLibrary, year: int, user: User, *, allowed_from: ReturnStatus, to: ReturnStatus,
            action: str, comment: str = "") -> AnnualReturn:
    if not can_review(user):
        raise NotAllowed(_("Only the coordinator reviews returns."))
    if len(comment or "") > MAX_COMMENT_LENGTH:
        raise ValidationFailed(_("The comment is too long."),
                               {"comment": [_("At most %(n)d characters.", n=MAX_COMMENT_LENGTH)]})
    annual_return, _form = _existing(library, year)
    if annual_return.status != allowed_from:
        raise StateConflict(_("Only a %(expected)s return can be %(action)s; this one is %(status)s.",
                              expected=allowed_from.value, action=action, status=annual_return.status.value))
    before = annual_return.status
    annual_return.status = to
    if to == ReturnStatus.ACCEPTED:
        annual_return.accepted_at = utcnow()
    # The comment belongs to this review action: an accept without one clears an earlier "please correct …".
    annual_return.review_comment = comment or ""
    _flush()
    _record(annual_return, user, action, before, dict(annual_return.values or {}), comment)
    _flush()
    enqueue(f"return_{action}", representatives_of(library.id), f"notifications/email/return_{action}.txt",
            {"library": library, "year": year, "comment": comment})
    return annual_return


def return_for_correction(library: MemberLibrary, year: int, user: User, comment: str) -> AnnualReturn:
    """Send a submitted return back to the library with the coordinator's comment."""
    if not (comment or "").strip():
        raise ValidationFailed(_("Say what needs correcting."), {"comment": [_("Required.")]})
    return _review(library, year, user, allowed_from=ReturnStatus.SUBMITTED, to=ReturnStatus.RETURNED,
                   action="returned", comment=comment.strip())


def accept_return(library: MemberLibrary, year: int, user: User, comment: str = "") -> AnnualReturn:
    """Accept a submitted return (with an optional comment, kept in the history); it is locked from then on."""
    return _review(library, year, user, allowed_from=ReturnStatus.SUBMITTED, to=ReturnStatus.ACCEPTED,
                   action="accepted", comment=(comment or "").strip())


def accept_returns(library_codes: list[str], year: int, user: User) -> tuple[list[str], list[str]]:
    """Accept several submitted returns (the review queue's bulk accept). Each is accepted or left alone on its own:
    answers (accepted codes, codes that could not be accepted)."""
    if not can_review(user):
        raise NotAllowed(_("Only the coordinator reviews returns."))
    libraries = {library.code: library for library in db.session.scalars(
        sa.select(MemberLibrary).where(MemberLibrary.code.in_(library_codes)))}
    accepted, refused = [], []
    for code in library_codes:
        library = libraries.get(code)
        try:
            if library is None:
                raise Missing(code)
            with db.session.begin_nested():
                accept_return(library, year, user)
            accepted.append(code)
        except (Missing, StateConflict):
            refused.append(code)
    return accepted, refused


def reopen_return(library: MemberLibrary, year: int, user: User, reason: str) -> AnnualReturn:
    """Unlock an accepted return (coordinator, with a reason kept in the history): it goes back to the library."""
    if not (reason or "").strip():
        raise ValidationFailed(_("Give the reason for reopening."), {"comment": [_("Required.")]})
    return _review(library, year, user, allowed_from=ReturnStatus.ACCEPTED, to=ReturnStatus.RETURNED,
                   action="reopened", comment=reason.strip())


def _require_coordinator(user: User) -> None:
    if not user.is_coordinator:
        raise NotAllowed(_("Only the coordinator manages the annual-return forms."))


def set_year_closed(year: int, user: User, closed: bool) -> ReturnForm:
    """Close a reporting year (no more saves or submissions) or open it again."""
    _require_coordinator(user)
    form = form_for_year(year)
    if (form.closed_at is not None) == closed:
        raise StateConflict(_("The year %(year)d is already %(state)s.", year=year,
                              state=_("closed") if closed else _("open")))
    for revision in db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == year)):
        revision.closed_at = utcnow() if closed else None
    db.session.flush()
    return form


def copy_year(year: int, to_year: int, user: User) -> ReturnForm:
    """Start `to_year`'s form from `year`'s: the same fields and rules, the dates moved."""
    from association.returns.definitions import copy_form

    _require_coordinator(user)
    form = form_for_year(year)
    definition = definition_of(form)
    return copy_form(form, definition.fields, definition.rules, to_year)


def load_definition(data: dict[str, Any], user: User) -> tuple[ReturnForm, bool]:
    """Load an edited definition (a new revision when returns were submitted on the current one)."""
    from association.returns.definitions import load_form

    _require_coordinator(user)
    if not isinstance(data, dict):
        raise ValidationFailed(_("The definition must be a mapping."), {"definition": [_("Not a form definition.")]})
    return load_form(data)
