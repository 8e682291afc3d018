"""`flask seed synthetic --scale N` makes N × the real size, deterministically."""

import sqlalchemy as sa

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn
from association.roadmap.models import RoadmapTask, TaskHistory


def snapshot(app):
    with app.app_context():
        return (db.session.scalar(sa.select(sa.func.count(MemberLibrary.id))),
                db.session.scalar(sa.select(sa.func.count(RoadmapTask.id))),
                db.session.scalar(sa.select(sa.func.count(TaskHistory.id))),
                db.session.scalar(sa.select(sa.func.count(AnnualReturn.id))),
                db.session.scalar(sa.select(sa.func.sum(RoadmapTask.progress_percent))))


def test_scale_one(app):
    result = app.test_cli_runner().invoke(args=["seed", "synthetic", "--scale", "1"])
    assert result.exit_code == 0, result.output
    libraries, tasks, history, returns, progress_sum = snapshot(app)
    assert (libraries, tasks) == (120, 35)
    assert history == 35 * 12 and returns == 92 * 4  # the forms of 2022–2025


def test_scale_two(app):
    result = app.test_cli_runner().invoke(args=["seed", "synthetic", "--scale", "2", "--seed", "7"])
    assert result.exit_code == 0, result.output
    libraries, tasks, history, returns, _progress = snapshot(app)
    assert (libraries, tasks, history, returns) == (240, 70, 70 * 12, 212 * 4)
