"""The task update form and the task list filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, URL, Length

from association.roadmap.labels import STATUS_LABELS
from association.roadmap.operations import MAX_COMMENT_LENGTH



class TaskUpdateForm(FlaskForm):
    status = SelectField(_l("Status"))
    progress_percent = IntegerField(_l("Progress, %"), validators=[Optional(), NumberRange(min=0, max=100)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
    evidence_url = URLField(_l("Evidence link"), validators=[Optional(), URL(), Length(max=2000)])
    version = HiddenField()

    def offer(self, current: str, targets: list[str]) -> None:
        """The status choices: keep the current one, or move to one the workflow allows this user."""
        self.status.choices = [SelectChoice(value, STATUS_LABELS[value]) for value in [current, *targets]]


class TaskFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    committee = SelectField(_l("Committee"), validators=[Optional()])
    year = SelectField(_l("Year"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])
    overdue = SelectField(_l("Overdue"), validators=[Optional()],
                          choices=[SelectChoice("", "—"), SelectChoice("true", _l("Only overdue"))])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
