"""paginate: one statement for a page and its total (the count rides along as a window function), the same
answers as counting apart: on the first page, the last one, one past the end, and for a filter matching nothing."""

import pytest
import sqlalchemy as sa

from association.core.pagination import paginate
from association.libraries.models import MemberLibrary
from association.roadmap.models import RoadmapTask
from association.roadmap.queries import task_query
from tests.querycount import count_queries


def _codes(query: sa.Select) -> list[str]:
    from association.extensions import db

    return [task.code for task in db.session.scalars(query)]


@pytest.mark.parametrize(("page", "per_page"), [(1, 10), (4, 10), (2, 34), (5, 10), (99, 10), (1, 200)])
def test_a_page_and_its_total_match_counting_apart(app, ctx, page, per_page):
    everything = _codes(task_query({}))
    with count_queries(app) as statements:
        items, total = paginate(task_query({}), page, per_page)
    assert total == len(everything) == 35
    assert [task.code for task in items] == everything[(page - 1) * per_page: page * per_page]
    assert len(statements) == (1 if items or page == 1 else 2)


def test_nothing_matching_is_an_empty_first_page(app, ctx):
    with count_queries(app) as statements:
        assert paginate(task_query({"q": "no such task anywhere"}), 1, 50) == ([], 0)
    assert len(statements) == 1


def test_eager_loaded_relations_do_not_change_the_count(app, ctx):
    from association.extensions import db
    from association.libraries.queries import library_query

    libraries = db.session.scalar(sa.select(sa.func.count()).select_from(MemberLibrary))
    items, total = paginate(library_query({}), 1, 5)
    assert total == libraries and len(items) == 5 and all(library.region is not None for library in items)
    assert isinstance(items[0], MemberLibrary)
    assert paginate(sa.select(RoadmapTask).where(RoadmapTask.id < 0), 3, 5) == ([], 0)
