"""A return's numbers are bounded by what storage keeps exactly (422 naming the field, nothing saved), and its pages
never crash on a number that is already stored, however large."""

import pytest
import sqlalchemy as sa

from association.extensions import db
from association.returns.models import AnnualReturn
from association.users.models import Role
from tests.conftest import headers_for, login
from tests.factories import make_user
from tests.returns.test_api import GOOD, library_id, url


@pytest.mark.parametrize(("code", "value"), [
    ("area_total_m2", 1e308), ("area_total_m2", "1e308"), ("area_total_m2", -1e300), ("area_total_m2", 100000000000),
    ("students_fte", 1e308), ("students_fte", 10**20), ("students_fte", "9" * 400), ("students_fte", -(10**16)),
])
def test_a_number_beyond_the_storage_bound_is_refused_naming_the_field(app, client, code, value):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(url(nu), json={"values": GOOD}, headers=rep).status_code == 200
    response = client.put(url(nu), json={"values": {code: value}}, headers=rep)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == [code]
    assert client.get(url(nu), headers=rep).get_json()["values"][code] == GOOD[code]


def test_numbers_within_the_bound_are_kept_exactly(app, client):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    values = {**GOOD, "area_total_m2": 99999999999.9999, "students_fte": 999999999999999}
    assert client.put(url(nu), json={"values": values}, headers=rep).status_code == 200
    stored = client.get(url(nu), headers=rep).get_json()["values"]
    assert (stored["area_total_m2"], stored["students_fte"]) == (99999999999.9999, 999999999999999)


def test_pages_do_not_crash_on_a_stored_huge_number(app, client):
    nu = library_id(app, "NU")
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    assert client.put(url(nu), json={"values": GOOD}, headers=rep).status_code == 200
    with app.app_context():  # what an older version let through
        record = db.session.scalar(sa.select(AnnualReturn).where(AnnualReturn.library_id == nu))
        record.values = {**record.values, "area_total_m2": 1e308, "students_fte": 10**308, "staff_total": -1e308}
        db.session.commit()
    coordinator = make_user(app, Role.COORDINATOR)
    login(client, coordinator.email, coordinator.password)
    for path in ("/libraries/NU/returns/2024", "/libraries/NU", "/returns?year=2024",
                 "/libraries/NU/returns/2024/template.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert client.get(url(nu), headers=rep).status_code == 200
    assert client.get("/api/v1/exports/returns?format=csv&year=2024").status_code == 200
