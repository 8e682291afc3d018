"""The close-out decision form and the programme switch."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from association.programme.labels import ACTION_LABELS


class DecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), validators=[DataRequired()],
                         choices=[SelectChoice(key, label) for key, label in ACTION_LABELS.items()])
    to_programme = SelectField(_l("To programme"), validators=[Optional()])
    due_date = DateField(_l("New due date (default: the programme's end)"), validators=[Optional()])
    comment = TextAreaField(_l("Reason or comment"), validators=[Optional(), Length(max=5000)])


class ProgrammeActionForm(FlaskForm):
    """A button that changes a programme (activate, start the close-out, close, switch to it)."""

    programme = HiddenField()
