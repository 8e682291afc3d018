"""The annual-return form, built from the year's definition (WTForms classes made at run time), and the
coordinator's review forms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from association.core.models import localized
from association.core.rules import MAX_COMMENT_LENGTH
from association.core.versions import (
    ReadValuesField,
    VersionField,
    missing_version,
    posted_read_values,
    posted_version,
)
from association.returns.formcache import AnyField, definition_of
from association.returns.labels import STATUS_LABELS
from association.returns.models import FieldType, ReturnForm
from association.returns.operations import ReadState
from association.returns.rules import NOT_AVAILABLE

NA_SUFFIX = "__na"
NOTE_SUFFIX = "__note"


def _input_for(definition: AnyField):
    label = localized(definition.labels) or definition.code
    description = localized(definition.helps)
    if definition.type == FieldType.INTEGER:
        return IntegerField(label, description=description, validators=[Optional()],
                            render_kw={"inputmode": "numeric"})
    if definition.type == FieldType.DECIMAL:
        return DecimalField(label, description=description, validators=[Optional()], places=None,
                            render_kw={"inputmode": "decimal"})
    if definition.type == FieldType.BOOLEAN:
        return SelectField(label, description=description, validators=[Optional()], choices=[
            SelectChoice("", "—"), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))])
    if definition.type == FieldType.CHOICE:
        return SelectField(label, description=description, validators=[Optional()], choices=[SelectChoice("", "—")] + [
            SelectChoice(choice["code"], localized(choice.get("label")) or choice["code"])
            for choice in definition.choices or []])
    return TextAreaField(label, description=description, validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)],
                         render_kw={"rows": 2})


def build_return_form(form: ReturnForm, values: dict[str, Any], notes: dict[str, str], formdata=None,
                      version: int | None = None) -> FlaskForm:
    """A WTForms form with one input per field of the definition (plus "not available" and an explanation), and
    the version and values the page is read at (`version` given: the stored return's, shown unchanged)."""

    class AnnualReturnForm(FlaskForm):
        version = VersionField()
        read_values = ReadValuesField()

    data: dict[str, Any] = {}
    for definition in definition_of(form).fields:
        setattr(AnnualReturnForm, definition.code, _input_for(definition))
        if definition.allow_na:
            setattr(AnnualReturnForm, definition.code + NA_SUFFIX, BooleanField(_l("Not available")))
        setattr(AnnualReturnForm, definition.code + NOTE_SUFFIX,
                TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)], render_kw={"rows": 2}))
        value = values.get(definition.code)
        if value == NOT_AVAILABLE:
            data[definition.code + NA_SUFFIX] = True
        elif definition.type == FieldType.BOOLEAN and value is not None:
            data[definition.code] = "yes" if value else "no"
        elif definition.type == FieldType.DECIMAL and value is not None:
            data[definition.code] = Decimal(str(value))
        else:
            data[definition.code] = value
        data[definition.code + NOTE_SUFFIX] = notes.get(definition.code, "")
    wtform = AnnualReturnForm(formdata=formdata, data=data)
    if version is not None:
        shown, shown_notes = submitted_values(form, AnnualReturnForm(formdata=None, data=data))
        wtform.version.data = str(version)
        wtform.read_values.data = {"values": shown, "notes": shown_notes}
    return wtform


def read_state(wtform: FlaskForm) -> ReadState:
    """The version and values a posted return form was read at; BadVersion (400) when missing or forged."""
    version = posted_version(wtform.version)
    read = posted_read_values(wtform.read_values)
    if read is None or version is None:
        return ReadState(version or 0, None, None)
    values, notes = read.get("values"), read.get("notes", {})
    if not isinstance(values, dict) or not isinstance(notes, dict):
        raise missing_version()
    return ReadState(version, values, {str(code): str(note) for code, note in notes.items()})


def keep_typed(fresh: FlaskForm, typed: FlaskForm, form: ReturnForm, read: ReadState) -> FlaskForm:
    """The conflict page's form: the stored values, with what the user changed since reading kept as typed."""
    values, notes = submitted_values(form, typed)
    read_values, read_notes = read.values or {}, read.notes or {}
    for definition in definition_of(form).fields:
        names = []
        if read.values is None or values.get(definition.code) != read_values.get(definition.code):
            names += [definition.code, *([definition.code + NA_SUFFIX] if definition.allow_na else [])]
        if read.notes is None or notes.get(definition.code) != read_notes.get(definition.code, ""):
            names.append(definition.code + NOTE_SUFFIX)
        for name in names:
            fresh[name].data = typed[name].data
            fresh[name].raw_data = typed[name].raw_data
    return fresh


def submitted_values(form: ReturnForm, wtform: FlaskForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed values as the save operation takes them ("NA", numbers, booleans, text, None for blank)."""
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for definition in definition_of(form).fields:
        field = wtform[definition.code]
        if definition.allow_na and wtform[definition.code + NA_SUFFIX].data:
            values[definition.code] = NOT_AVAILABLE
        elif definition.type == FieldType.BOOLEAN:
            values[definition.code] = {"yes": True, "no": False}.get(field.data)
        elif definition.type == FieldType.DECIMAL:
            values[definition.code] = None if field.data is None else str(field.data)
        else:
            values[definition.code] = field.data if field.data not in ("",) else None
        notes[definition.code] = (wtform[definition.code + NOTE_SUFFIX].data or "").strip()
    return values, notes


class ReviewForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the library"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


class YearForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[SelectChoice("", "—")] + [
        SelectChoice(key, label) for key, label in STATUS_LABELS.items() if key != "not_started"])


class UploadForm(FlaskForm):
    file = FileField(_l("Filled-in template (XLSX, at most 5 MB)"), validators=[FileRequired()])


class ConfirmUploadForm(FlaskForm):
    """The preview's changes, and the version and values of the return the preview was made against."""

    values = HiddenField()
    version = VersionField()
    read_values = ReadValuesField()
