"""`seed --demo` shows a living Association: the 2022–2024 programme closed with its decisions, 2025–2027 active
with carried-over and new tasks, returns of every year; `seed` alone never adds any of it. A banner says "demo"."""

from __future__ import annotations

from collections import Counter

import flask_migrate
import sqlalchemy as sa

from association import PROJECT_ROOT, create_app
from association.extensions import db
from association.programme.models import Programme
from association.returns.models import AnnualReturn
from association.roadmap.models import CloseoutDecision, RoadmapTask
from association.seed.cli import DEMO_MARKER_FILE
from tests.conftest import empty_database, login

MIGRATIONS = str(PROJECT_ROOT / "migrations")


def test_seed_then_seed_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSOCIATION_INSTANCE_PATH", str(tmp_path / "instance"))
    with empty_database(tmp_path, "assoc_i16_demo") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS)
        runner = app.test_cli_runner()
        assert runner.invoke(args=["seed"]).exit_code == 0
        with app.app_context():
            assert db.session.execute(sa.select(Programme.code, Programme.status)).all() == [
                ("MODERNIZATION", "active")]
            assert db.session.scalar(sa.select(sa.func.count(AnnualReturn.id))) == 0
        assert not (tmp_path / "instance" / DEMO_MARKER_FILE).exists()

        result = runner.invoke(args=["seed", "--demo"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            statuses = dict(db.session.execute(sa.select(Programme.code, Programme.status)).all())
            assert {k: str(v) for k, v in statuses.items()} == {"MODERNIZATION": "closed", "P2025-2027": "active"}
            old = Counter(str(s) for s in db.session.scalars(
                sa.select(RoadmapTask.status).join(Programme).where(Programme.code == "MODERNIZATION")))
            assert old["carried_over"] > 0 and old["cancelled"] > 0 and old["done"] > 0
            assert sum(old.values()) == 35 and not {"planned", "in_progress", "blocked"} & set(old)
            actions = Counter(str(a) for a in db.session.scalars(sa.select(CloseoutDecision.action)))
            assert actions["carry_over"] == old["carried_over"] and actions["cancel"] == old["cancelled"]
            assert 0 < actions["done"] <= old["done"]  # the rest were done before the close-out
            new = db.session.scalars(sa.select(RoadmapTask).join(Programme).where(Programme.code == "P2025-2027")).all()
            assert sum(1 for t in new if t.carried_from_id) == old["carried_over"]
            assert sum(1 for t in new if not t.carried_from_id) >= 3
            assert {"planned", "in_progress", "done", "blocked"} <= {str(t.status) for t in new}
            by_year = Counter((year, str(status)) for year, status in db.session.execute(
                sa.select(AnnualReturn.year, AnnualReturn.status)))
            for year in (2022, 2023, 2024):
                assert by_year[(year, "accepted")] > 20
            assert by_year[(2025, "accepted")] > 0 and by_year[(2025, "submitted")] > 0
            assert by_year[(2025, "draft")] > 0 and by_year[(2025, "returned")] > 0
        assert (tmp_path / "instance" / DEMO_MARKER_FILE).exists()
        again = runner.invoke(args=["seed", "--demo"])
        assert again.exit_code == 0 and "Demo history added" not in again.output

        client = app.test_client()
        line = next(line for line in result.output.splitlines() if "coordinator@example.org" in line)
        login(client, *line.split()[:2])
        page = client.get("/").get_data(as_text=True)
        assert "demo-banner" in page and "2025–2027" in page
        assert "Close-out of" in client.get("/programmes/MODERNIZATION/closeout").get_data(as_text=True)
        (tmp_path / "instance" / DEMO_MARKER_FILE).unlink()
        assert "demo-banner" not in client.get("/").get_data(as_text=True)
        with app.app_context():
            db.engine.dispose()
