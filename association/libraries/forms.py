"""Forms of the library registry, the library page and the measure updates."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from association.core.rules import MAX_COMMENT_LENGTH
from association.core.versions import ReadValuesField, VersionField
from association.libraries.labels import MEASURE_LABELS, MEMBERSHIP_LABELS, TYPE_LABELS


def choices(labels: dict, blank: bool = False) -> list[SelectChoice]:
    return ([SelectChoice("", "—")] if blank else []) + [SelectChoice(key, label) for key, label in labels.items()]


class LibraryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    region = SelectField(_l("Region"), validators=[Optional()])
    type = SelectField(_l("Type"), validators=[Optional()], choices=choices(TYPE_LABELS, blank=True))
    status = SelectField(_l("Membership"), validators=[Optional()], choices=choices(MEMBERSHIP_LABELS, blank=True))
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class ContactForm(FlaskForm):
    """The part of a library's profile its representative keeps up to date."""

    website = URLField(_l("Website"), validators=[Optional(), URL(), Length(max=500)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    version = VersionField()
    read_values = ReadValuesField()

    FIELDS: tuple[str, ...] = ("website", "email", "phone", "address")


class LibraryForm(ContactForm):
    """The whole profile, for the coordinator."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=300)])
    university = StringField(_l("University"), validators=[DataRequired(), Length(max=300)])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=100)])
    region = SelectField(_l("Region"), validators=[DataRequired()])
    type = SelectField(_l("Type"), validators=[DataRequired()], choices=choices(TYPE_LABELS))
    joined_on = DateField(_l("Member since"), validators=[Optional()])

    FIELDS: tuple[str, ...] = ("code", "name_kk", "name_ru", "name_en", "university", "city", "region", "type",
                               "joined_on", *ContactForm.FIELDS)


class MembershipForm(FlaskForm):
    status = SelectField(_l("Membership"), validators=[DataRequired()], choices=choices(MEMBERSHIP_LABELS))
    effective_on = DateField(_l("From"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


class MeasureForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[DataRequired()], choices=choices(MEASURE_LABELS))
    evidence_url = URLField(_l("Evidence link"), validators=[Optional(), URL(), Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
    version = VersionField()
    read_values = ReadValuesField()
