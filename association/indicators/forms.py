"""The peer-group form of the indicator pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class PeerGroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    libraries = TextAreaField(_l("Library codes, separated by spaces or commas"),
                              validators=[DataRequired(), Length(max=20000)])
