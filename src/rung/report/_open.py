"""Open a project read-only for the report and the dashboard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import rung.storage
from rung.storage import Storage
from rung.validation import check_instance

__all__ = ["database_path", "open_read_only"]

_DB_NAME = "rung.db"


def database_path(project: str | os.PathLike[str]) -> Path:
    """The ``rung.db`` of ``project`` (a project directory, or the file itself)."""
    path = Path(project)
    return path / _DB_NAME if path.is_dir() else path


def open_read_only(project: str | os.PathLike[str]) -> Storage:
    """The storage of the project at ``project`` (its directory, or its ``rung.db``).

    Uses ``rung.storage.open_project`` (a read-only SQLite connection) where this rung has it;
    otherwise the project's existing database, opened without creating anything.
    """
    check_instance("project", project, (str, os.PathLike),
                   "a project directory (directory/project_name) or its rung.db")
    opener: Any = getattr(rung.storage, "open_project", None)
    if opener is not None:
        storage: Storage = opener(project)
        return storage
    return rung.storage.get_storage(os.fspath(project), create=False)
