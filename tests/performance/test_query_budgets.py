"""The SQL statements each key endpoint of the benchmark (bench/run) makes, exactly: a new query on a hot path
fails here first. That they do not grow with the data is asserted beside each domain's tests
(tests/roadmap/test_query_counts.py, tests/libraries, tests/returns)."""

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users.models import Role
from tests.conftest import headers_for, login
from tests.factories import make_user
from tests.querycount import count_queries
from tests.returns.test_api import GOOD

# endpoint: statements in a steady state (the figures cache filled by an earlier request)
BUDGETS = {
    "baseline /healthz": 1,
    "task list": 3,        # bearer; the programme; the page with its count (core.pagination)
    "task page": 7,        # session user (roles, memberships and their committees joined); task; history; watching;
                           # its comments, evidence files and approved documents
    "progress JSON": 1,    # bearer, with the figures generation read along (association.core.generations)
    "dashboard": 8,        # session user and figures generation; the programme; overdue and my tasks (one);
                           # my library;
                           # the to-do: open forms, returns, their reviews, tasks due soon
    "library list": 2,     # bearer and figures generation (the percents are cached figures); the page with its count
    "return GET": 6,       # bearer; library; return; form (fields, rules cached); last year's values; history with size
    "return PUT": 11,      # the same reads, then update, history insert, audit insert, figures generation
    "task PATCH": 6,       # bearer; task; update, history insert, audit insert, figures generation (answered as
                           # flushed: no read after the commit)
    "committees": 3,       # bearer; committees; their members' names (the programme and the task counts are
                           # cached figures)
    "library page": 10,    # session user and figures generation; library; the programme; measures; progress;
                           # representatives' names; membership changes; progress history; forms; returns
}


def statements(app, client, method, path, headers, body=None):
    for _attempt in range(2):  # the second request is the steady state
        with count_queries(app) as executed:
            response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code < 300, (path, response.status_code, response.get_data(as_text=True)[:300])
    return executed


def patches(app, client, headers):
    """The statements of a task PATCH (progress 40, then 41: the second is measured) sending the ETag it read."""
    etag = client.get("/api/v1/tasks/2", headers=headers).headers["ETag"]
    moved = client.patch("/api/v1/tasks/2", json={"status": "in_progress"}, headers={**headers, "If-Match": etag})
    assert moved.status_code == 200, moved.get_json()
    etag = moved.headers["ETag"]
    for percent in (40, 41):
        with count_queries(app) as executed:
            response = client.patch("/api/v1/tasks/2", json={"progress_percent": percent},
                                    headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.get_json()
        etag = response.headers["ETag"]
    return executed


def test_key_endpoints_stay_within_their_query_budgets(app, client):
    coordinator = headers_for(app, client, Role.COORDINATOR)
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    browser = app.test_client()
    member = make_user(app, Role.COMMITTEE_MEMBER, Role.LIBRARY_REP, committees=[("REG", False)], library="NU")
    login(browser, member.email, member.password)
    client.put(f"/api/v1/libraries/{nu}/returns/2024", json={"values": GOOD}, headers=rep)
    measured = {
        "baseline /healthz": statements(app, client, "GET", "/healthz", {}),
        "task list": statements(app, client, "GET", "/api/v1/tasks", coordinator),
        "task page": statements(app, browser, "GET", "/tasks/2", {}),
        "progress JSON": statements(app, client, "GET", "/api/v1/progress", coordinator),
        "dashboard": statements(app, browser, "GET", "/", {}),
        "library list": statements(app, client, "GET", "/api/v1/libraries", coordinator),
        "return GET": statements(app, client, "GET", f"/api/v1/libraries/{nu}/returns/2024", rep),
        "return PUT": statements(app, client, "PUT", f"/api/v1/libraries/{nu}/returns/2024", rep,
                                 {"values": {"loans_total": 5}}),
        "task PATCH": patches(app, client, coordinator),
        "committees": statements(app, client, "GET", "/api/v1/committees", coordinator),
        "library page": statements(app, browser, "GET", "/libraries/NU", {}),
    }
    counts = {name: len(executed) for name, executed in measured.items()}
    differences = {name: (counts[name], BUDGETS[name]) for name in counts if counts[name] != BUDGETS[name]}
    assert counts == BUDGETS, f"(made, budget): {differences}\n\n" + "\n\n".join(f"{name}:\n" + "\n".join(executed) for name, executed in measured.items()
                                          if counts[name] != BUDGETS[name])


def test_a_signed_in_request_reads_only_the_identity_generation(app, client):
    """Authentication is served from the identity cache (association.auth.identity): by token or by session, a
    signed-in request whose view reads nothing makes one statement, the generation, instead of loading the token
    or session with the user, roles, memberships and committees."""
    coordinator = make_user(app, Role.COORDINATOR, committees=[("REG", True)])
    token = headers_for(app, client, Role.COORDINATOR, committees=[("REG", False)])
    browser = app.test_client()
    login(browser, coordinator.email, coordinator.password)
    for caller, headers in ((client, token), (browser, {})):
        first = statements(app, caller, "GET", "/api/v1/me", headers)
        assert len(first) == 1 and "identity_generation" in first[0], first
        assert caller.get("/api/v1/me", headers=headers).get_json()["committees"][0]["code"] == "REG"
