"""Every install path the README names serves Kazakh, Russian and English, without `make`: a copy of the committed
tree (no compiled catalogues, no virtualenv) installed with pip into a fresh virtualenv, then the app started from
another folder and its sign-in page read in each language. Offline: the new virtualenv sees the test virtualenv's
packages (a .pth line) and pip installs only the project itself (--no-deps --no-build-isolation)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from association import PROJECT_ROOT

# Run inside the installed copy: migrate an empty SQLite database, load the reference data, read /login.
CHECK = r"""
import json, sys
import flask_migrate
import association
from association import create_app, resource_root
from association.seed.reference import load_reference_data
from association.extensions import db
app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite:///" + sys.argv[1])
with app.app_context():
    flask_migrate.upgrade(directory=str(resource_root() / "migrations"))
    load_reference_data()
    db.session.commit()
client = app.test_client()
pages = {lang: client.get("/login", headers={"Accept-Language": lang}).get_data(as_text=True)
         for lang in ("kk", "ru", "en")}
css = client.get("/static/app.css").status_code
print(json.dumps({"package": association.__file__, "pages": pages, "css": css}))
"""


def clean_copy(target: Path) -> Path:
    """The files git tracks (and new ones not ignored), as a fresh clone would have them: no .mo, no .venv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not list(target.glob("association/translations/*/LC_MESSAGES/*.mo"))
    return target


def fresh_virtualenv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    # The test virtualenv's packages, after the new one's own (its editable link to this tree is not followed:
    # a directory named in a .pth file is added to the path, its own .pth files are not read).
    Path(site_packages, "test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def pip_install(python: Path, *args: str, cwd: Path) -> None:
    result = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", "install", "--no-deps",
                             "--no-build-isolation", "--no-index", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, "PIP_NO_INPUT": "1"})
    assert result.returncode == 0, result.stderr


def served_pages(python: Path, workdir: Path) -> dict:
    import json

    result = subprocess.run([str(python), "-c", CHECK, str(workdir / "check.sqlite3")], cwd=workdir,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_translated(served: dict) -> None:
    pages = served["pages"]
    assert 'lang="kk"' in pages["kk"] and "Кіру" in pages["kk"]
    assert 'lang="ru"' in pages["ru"] and "Войти" in pages["ru"]
    assert 'lang="en"' in pages["en"] and "Sign in" in pages["en"]
    assert served["css"] == 200


@pytest.mark.parametrize("editable", [False, True], ids=["pip install .", "pip install -e ."])
def test_an_install_without_make_serves_every_language(tmp_path, editable):
    clone = clean_copy(tmp_path / "clone")
    python = fresh_virtualenv(tmp_path / "venv")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    pip_install(python, *(["-e", "."] if editable else ["."]), cwd=clone)
    served = served_pages(python, workdir)
    assert_translated(served)
    package = Path(served["package"]).resolve()
    if editable:
        assert package.is_relative_to(clone.resolve())  # the clone itself, its catalogues compiled in place
        assert (clone / "association/translations/kk/LC_MESSAGES/messages.mo").is_file()
    else:
        assert package.is_relative_to((tmp_path / "venv").resolve())  # the installed copy, not the clone
        assert not list(clone.glob("association/translations/*/LC_MESSAGES/*.mo"))
