"""The indicators API (SPEC §5): shapes, groups, k = 5, the percentile and quartiles, and confidentiality per role."""

from __future__ import annotations

import statistics

import pytest

from association.extensions import db
from association.returns.models import AnnualReturn
from association.users.models import Role
from tests.conftest import headers_for
from tests.indicators.conftest import BASE_VALUES, library_id
from tests.querycount import count_queries

# Five libraries of Astana in the 2,000–4,999 band (NU among them), two more elsewhere in other bands.
BAND_PEERS = {"NU": 4000, "ENU": 3000, "AITU": 2500, "AMU": 4800, "MNU": 2000}
LOANS = {"NU": 30000, "ENU": 9000, "AITU": 20000, "AMU": 60000, "MNU": 5000}


def loans_per_user(code: str) -> float:
    return LOANS[code] / BASE_VALUES["users_registered"]


@pytest.fixture
def world(app, add_return):
    for code, students in BAND_PEERS.items():
        add_return(code, 2024, {**BASE_VALUES, "students_fte": students, "loans_total": LOANS[code]})
    add_return("KAZNU", 2024, {**BASE_VALUES, "students_fte": 20000, "loans_total": 1})
    add_return("KATU", 2024, {**BASE_VALUES, "students_fte": 1500, "users_registered": "NA"})
    add_return("NU", 2023, {**BASE_VALUES, "students_fte": 3900, "loans_total": 25000})
    return {code: library_id(app, code) for code in [*BAND_PEERS, "KAZNU", "KATU"]}


def line(body: dict, code: str) -> dict:
    return next(item for item in body["indicators"] if item["code"] == code)


def test_the_indicator_list(app, client):
    headers = headers_for(app, client, Role.COMMITTEE_MEMBER, committees=[("REG", False)])
    body = client.get("/api/v1/indicators", headers=headers).get_json()
    assert body["total"] >= 12
    item = next(i for i in body["items"] if i["code"] == "staff_trained_percent")
    assert {"id", "code", "name", "numerator", "denominator", "factor", "unit", "direction"} <= set(item)
    assert (item["numerator"], item["denominator"], item["factor"], item["direction"]) == (
        "staff_trained", "staff_total", 100, "higher")


def test_a_benchmark_by_size_band_with_its_statistics(app, client, world):
    headers = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    response = client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["library"], body["year"], body["group"]) == ("NU", 2024, "size")
    loans = line(body, "loans_per_user")
    assert loans["value"] == pytest.approx(loans_per_user("NU")) and loans["available"] is True
    peers = sorted(loans_per_user(code) for code in BAND_PEERS)
    q1, median, q3 = statistics.quantiles(peers, n=4, method="inclusive")
    assert loans["peers"] == pytest.approx({"count": 5, "median": median, "q1": q1, "q3": q3, "min": peers[0],
                                            "max": peers[-1]})
    # NU's 6.0 is the fourth of five values: position 3 of 0..4 -> the 75th percentile.
    assert loans["percentile"] == pytest.approx(75)
    assert statistics.quantiles(peers, n=100, method="inclusive")[74] == pytest.approx(loans["value"])


def test_fewer_than_five_available_values_show_no_distribution(app, client, world, add_return):
    headers = headers_for(app, client, Role.COORDINATOR)
    body = client.get(f"/api/v1/libraries/{world['KATU']}/benchmark?year=2024", headers=headers).get_json()
    # KATU is alone in its band, and its loans per user are not available.
    loans = line(body, "loans_per_user")
    assert loans == {"code": "loans_per_user", "value": None, "available": False, "provisional": False,
                     "peers": None, "percentile": None}
    # By region: Astana has six libraries with returns, but KATU's value is NA: five values remain.
    body = client.get(f"/api/v1/libraries/{world['KATU']}/benchmark?year=2024&group=region",
                      headers=headers).get_json()
    assert line(body, "loans_per_user")["peers"]["count"] == 5
    assert line(body, "visits_per_student")["peers"]["count"] == 6


def test_k_is_configurable(app, client, world):
    headers = headers_for(app, client, Role.COORDINATOR)
    app.config["INDICATOR_MIN_PEERS"] = 6
    try:
        body = client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024", headers=headers).get_json()
    finally:
        app.config["INDICATOR_MIN_PEERS"] = 5
    assert line(body, "loans_per_user")["peers"] is None and line(body, "loans_per_user")["percentile"] is None


def test_groups_by_type_and_with_a_value(app, client, world):
    headers = headers_for(app, client, Role.COORDINATOR)
    body = client.get(f"/api/v1/libraries/{world['AITU']}/benchmark?year=2024&group=type", headers=headers).get_json()
    assert body["group"] == "type"
    assert line(body, "loans_per_user")["peers"] is None  # state: AITU, AMU, KATU (NA) — too few
    body = client.get(f"/api/v1/libraries/{world['KAZNU']}/benchmark?year=2024&group=region:AST",
                      headers=headers).get_json()
    assert body["group"] == "region:AST"
    assert line(body, "loans_per_user")["peers"]["count"] == 5
    assert line(body, "loans_per_user")["percentile"] == 0  # 0.0002 loans per user: below every Astana value


@pytest.mark.parametrize("group", ["colour", "size:huge", "region:XXX", "999999", "type:", "-1"])
def test_an_unknown_group_is_a_422(app, client, world, group):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024&group={group}", headers=headers)
    assert response.status_code == 422
    assert "group" in response.get_json()["errors"]
    response = client.get(f"/api/v1/indicators/loans_per_user/values?year=2024&group={group}", headers=headers)
    assert response.status_code == 422


@pytest.mark.parametrize("query", ["year=1800", "year=abc", "include_submitted=maybe"])
def test_bad_query_arguments_are_422(app, client, world, query):
    headers = headers_for(app, client, Role.COORDINATOR)
    assert client.get(f"/api/v1/libraries/{world['NU']}/benchmark?{query}", headers=headers).status_code == 422


def test_named_values_for_the_coordinator(app, client, world):
    headers = headers_for(app, client, Role.OBSERVER)
    body = client.get("/api/v1/indicators/loans_per_user/values?year=2024", headers=headers).get_json()
    items = {item["library"]: item for item in body["items"]}
    assert set(items) == {*BAND_PEERS, "KAZNU", "KATU"}
    assert items["NU"]["value"] == pytest.approx(loans_per_user("NU")) and items["NU"]["available"] is True
    assert items["KATU"] == {**items["KATU"], "value": None, "available": False}
    body = client.get("/api/v1/indicators/loans_per_user/values?year=2024&group=size:2000_4999",
                      headers=headers).get_json()
    assert {item["library"] for item in body["items"]} == set(BAND_PEERS)
    body = client.get("/api/v1/indicators/loans_per_user/values?year=2024&group=size", headers=headers).get_json()
    assert {item["library"]: item["group"] for item in body["items"]}["KAZNU"] == "10000_plus"
    assert client.get("/api/v1/indicators/nothing/values?year=2024", headers=headers).status_code == 404


def test_submitted_returns_count_only_when_asked_and_are_marked(app, client, world, add_return):
    add_return("AITU", 2023, {**BASE_VALUES, "students_fte": 2600}, status="submitted")
    headers = headers_for(app, client, Role.COORDINATOR)
    url = "/api/v1/indicators/loans_per_user/values?year=2023"
    assert {i["library"] for i in client.get(url, headers=headers).get_json()["items"]} == {"NU"}
    items = {i["library"]: i for i in client.get(url + "&include_submitted=true", headers=headers).get_json()["items"]}
    assert items["AITU"]["provisional"] is True and items["NU"]["provisional"] is False


# Confidentiality, per role: who may read what.
@pytest.mark.parametrize(("roles", "kwargs", "own", "other", "named"), [
    ([Role.LIBRARY_REP], {"library": "NU"}, 200, 403, 403),
    ([Role.LIBRARY_REP], {"library": "ENU"}, 403, 200, 403),
    ([Role.COMMITTEE_MEMBER], {"committees": [("REG", True)]}, 403, 403, 403),
    ([Role.OBSERVER], {}, 200, 200, 200),
    ([Role.COORDINATOR], {}, 200, 200, 200),
    ([Role.ADMIN], {}, 200, 200, 200),
])
def test_confidentiality_per_role(app, client, world, roles, kwargs, own, other, named):
    headers = headers_for(app, client, *roles, **kwargs)
    assert client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024", headers=headers).status_code == own
    assert client.get(f"/api/v1/libraries/{world['ENU']}/benchmark?year=2024", headers=headers).status_code == other
    assert client.get("/api/v1/indicators/loans_per_user/values?year=2024",
                      headers=headers).status_code == named


def test_a_reps_benchmark_names_no_other_library(app, client, world):
    headers = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    text = client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024", headers=headers).get_data(as_text=True)
    assert all(code not in text for code in ("ENU", "AITU", "AMU", "MNU"))


def test_peer_groups_of_a_rep_and_of_the_coordinator(app, client, world):
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    other_rep = headers_for(app, client, Role.LIBRARY_REP, library="ENU")
    coordinator = headers_for(app, client, Role.COORDINATOR)
    response = client.post("/api/v1/peer-groups", headers=rep,
                           json={"name": "Our friends", "libraries": ["enu", "AITU", "AMU", "MNU", "NU"]})
    assert response.status_code == 201, response.get_json()
    mine = response.get_json()
    assert (mine["name"], mine["libraries"]) == ("Our friends", ["AITU", "AMU", "ENU", "MNU", "NU"])
    assert isinstance(mine["id"], int) and isinstance(mine["owner"], int)
    shared = client.post("/api/v1/peer-groups", headers=coordinator,
                         json={"name": "Big ones", "libraries": ["KAZNU", "NU"]}).get_json()

    assert {g["id"] for g in client.get("/api/v1/peer-groups", headers=rep).get_json()["items"]} >= {
        mine["id"], shared["id"]}
    assert mine["id"] not in {g["id"] for g in client.get("/api/v1/peer-groups", headers=other_rep).get_json()["items"]}

    # The rep benchmarks against their group: distributions only; the others' named values stay closed.
    body = client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024&group={mine['id']}",
                      headers=rep).get_json()
    assert body["group"] == mine["id"] and line(body, "loans_per_user")["peers"]["count"] == 5
    assert client.get(f"/api/v1/indicators/loans_per_user/values?year=2024&group={mine['id']}",
                      headers=rep).status_code == 403
    assert client.get(f"/api/v1/libraries/{world['ENU']}/benchmark?year=2024&group={mine['id']}",
                      headers=rep).status_code == 403
    # Another rep cannot use it (it is as good as unknown to them), nor delete it.
    assert client.get(f"/api/v1/libraries/{world['ENU']}/benchmark?year=2024&group={mine['id']}",
                      headers=other_rep).status_code == 422
    assert client.delete(f"/api/v1/peer-groups/{mine['id']}", headers=other_rep).status_code == 404
    assert client.delete(f"/api/v1/peer-groups/{shared['id']}", headers=rep).status_code == 403
    # The coordinator reads the rep's group by name.
    body = client.get(f"/api/v1/indicators/loans_per_user/values?year=2024&group={mine['id']}",
                      headers=coordinator).get_json()
    assert {item["library"] for item in body["items"]} == {"AITU", "AMU", "ENU", "MNU", "NU"}

    assert client.delete(f"/api/v1/peer-groups/{mine['id']}", headers=rep).status_code == 204
    assert client.get(f"/api/v1/libraries/{world['NU']}/benchmark?year=2024&group={mine['id']}",
                      headers=rep).status_code == 422
    assert client.delete(f"/api/v1/peer-groups/{shared['id']}", headers=coordinator).status_code == 204


@pytest.mark.parametrize("body", [
    {"name": "", "libraries": ["NU"]},
    {"name": "x", "libraries": []},
    {"name": "x", "libraries": ["NU", "NOPE"]},
    {"name": "x"},
    {"name": "x", "libraries": "NU"},
    {"name": "x" * 201, "libraries": ["NU"]},
])
def test_bad_peer_groups_are_refused_and_nothing_is_saved(app, client, body):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = client.post("/api/v1/peer-groups", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert client.get("/api/v1/peer-groups", headers=headers).get_json()["total"] == 0


def test_observers_and_committee_members_save_no_groups(app, client):
    for roles, kwargs in (([Role.OBSERVER], {}), ([Role.COMMITTEE_MEMBER], {"committees": [("REG", False)]})):
        headers = headers_for(app, client, *roles, **kwargs)
        assert client.post("/api/v1/peer-groups", headers=headers,
                           json={"name": "x", "libraries": ["NU"]}).status_code == 403


def test_the_values_follow_the_returns_through_the_cache(app, client, world):
    headers = headers_for(app, client, Role.COORDINATOR)
    url = f"/api/v1/libraries/{world['NU']}/benchmark?year=2024"
    assert line(client.get(url, headers=headers).get_json(), "loans_per_user")["value"] == pytest.approx(6)
    with app.app_context():
        annual_return = db.session.scalars(db.select(AnnualReturn).where(
            AnnualReturn.library_id == world["NU"], AnnualReturn.year == 2024)).one()
        annual_return.values = {**annual_return.values, "loans_total": 10000}
        db.session.commit()
    assert line(client.get(url, headers=headers).get_json(), "loans_per_user")["value"] == pytest.approx(2)


def test_query_counts_do_not_grow_with_the_libraries(app, client, world, add_return):
    headers = headers_for(app, client, Role.COORDINATOR)
    urls = (f"/api/v1/libraries/{world['NU']}/benchmark?year=2024", "/api/v1/indicators/loans_per_user/values",
            "/api/v1/peer-groups", "/api/v1/indicators")

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url, headers=headers)  # the first read after a change computes the table
            with count_queries(app) as statements:
                assert client.get(url, headers=headers).status_code == 200
            found.append(len(statements))
        return found

    client.post("/api/v1/peer-groups", headers=headers, json={"name": "f", "libraries": ["NU"]})
    few = counts()
    for code in ("KIMEP", "ALMAU", "ATU", "SDU", "ETU"):
        add_return(code, 2024, BASE_VALUES)
    client.post("/api/v1/peer-groups", headers=headers, json={"name": "g", "libraries": ["NU", "ENU"]})
    client.post("/api/v1/peer-groups", headers=headers, json={"name": "h", "libraries": ["KIMEP", "ENU"]})
    assert counts() == few
    assert max(few) <= 6


def test_changing_an_indicator_renews_the_cached_values(app, client, world):
    headers = headers_for(app, client, Role.COORDINATOR)
    url = f"/api/v1/libraries/{world['NU']}/benchmark?year=2024"
    assert line(client.get(url, headers=headers).get_json(), "staff_trained_percent")["value"] == pytest.approx(25)
    with app.app_context():
        from association.indicators.models import Indicator

        indicator = db.session.scalars(db.select(Indicator).where(Indicator.code == "staff_trained_percent")).one()
        indicator.factor = 1000
        db.session.commit()
    assert line(client.get(url, headers=headers).get_json(), "staff_trained_percent")["value"] == pytest.approx(250)


def test_a_benchmark_with_submitted_returns_marks_them(app, client, world, add_return):
    add_return("NU", 2022, {**BASE_VALUES}, status="submitted")
    headers = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    url = f"/api/v1/libraries/{world['NU']}/benchmark?year=2022"
    assert line(client.get(url, headers=headers).get_json(), "loans_per_user")["available"] is False
    body = client.get(url + "&include_submitted=true", headers=headers).get_json()
    assert line(body, "loans_per_user")["provisional"] is True and line(body, "loans_per_user")["value"] == 6


def test_without_any_accepted_return_the_benchmark_is_empty_not_an_error(app, client):
    headers = headers_for(app, client, Role.COORDINATOR)
    nu = library_id(app, "NU")
    with app.app_context():
        from association.returns.models import ReturnForm

        newest_form = db.session.scalar(db.select(db.func.max(ReturnForm.year)))
    body = client.get(f"/api/v1/libraries/{nu}/benchmark", headers=headers).get_json()
    assert body["year"] == newest_form and all(i["available"] is False and i["peers"] is None for i in body["indicators"])
    assert client.get("/api/v1/indicators/loans_per_user/values", headers=headers).get_json()["items"] == []
    assert client.get(f"/api/v1/libraries/{nu + 100000}/benchmark", headers=headers).status_code == 404
