"""The hot lists answer with plain serializers (issue 17) while their marshmallow schemas stay the documented shape:
what each list answers is exactly what its schema would have dumped, in every language, nulls and values alike."""

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from association.committees.queries import describe_committees
from association.committees.schemas import CommitteeSchema
from association.core.pagination import page_schema
from association.extensions import db
from association.libraries import queries as library_queries
from association.libraries.models import MemberLibrary
from association.libraries.schemas import LibrarySchema
from association.programme.queries import default_programme_id
from association.roadmap import queries as task_queries
from association.roadmap.models import RoadmapTask
from association.roadmap.schemas import TaskSchema
from association.users.models import Role
from tests.conftest import headers_for
from tests.factories import make_user


def as_json(document):
    return json.loads(json.dumps(document))


def schema_page(app, schema, items, total, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        return as_json(page_schema(schema)().dump({"items": items(), "total": total, "page": 1, "per_page": 200}))


@pytest.fixture
def varied_data(app):
    """A task with a target, an assignee and an evidence-free past due date; a library that left."""
    member = make_user(app, Role.COMMITTEE_MEMBER, committees=[("REG", False)])
    with app.app_context():
        first, second = db.session.scalars(sa.select(RoadmapTask).order_by(RoadmapTask.id).limit(2)).all()
        first.target_value, first.target_unit, first.assignee_id = Decimal("12.50"), "%", member.id
        second.due_date = date(2020, 1, 1)
        library = db.session.scalars(sa.select(MemberLibrary).order_by(MemberLibrary.code).limit(1)).one()
        library.left_on, library.website = date(2025, 6, 30), "https://example.org"
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "kk", "ru"])
def test_lists_answer_what_their_schemas_dump(app, client, varied_data, language):
    headers = {**headers_for(app, client, Role.OBSERVER), "Accept-Language": language}
    tasks = client.get("/api/v1/tasks?per_page=200", headers=headers).get_json()
    libraries = client.get("/api/v1/libraries?per_page=200", headers=headers).get_json()
    committees = client.get("/api/v1/committees?per_page=200", headers=headers).get_json()
    assert tasks["total"] > 0 and libraries["total"] > 0 and committees["total"] > 0

    def all_tasks():
        query = task_queries.task_query({"programme_id": default_programme_id()})
        return db.session.scalars(query).unique().all()

    def all_libraries():
        return library_queries.describe_libraries(db.session.scalars(library_queries.library_query({})).all())

    assert tasks == schema_page(app, TaskSchema, all_tasks, tasks["total"], language)
    assert libraries == schema_page(app, LibrarySchema, all_libraries, libraries["total"], language)
    assert committees == schema_page(app, CommitteeSchema, describe_committees, committees["total"], language)
    assert any(task["target_value"] == "12.50" and task["assignee"] for task in tasks["items"])
    assert any(library["left_on"] == "2025-06-30" for library in libraries["items"])
