"""A client generated from /api/v1/openapi.json by a real generator (openapi-python-client, offline), used against a
live server: sign in, list tasks, read one with its ETag, PATCH it with If-Match, and see a stale If-Match refused."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from association import PROJECT_ROOT, create_app
from association.extensions import api, db
from association.seed.reference import load_reference_data
from association.users.operations import create_user
from tests.conftest import empty_database

PASSWORD = "generated client password"
PACKAGE = "association_api_client"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[tuple[str, object]]:
    with empty_database(tmp_path_factory.mktemp("db"), "assoc_client") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            flask_migrate.upgrade(directory=str(PROJECT_ROOT / "migrations"))
            load_reference_data()
            create_user("member@client.test", "Client Member", PASSWORD, [], committees=[("REG", False)])
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", app
        finally:
            server.shutdown()
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="module")
def generated(live_app, tmp_path_factory):
    """The client package, generated from the document the live app serves."""
    _, app = live_app
    folder = tmp_path_factory.mktemp("client")
    with app.app_context():
        import json

        (folder / "openapi.json").write_text(json.dumps(api.spec.to_dict()))
    scripts = sysconfig.get_paths()["scripts"]  # the generator runs ruff over its output: from the test virtualenv
    result = subprocess.run([str(Path(scripts) / "openapi-python-client"), "generate", "--path", "openapi.json",
                             "--meta", "none", "--output-path", PACKAGE], cwd=folder, capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"})
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_generated_client_signs_in_lists_tasks_and_patches_one_with_if_match(live_app, generated):
    base_url, _ = live_app
    token_api = importlib.import_module(f"{PACKAGE}.api.auth_api.post_api_v1_auth_token")
    list_api = importlib.import_module(f"{PACKAGE}.api.tasks_api.get_api_v1_tasks")
    get_api = importlib.import_module(f"{PACKAGE}.api.tasks_api.get_api_v1_tasks_task_id")
    patch_api = importlib.import_module(f"{PACKAGE}.api.tasks_api.patch_api_v1_tasks_task_id")
    models = importlib.import_module(f"{PACKAGE}.models")

    anonymous = generated.Client(base_url=base_url)
    token = token_api.sync(client=anonymous, body=models.TokenArgs(email="member@client.test", password=PASSWORD))
    assert isinstance(token, models.Token) and token.token.startswith("aul_")
    refused = token_api.sync(client=anonymous, body=models.TokenArgs(email="member@client.test", password="wrong"))
    assert isinstance(refused, models.Problem) and refused.status == 401

    client = generated.AuthenticatedClient(base_url=base_url, token=token.token)
    page = list_api.sync(client=client, committee="REG", per_page=100)
    assert isinstance(page, models.TaskPage) and page.total == len(page.items) > 0
    task = next(item for item in page.items if item.code == "1.2")

    read = get_api.sync_detailed(task_id=task.id, client=client)
    assert read.status_code == 200
    etag = read.headers["ETag"]
    assert etag == f'"task-{task.id}-v{read.parsed.version}"'

    body = models.TaskPatchWithDefinitionArgs(status=models.TaskPatchWithDefinitionArgsStatus.IN_PROGRESS,
                                              progress_percent=35, comment="Changed by the generated client")
    changed = patch_api.sync_detailed(task_id=task.id, client=client, body=body, if_match=etag)
    assert changed.status_code == 200, changed.content
    assert isinstance(changed.parsed, models.Task)
    assert changed.parsed.progress_percent == 35 and changed.parsed.version == read.parsed.version + 1
    assert changed.headers["ETag"] != etag

    stale = patch_api.sync_detailed(task_id=task.id, client=client, body=body, if_match=etag)
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem) and stale.parsed.status == 412
