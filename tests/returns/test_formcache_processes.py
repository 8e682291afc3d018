"""The cached form definition (returns.formcache) is per process: what another process commits to a form must be
seen on the very next request. Two application instances on one database stand for two gunicorn workers (as in
tests/auth/test_identity_cache_processes.py); A first serves the return, so that its cache holds the definition,
then B changes the form, then A is asked again."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask

from association import create_app
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.seed.reference import load_reference_data
from association.users.models import Role
from tests.conftest import empty_database, headers_for


@pytest.fixture
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Flask]]:
    with empty_database(tmp_path_factory.mktemp("formcache"), "formcache") as url:
        first = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with first.app_context():
            db.create_all()
            load_reference_data()
            db.session.commit()
            nu = db.session.scalars(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU")).one()
        first.config["TEST_RETURN_URL"] = f"/api/v1/libraries/{nu}/returns/2024"
        second = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        try:
            yield first, second
        finally:
            for application in (first, second):
                with application.app_context():
                    db.session.remove()
                    db.engine.dispose()


def test_a_year_closed_in_another_process_refuses_the_next_save(instances):
    first, second = instances
    url = first.config["TEST_RETURN_URL"]
    a, b = first.test_client(), second.test_client()
    rep = headers_for(first, a, Role.LIBRARY_REP, library="NU")
    coordinator = headers_for(second, b, Role.COORDINATOR)
    assert a.put(url, json={"values": {"loans_total": 1}}, headers=rep).status_code == 200
    assert a.get(url, headers=rep).status_code == 200  # A holds the definition now
    assert b.put("/api/v1/forms/2024/closed", json={"closed": True}, headers=coordinator).status_code == 200
    assert a.put(url, json={"values": {"loans_total": 2}}, headers=rep).status_code == 409
    assert a.get("/api/v1/forms/2024", headers=rep).get_json()["closed"] is True


def test_a_definition_loaded_in_another_process_is_used_on_the_next_request(instances):
    first, second = instances
    url = first.config["TEST_RETURN_URL"]
    a, b = first.test_client(), second.test_client()
    rep = headers_for(first, a, Role.LIBRARY_REP, library="NU")
    coordinator = headers_for(second, b, Role.COORDINATOR)
    assert a.put(url, json={"values": {"loans_total": 1}}, headers=rep).status_code == 200
    before = a.get("/api/v1/forms/2024", headers=rep).get_json()
    text = b.get("/api/v1/forms/2024/definition", headers=coordinator).get_data(as_text=True)
    definition = json.loads(json.dumps(yaml.safe_load(text), default=str))  # dates as the API takes them
    definition["fields"] = [f for f in definition["fields"] if f["code"] != "loans_total"]
    definition["rules"] = [r for r in definition["rules"]
                           if "loans_total" not in (r.get("expression") or "") and r.get("field") != "loans_total"]
    loaded = b.put("/api/v1/forms/2024/definition", json={"definition": definition}, headers=coordinator)
    assert loaded.status_code == 200, loaded.get_json()
    after = a.get("/api/v1/forms/2024", headers=rep).get_json()
    assert "loans_total" in {f["code"] for f in before["fields"]}
    assert "loans_total" not in {f["code"] for f in after["fields"]}
    refused = a.put(url, json={"values": {"loans_total": 2}}, headers=rep)
    assert refused.status_code == 422 and "loans_total" in refused.get_json()["errors"]
