"""Rolling next year's form forward from the HTML interface: copy, edit in the browser, preview, publish."""

from __future__ import annotations

import re

import yaml

from association.users.models import Role
from tests.conftest import csrf_token_from, headers_for, login
from tests.factories import make_user


def editor_page(client, year):
    page = client.get(f"/returns/{year}/definition/edit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    body = re.search(r"<textarea[^>]*>(.*?)</textarea>", text, re.S).group(1)
    import html

    return csrf_token_from(text), yaml.safe_load(html.unescape(body))


def test_copy_edit_preview_and_publish(app, client):
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    token = csrf_token_from(client.get("/returns?year=2025").get_data(as_text=True))
    assert client.post("/returns/2025/copy", data={"csrf_token": token}).status_code == 302
    token, definition = editor_page(client, 2026)
    definition["fields"] = [f for f in definition["fields"] if f["code"] != "seats_reading"]  # retire
    definition["fields"][0]["label"] = {"kk": "Жаңа", "ru": "Новое", "en": "Relabelled"}
    definition["fields"].append({**definition["fields"][1], "code": "ai_tools", "label": {
        "kk": "ЖИ құралдары", "ru": "Инструменты ИИ", "en": "AI tools in use"}, "required": False})
    data = {"csrf_token": token, "opens_on": "2027-01-10", "due_on": "2027-03-01",
            "definition": yaml.safe_dump(definition, allow_unicode=True)}
    refused = client.post("/returns/2026/definition/edit", data={**data, "action": "publish"})
    assert refused.status_code == 422 and "seats_with_pc_le_seats" in refused.get_data(as_text=True)  # names it
    definition["rules"] = [r for r in definition["rules"] if "seats_reading" not in str(r)]  # retire its rules
    data["definition"] = yaml.safe_dump(definition, allow_unicode=True)
    preview = client.post("/returns/2026/definition/edit", data={**data, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, re.findall(r"class=\"error\">([^<]*)", text)
    assert "ai_tools" in text and "seats_reading" in text and "Relabelled" in text
    headers = headers_for(app, client, Role.OBSERVER)
    assert client.get("/api/v1/forms/2026", headers=headers).get_json()["opens_on"] == "2027-01-01"  # not yet

    bad = client.post("/returns/2026/definition/edit", data={**data, "due_on": "2026-12-01", "action": "publish"})
    assert bad.status_code == 422
    broken = client.post("/returns/2026/definition/edit", data={**data, "definition": "fields: [", "action": "publish"})
    assert broken.status_code == 422 and "not valid YAML" in broken.get_data(as_text=True)
    assert client.get("/api/v1/forms/2026", headers=headers).get_json()["opens_on"] == "2027-01-01"

    assert client.post("/returns/2026/definition/edit", data={**data, "action": "publish"}).status_code == 302
    form = client.get("/api/v1/forms/2026", headers=headers).get_json()
    codes = [f["code"] for f in form["fields"]]
    assert (form["opens_on"], form["due_on"]) == ("2027-01-10", "2027-03-01")
    assert "ai_tools" in codes and "seats_reading" not in codes
    assert client.get("/api/v1/forms", headers=headers).get_json()["items"][-1]["year"] == 2026


def test_a_form_in_use_gets_a_new_revision(app, client):
    from tests.returns.test_api import GOOD

    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    with app.app_context():
        import sqlalchemy as sa

        from association.extensions import db
        from association.libraries.models import MemberLibrary

        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    assert client.put(f"/api/v1/libraries/{nu}/returns/2025", json={"values": GOOD}, headers=rep).status_code == 200
    assert client.post(f"/api/v1/libraries/{nu}/returns/2025/submit", headers=rep).status_code == 200
    account = make_user(app, Role.COORDINATOR)
    login(client, account.email, account.password)
    token, definition = editor_page(client, 2025)
    response = client.post("/returns/2025/definition/edit", data={
        "csrf_token": token, "opens_on": "2026-01-01", "due_on": "2026-03-01", "action": "publish",
        "definition": yaml.safe_dump(definition, allow_unicode=True)})
    assert response.status_code == 302
    observer = headers_for(app, client, Role.OBSERVER)
    assert client.get("/api/v1/forms/2025", headers=observer).get_json()["revision"] == 2
    body = client.get(f"/api/v1/libraries/{nu}/returns/2025", headers=rep).get_json()
    assert body["status"] == "submitted"


def test_only_the_coordinator_edits(app, client):
    account = make_user(app, Role.OBSERVER)
    login(client, account.email, account.password)
    assert client.get("/returns/2025/definition/edit").status_code == 403
