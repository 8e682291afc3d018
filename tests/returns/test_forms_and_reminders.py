"""Forms as data (load, revise, copy, close) and `flask returns remind` over real SMTP."""

from datetime import date

import sqlalchemy as sa
import yaml

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnReminder
from association.returns.reminders import send_reminders
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.returns.test_api import GOOD, library_id, url
from tests.roadmap.test_notifications import body_of, inbox  # noqa: F401  (the SMTP fixture)


def coordinator_headers(app, client):
    account = make_user(app, Role.COORDINATOR)
    return api_token(client, account.email, account.password)


def definition(app, client, headers, year=2024):
    response = client.get(f"/api/v1/forms/{year}/definition", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    return yaml.safe_load(response.get_data(as_text=True))


def test_adding_a_field_needs_no_code_and_no_migration(app, client):
    headers = coordinator_headers(app, client)
    data = definition(app, client, headers)
    data["fields"].append({"code": "makerspace_visits", "section": "use", "type": "integer", "required": False,
                           "min": 0, "max": None, "allow_na": True, "unit": "count", "period": "activity",
                           "label": {"kk": "Мейкерспейс", "ru": "Мейкерспейс", "en": "Makerspace visits"},
                           "help": {"kk": "", "ru": "", "en": ""}, "choices": None})
    payload = {"definition": {**data, "opens_on": str(data["opens_on"]), "due_on": str(data["due_on"])}}
    response = client.put("/api/v1/forms/2024/definition", json=payload, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert "makerspace_visits" in {f["code"] for f in response.get_json()["fields"]}
    rep = api_token(client, *(lambda a: (a.email, a.password))(make_user(app, Role.LIBRARY_REP, library="NU")))
    nu = library_id(app, "NU")
    saved = client.put(url(nu), json={"values": {**GOOD, "makerspace_visits": 1200}}, headers=rep)
    assert saved.status_code == 200 and saved.get_json()["values"]["makerspace_visits"] == 1200


def test_a_form_in_use_gets_a_new_revision(app, client):
    headers = coordinator_headers(app, client)
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = api_token(client, rep_account.email, rep_account.password)
    nu = library_id(app, "NU")
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    client.post(url(nu, action="submit"), headers=rep)
    data = definition(app, client, headers)
    data["fields"] = [f for f in data["fields"] if f["code"] != "programme_comment"]
    payload = {"definition": {**data, "opens_on": str(data["opens_on"]), "due_on": str(data["due_on"])}}
    response = client.put("/api/v1/forms/2024/definition", json=payload, headers=headers)
    assert response.get_json()["revision"] == 2
    with app.app_context():
        submitted = db.session.scalars(sa.select(AnnualReturn).where(AnnualReturn.library_id == nu)).one()
        first = db.session.scalars(sa.select(ReturnForm).where(ReturnForm.year == 2024, ReturnForm.revision == 1)).one()
        assert submitted.form_id == first.id  # the submitted return keeps the form it was submitted on


def test_bad_definitions_are_refused_with_reasons(app, client):
    headers = coordinator_headers(app, client)
    data = definition(app, client, headers)
    base = {**data, "opens_on": str(data["opens_on"]), "due_on": str(data["due_on"])}
    bad_rule = {**base, "rules": base["rules"] + [{"code": "evil", "kind": "expression", "severity": "error",
                                                   "expression": "__import__('os') == 1", "message": {}}]}
    for payload, field in [
        ({**base, "fields": "nope"}, "fields"), (bad_rule, "evil"), ({**base, "year": 2023}, "year"),
        ({**base, "due_on": "yesterday"}, "due_on"),
    ]:
        response = client.put("/api/v1/forms/2024/definition", json={"definition": payload}, headers=headers)
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["errors"]


def test_copy_a_form_to_the_next_year(app, client):
    headers = coordinator_headers(app, client)
    response = client.post("/api/v1/forms/2025/copy", json={"to_year": 2026}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["year"], body["opens_on"], body["due_on"], len(body["fields"])) == (2026, "2027-01-01", "2027-02-15", 53)
    assert client.post("/api/v1/forms/2024/copy", json={"to_year": 2025}, headers=headers).status_code == 422
    rep = api_token(client, *(lambda a: (a.email, a.password))(make_user(app, Role.LIBRARY_REP, library="NU")))
    assert client.post("/api/v1/forms/2024/copy", json={"to_year": 2026}, headers=rep).status_code == 403


def test_close_and_reopen_a_year(app, client):
    headers = coordinator_headers(app, client)
    assert client.put("/api/v1/forms/2024/closed", json={"closed": True}, headers=headers).get_json()["closed"] is True
    assert client.put("/api/v1/forms/2024/closed", json={"closed": True}, headers=headers).status_code == 409
    assert client.put("/api/v1/forms/2024/closed", json={"closed": False}, headers=headers).get_json()["closed"] is False


def test_flask_forms_load(app, tmp_path):
    source = tmp_path / "form-2030.yaml"
    with open(f"{app.root_path}/seed_data/form-2024.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["year"], data["opens_on"], data["due_on"] = 2030, date(2031, 1, 1), date(2031, 2, 15)
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forms", "load", str(source)])
    assert result.exit_code == 0, result.output
    assert "Form 2030 revision 1 loaded with 53 fields and 16 rules" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("year: [unclosed", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["forms", "load", str(broken)]).exit_code == 1


def test_reminders_go_once_a_day_to_libraries_that_have_not_submitted(app, client, inbox):  # noqa: F811
    rep_nu = make_user(app, Role.LIBRARY_REP, library="NU", locale="kk")
    make_user(app, Role.LIBRARY_REP, library="ENU")
    rep = api_token(client, rep_nu.email, rep_nu.password)
    nu = library_id(app, "NU")
    client.put(url(nu), json={"values": GOOD}, headers=rep)
    client.post(url(nu, action="submit"), headers=rep)
    today = date(2025, 2, 5)  # the 2024 form is due on 2025-02-15: within 14 days; 2022 and 2023 are overdue
    with app.app_context():
        reminders, failed = send_reminders(today=today)
        db.session.commit()
        assert failed == []
        codes = {r.library.code: [year for year, _d, _s in r.years] for r in reminders}
    assert codes == {"NU": [2022, 2023], "ENU": [2022, 2023, 2024]}  # NU submitted 2024: nothing about it
    assert len(inbox) == 2
    nu_mail = next(m for m in inbox if m["To"] == rep_nu.email)
    assert "2023" in body_of(nu_mail) and "/libraries/NU/returns/2023" in body_of(nu_mail)
    with app.app_context():
        again, _failed = send_reminders(today=today)
        assert again == []  # not twice in a day
        assert db.session.scalar(sa.select(sa.func.count(ReturnReminder.id))) == 5
        assert send_reminders(dry_run=True, today=date(2025, 2, 6))[0]


def test_nothing_is_due_before_the_window(app, inbox):  # noqa: F811
    make_user(app, Role.LIBRARY_REP, library="NU")
    with app.app_context():
        assert send_reminders(today=date(2022, 6, 1)) == ([], [])


def test_remind_cli_dry_run(app):
    make_user(app, Role.LIBRARY_REP, library="NU")
    result = app.test_cli_runner().invoke(args=["returns", "remind", "--dry-run"])
    assert result.exit_code == 0
    assert "NU: 2022, 2023, 2024" in result.output and "would be sent" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReturnReminder.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(MemberLibrary.id))) == 28
