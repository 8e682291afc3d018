"""Forms of the account page and of the users admin page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("kk", "Қазақша"), SelectChoice("ru", "Русский"), SelectChoice("en", "English")])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=12, max=128)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=100)])


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    roles = SelectMultipleField(_l("Roles"), validators=[DataRequired()])
    committee = SelectField(_l("Committee"), validators=[Optional()])
    chair = BooleanField(_l("Chair of the committee"))
    library = SelectField(_l("Library represented"), validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=12, max=128)])


class UserEditForm(FlaskForm):
    """An admin's edit of an account; `version` is the user's version when the form was read."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=[SelectChoice("", "—"), SelectChoice("kk", "Қазақша"),
                                                  SelectChoice("ru", "Русский"), SelectChoice("en", "English")])
    roles = SelectMultipleField(_l("Roles"))
    committees = SelectMultipleField(_l("Committees"))
    chairs = SelectMultipleField(_l("Chair of"))
    library = SelectField(_l("Library represented"), validators=[Optional()])
    version = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=12, max=128)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))])


class VersionForm(FlaskForm):
    """The buttons of the user page (deactivate, reactivate, reset, unlock): the CSRF token is all they carry."""
