"""The storage folder (FILE_STORAGE_PATH, default `<instance>/files`): files are named by a random key, never by
what the uploader called them, written to a temporary name and renamed, so a half-written file is never served."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from flask import current_app


def storage_root() -> Path:
    """The folder the files live in (created on first use)."""
    configured = current_app.config.get("FILE_STORAGE_PATH")
    root = Path(configured) if configured else Path(current_app.instance_path) / "files"
    root.mkdir(parents=True, exist_ok=True)
    return root


def new_key() -> str:
    """A fresh storage key: two hex characters of folder, then 30 more."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


def path_for(key: str) -> Path:
    return storage_root() / key


def write(key: str, data: bytes) -> None:
    """Store the bytes under `key` (atomically: a temporary file, then a rename)."""
    target = path_for(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def remove(key: str) -> None:
    """Delete the stored bytes (a missing file is not an error: the goal is that it is gone)."""
    path_for(key).unlink(missing_ok=True)


def all_keys() -> Iterator[str]:
    """Every key present in the storage folder."""
    root = storage_root()
    for path in root.glob("*/*"):
        if path.is_file() and not path.name.endswith(".part"):
            yield f"{path.parent.name}/{path.name}"
