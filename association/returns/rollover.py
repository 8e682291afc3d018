"""/returns/<year>/definition/edit: the coordinator rolls a year's form forward in the browser — edit the
definition (dates, fields and rules added, retired or relabelled), preview what changes, then publish it (a new
revision when returns were submitted on the current one: a form in use never changes under them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length

from association.core.errors import DomainError, ValidationFailed
from association.core.models import localized
from association.core.permissions import STAFF, access
from association.extensions import db
from association.returns import operations
from association.returns.definitions import build_form, form_definition
from association.returns.formcache import definition_of

bp = Blueprint("rollover", __name__)

MAX_DEFINITION = 500_000


class DefinitionForm(FlaskForm):
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    definition = TextAreaField(_l("Fields, sections and rules (YAML)"),
                               validators=[DataRequired(), Length(max=MAX_DEFINITION)], render_kw={"rows": 30})


def definition_changes(current: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """What publishing `new` would change against `current`: dates, fields and rules added, retired, relabelled."""
    def by_code(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {str(item.get("code")): item for item in items or []}

    old_fields, new_fields = by_code(current.get("fields", [])), by_code(new.get("fields", []))
    old_rules, new_rules = by_code(current.get("rules", [])), by_code(new.get("rules", []))
    return {
        "dates": [f"{name}: {current.get(name)} → {new.get(name)}" for name in ("opens_on", "due_on")
                  if str(current.get(name)) != str(new.get(name))],
        "fields_added": [code for code in new_fields if code not in old_fields],
        "fields_retired": [code for code in old_fields if code not in new_fields],
        "fields_relabelled": [f"{code}: {localized(old_fields[code].get('label'))} → "
                              f"{localized(new_fields[code].get('label'))}"
                              for code in new_fields if code in old_fields
                              and old_fields[code].get("label") != new_fields[code].get("label")],
        "fields_changed": [code for code in new_fields if code in old_fields
                           and {k: v for k, v in old_fields[code].items() if k != "label"}
                           != {k: v for k, v in new_fields[code].items() if k != "label"}],
        "rules_added": [code for code in new_rules if code not in old_rules],
        "rules_retired": [code for code in old_rules if code not in new_rules],
        "rules_changed": [code for code in new_rules if code in old_rules and old_rules[code] != new_rules[code]],
    }


def _editable_text(definition: dict[str, Any]) -> str:
    body = {key: value for key, value in definition.items() if key not in ("year", "opens_on", "due_on")}
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def _submitted_definition(year: int, form: DefinitionForm) -> dict[str, Any]:
    try:
        body = yaml.safe_load(form.definition.data or "")
    except yaml.YAMLError as problem:
        raise ValidationFailed(_("The definition is not valid YAML."), {"definition": [str(problem)[:300]]}) from None
    if not isinstance(body, dict):
        raise ValidationFailed(_("The definition is not valid YAML."), {"definition": [_("Not a form definition.")]})
    opens_on: date = form.opens_on.data
    due_on: date = form.due_on.data
    if opens_on > due_on:
        raise ValidationFailed(_("The return is due before it opens."), {"due_on": [_("On or after the opening.")]})
    return {**body, "year": year, "opens_on": opens_on, "due_on": due_on}


def _current_definition(year: int) -> tuple[Any, dict[str, Any]]:
    current = operations.form_for_year(year)
    definition = definition_of(current)
    return current, form_definition(current, definition.fields, definition.rules)


@bp.route("/returns/<int:year>/definition/edit", methods=["GET", "POST"])
@access(STAFF)
def definition_edit(year: int):
    """Edit a year's form in the browser: "preview" shows what would change, "publish" loads it."""
    from flask import request

    current, definition = _current_definition(year)
    form = DefinitionForm()
    changes = None
    status = 200
    if request.method == "GET":
        form.opens_on.data, form.due_on.data = current.opens_on, current.due_on
        form.definition.data = _editable_text(definition)
    elif form.validate_on_submit():
        try:
            submitted = _submitted_definition(year, form)
            build_form(submitted)  # every check the publication makes, nothing written
            changes = definition_changes(definition, submitted)
            if request.form.get("action") == "publish":
                loaded, replaced = operations.load_definition(submitted, current_user)
                db.session.commit()
                flash(_("Form %(year)d revision %(revision)d published.", year=loaded.year,
                        revision=loaded.revision), "info")
                return redirect(url_for("returns.returns_overview", year=year))
        except DomainError as refused:
            db.session.rollback()
            for name, messages in refused.errors.items():
                field = form._fields.get(name)
                (field.errors if field is not None else form.form_errors).extend(
                    messages if field is not None else [f"{name}: {' '.join(messages)}"])
            form.form_errors.insert(0, refused.detail)
            changes, status = None, refused.status
    else:
        status = 400
    return render_template("returns/definition_edit.html", year=year, current=current, form=form,
                           changes=changes), status
