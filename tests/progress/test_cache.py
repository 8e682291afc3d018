"""The programme figures are cached between requests and recomputed as soon as the data under them changes:
through the ORM, through a DML statement, in another process, or after a `flask data load`; never from a
transaction that may still roll back."""

from datetime import date

import pytest
import sqlalchemy as sa

from association import create_app
from association.audit.models import AuditEvent
from association.extensions import db
from association.libraries.models import LibraryProgress, MeasureStatus, MemberLibrary
from association.progress.cache import current_generation
from association.progress.queries import overall_percents, programme_summary
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role
from tests.conftest import headers_for
from tests.querycount import count_queries


def done_tasks() -> int:
    return programme_summary().tasks["by_status"]["done"]


def task(code: str) -> RoadmapTask:
    return db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == code)).one()


def test_a_second_read_costs_one_query_and_gives_the_same_figures(app, ctx):
    first = programme_summary()
    db.session.commit()  # a new transaction, as a new request would have
    with count_queries(app) as statements:
        second = programme_summary()
        again = programme_summary()  # the same transaction reads the generation once
    assert len(statements) == 1 and "figure_generation" in statements[0]
    assert second is first and again is first


def test_the_key_holds_year_language_and_day(app, ctx):
    assert programme_summary(2022).year == 2022 and programme_summary().year is None
    assert programme_summary(today=date(2030, 1, 1)).tasks["overdue"] > programme_summary(
        today=date(2000, 1, 1)).tasks["overdue"]
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("ru"):
            russian = programme_summary().regions[0]["name"]
        with force_locale("en"):
            english = programme_summary().regions[0]["name"]
    assert russian != english


def test_a_committed_orm_change_is_seen_at_once(ctx):
    before = done_tasks()
    generation = current_generation()
    task("1.1").status = TaskStatus.DONE
    db.session.commit()
    assert current_generation() != generation
    assert done_tasks() == before + 1


def test_a_committed_dml_statement_is_seen_at_once(ctx):
    before = done_tasks()
    db.session.execute(sa.update(RoadmapTask).where(RoadmapTask.code.in_(["1.1", "1.2"])).values(status="done"))
    db.session.commit()
    assert done_tasks() == before + 2


def test_library_progress_changes_the_library_figures(ctx):
    library = db.session.scalars(sa.select(MemberLibrary).where(MemberLibrary.code == "NU")).one()

    def nu_percent() -> int:
        return next(row["overall_percent"] for row in programme_summary().libraries if row["code"] == "NU")

    assert nu_percent() == 0 and overall_percents([library.id]) == {library.id: 0}
    db.session.add(LibraryProgress(library_id=library.id, task_id=task("1.5").id, status=MeasureStatus.DONE))
    db.session.commit()
    assert nu_percent() > 0
    assert overall_percents([library.id]) == {library.id: nu_percent()}  # the library list's figure too


def test_an_uncommitted_change_is_computed_but_never_cached(app, ctx):
    before = done_tasks()
    task("1.1").status = TaskStatus.DONE
    db.session.flush()
    assert done_tasks() == before + 1  # the session sees its own change...
    db.session.rollback()
    assert done_tasks() == before  # ...and, rolled back, it left nothing behind in the cache
    with count_queries(app) as statements:
        done_tasks()
    assert statements == []  # and the cache serves again once the transaction is clean


def test_writes_to_other_tables_keep_the_cache(app, ctx):
    programme_summary()
    generation = current_generation()
    from association.users.operations import create_user

    create_user("cache.reader@example.org", "Reader", "tulip steppe archive 42", [Role.OBSERVER])
    db.session.commit()
    assert current_generation() == generation


def test_progress_api_serves_cached_json_and_sees_a_task_update(app, client):
    coordinator = headers_for(app, client, Role.COORDINATOR)
    first = client.get("/api/v1/progress", headers=coordinator)
    with count_queries(app) as statements:
        again = client.get("/api/v1/progress", headers=coordinator)
    assert again.get_json() == first.get_json()
    assert any("figure_generation" in s for s in statements)
    assert not any("library_progress" in s for s in statements)  # nothing recomputed
    with app.app_context():
        task_id = task("1.1").id
    etag = client.get(f"/api/v1/tasks/{task_id}", headers=coordinator).headers["ETag"]
    for status in ("in_progress", "done"):
        response = client.patch(f"/api/v1/tasks/{task_id}", json={"status": status},
                                headers={**coordinator, "If-Match": etag})
        assert response.status_code == 200, response.get_json()
        etag = response.headers["ETag"]
    after = client.get("/api/v1/progress", headers=coordinator).get_json()
    assert after["tasks"]["by_status"]["done"] == first.get_json()["tasks"]["by_status"]["done"] + 1


@pytest.mark.real_commits
def test_a_change_committed_by_another_process_is_seen(app):
    """Two application instances on one database stand for two gunicorn workers: each has its own cache."""
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        last_audit_id = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        before = done_tasks()
        db.session.remove()
    try:
        with other.app_context():
            task("1.1").status = TaskStatus.DONE
            db.session.commit()
        with app.app_context():
            assert done_tasks() == before + 1
    finally:
        with other.app_context():
            task("1.1").status = TaskStatus.PLANNED
            db.session.commit()
            # The schema of the suite is made by create_all, without the migration's append-only trigger.
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id > last_audit_id))
            db.session.commit()
            db.engine.dispose()
        with app.app_context():
            assert done_tasks() == before


def test_every_table_the_figures_read_invalidates_them(app, ctx):
    """A figure computed from a table missing in FIGURE_SOURCES would be served stale after that table changed:
    every table named in the SQL of the cached computations must be a source."""
    import re

    from association.progress.cache import FIGURE_SOURCES
    from association.progress.queries import compute_programme_summary, library_figures

    with count_queries(app) as statements:
        compute_programme_summary(None, date.today())
        compute_programme_summary(2024, date.today())
        library_figures()
    read = {name for statement in statements
            for name in re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)", statement)}
    assert "library_progress" in read and "annual_returns" in read  # the parsing found the tables
    assert read <= FIGURE_SOURCES, read - FIGURE_SOURCES


def test_progress_pages_its_per_library_lists_and_keeps_the_totals(app, client):
    coordinator = headers_for(app, client, Role.COORDINATOR)
    whole = client.get("/api/v1/progress?per_page=200", headers=coordinator).get_json()
    total = whole["libraries_total"]
    assert total == len(whole["libraries"]) == len(whole["returns"]["items"]) == whole["returns"]["expected"] > 3
    pages = [client.get(f"/api/v1/progress?per_page=2&page={page}", headers=coordinator).get_json()
             for page in range(1, (total + 1) // 2 + 2)]
    assert [len(p["libraries"]) for p in pages[:-1]][-1] in (1, 2) and pages[-1]["libraries"] == []
    assert [row for p in pages for row in p["libraries"]] == whole["libraries"]
    assert [row for p in pages for row in p["returns"]["items"]] == whole["returns"]["items"]
    for part in ("tasks", "committees", "regions", "library_distribution", "programme"):
        assert all(p[part] == whole[part] for p in pages), part
    assert (pages[0]["page"], pages[0]["per_page"], pages[0]["libraries_total"]) == (1, 2, total)
    default = client.get("/api/v1/progress", headers=coordinator).get_json()
    assert (default["page"], default["per_page"]) == (1, 50)
    assert client.get("/api/v1/progress?per_page=201", headers=coordinator).status_code == 422
    assert client.get("/api/v1/progress?page=0", headers=coordinator).status_code == 422
