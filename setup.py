"""The build step that makes an installed copy whole (`pip install .`, `pip install -e .`, a wheel).

pyproject.toml holds the metadata; this file only extends `build_py`:
- the message catalogues (`association/translations/*/LC_MESSAGES/messages.po`) are compiled to `.mo` with Babel,
  into the built package (a wheel, `pip install .`) or beside the `.po` in the source tree (`pip install -e .`),
  so that every install path serves Kazakh, Russian and English without `make`;
- a regular (non-editable) build also copies the project's `templates/`, `static/` and `migrations/` folders into the
  package (`association/_resources/`), where `create_app` finds them when the package is not run from the source
  tree (see `association.resource_root`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
TRANSLATIONS = Path("association") / "translations"
RESOURCE_FOLDERS = ("templates", "static", "migrations")


def compile_catalogues(source: Path, target: Path) -> list[Path]:
    """Compile every messages.po under source into the same place under target; return the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    if not written:
        raise RuntimeError(f"no message catalogue found under {source}")
    return written


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            compile_catalogues(HERE / TRANSLATIONS, HERE / TRANSLATIONS)
            return
        build_lib = Path(self.build_lib)
        compile_catalogues(HERE / TRANSLATIONS, build_lib / TRANSLATIONS)
        resources = build_lib / "association" / "_resources"
        for folder in RESOURCE_FOLDERS:
            shutil.rmtree(resources / folder, ignore_errors=True)
            shutil.copytree(HERE / folder, resources / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithCatalogues})
