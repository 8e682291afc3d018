"""The task update form and the task list filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional

from association.core.versions import ReadValuesField, VersionField
from association.roadmap.labels import TASK_STATUS_LABELS
from association.roadmap.operations import MAX_COMMENT_LENGTH


class TaskUpdateForm(FlaskForm):
    status = SelectField(_l("Status"))
    progress_percent = IntegerField(_l("Progress, %"), validators=[Optional(), NumberRange(min=0, max=100)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
    evidence_url = URLField(_l("Evidence link"), validators=[Optional(), URL(), Length(max=2000)])
    version = VersionField()
    read_values = ReadValuesField()

    def offer(self, current: str, targets: list[str]) -> None:
        """The status choices: keep the current one, or move to one the workflow allows this user."""
        self.status.choices = [SelectChoice(value, TASK_STATUS_LABELS[value]) for value in [current, *targets]]


class TaskFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    committee = SelectField(_l("Committee"), validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    overdue = SelectField(_l("Overdue"), validators=[Optional()],
                          choices=[SelectChoice("", "—"), SelectChoice("true", _l("Only overdue"))])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class TaskDefinitionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    committee = SelectField(_l("Committee"), validators=[DataRequired()])
    direction = SelectField(_l("Direction"), validators=[DataRequired()], coerce=int)
    title_kk = StringField(_l("Title (Kazakh)"), validators=[DataRequired(), Length(max=500)])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=500)])
    description_kk = TextAreaField(_l("Description (Kazakh)"), validators=[Optional(), Length(max=5000)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=5000)])
    planned_year = IntegerField(_l("Planned year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    due_date = DateField(_l("Due date"), validators=[DataRequired()])
    indicator_kk = StringField(_l("Indicator (Kazakh)"), validators=[Optional(), Length(max=1000)])
    indicator_ru = StringField(_l("Indicator (Russian)"), validators=[Optional(), Length(max=1000)])
    indicator_en = StringField(_l("Indicator (English)"), validators=[Optional(), Length(max=1000)])
    target_value = DecimalField(_l("Target value"), validators=[Optional(), NumberRange(min=0)], places=2)
    target_unit = StringField(_l("Target unit"), validators=[Optional(), Length(max=40)])
    library_level = BooleanField(_l("Library-level measure (every member library carries it out)"))
    version = HiddenField()

    LOCALIZED = ("description", "indicator")

    def definition(self) -> dict:
        """The form's values in the shape the create/edit operations take."""
        data = {name: self[name].data for name in ("code", "committee", "direction", "title_kk", "title_ru",
                                                    "title_en", "planned_year", "due_date", "target_value",
                                                    "library_level")}
        data["target_unit"] = self.target_unit.data or None
        for name in self.LOCALIZED:
            data[name] = {lang: self[f"{name}_{lang}"].data or "" for lang in ("kk", "ru", "en")}
        return data

    def fill_from(self, task) -> None:
        """Show a task's current definition."""
        for name in ("code", "title_kk", "title_ru", "title_en", "planned_year", "due_date", "target_value",
                     "target_unit", "library_level", "version"):
            self[name].data = getattr(task, name)
        self.committee.data = task.committee.code
        self.direction.data = task.direction.number
        for name, stored in (("description", task.descriptions), ("indicator", task.indicators)):
            for lang in ("kk", "ru", "en"):
                self[f"{name}_{lang}"].data = (stored or {}).get(lang, "")


class BulkUpdateForm(FlaskForm):
    """The chair's bulk form: each row's own status select (`status-<id>`, with `was-<id>` the status it showed),
    and the chosen rows (`task_ids`) moved to one status."""

    task_ids = SelectMultipleField(_l("Tasks"), coerce=int, validators=[Optional()])
    status = SelectField(_l("Move the chosen tasks to"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


class WatchForm(FlaskForm):
    """Watch or stop watching (the button says which)."""
