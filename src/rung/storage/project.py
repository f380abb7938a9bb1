"""Open a project to read it: what the ``rung`` command and reports use.

A project is the directory ``directory/project_name`` a tuner writes (its ``rung.db`` and the
``trials/`` checkpoints); the path of ``rung.db`` itself is accepted too. The connection is
read-only (SQLite ``mode=ro``): reading never changes the project (SQLite may add the ``-wal`` and
``-shm`` files every WAL reader shares) and works while a search is writing it (the writer keeps
the file in WAL mode: a reader sees every committed change and never blocks the writer).
"""

from __future__ import annotations

import os
from pathlib import Path

from rung.errors import ProjectError
from rung.storage.sqlite import SQLiteStorage
from rung.validation import check_instance

__all__ = ["DB_NAME", "open_project", "project_database"]

DB_NAME = "rung.db"


def _nearby_projects(directory: Path, limit: int = 5) -> list[str]:
    """Projects one level below ``directory`` (the user gave ``directory``, not the project)."""
    try:
        found = sorted(str(p.parent) for p in directory.glob(f"*/{DB_NAME}"))
    except OSError:
        return []
    if len(found) > limit:  # say that the list is cut
        return [*found[:limit], f"and {len(found) - limit} more"]
    return found


def project_database(path: str | os.PathLike[str]) -> Path:
    """The ``rung.db`` of the project at ``path`` (a project directory or its ``rung.db``).

    Raises:
        ProjectError: nothing at ``path``, or a directory without ``rung.db`` (the message lists
            the projects just below it, when there are some).
    """
    check_instance("path", path, (str, os.PathLike), "a project directory or its rung.db")
    given = Path(path)
    if given.is_dir():
        database = given / DB_NAME
        if database.is_file():
            return database
        below = _nearby_projects(given)
        hint = (f"; the projects below it are: {', '.join(below)}" if below else
                f"; a project directory is directory/project_name, the one holding {DB_NAME}")
        raise ProjectError(f"no rung project at {str(given)!r}: the directory has no {DB_NAME}"
                           + hint)
    if given.is_file():
        return given
    raise ProjectError(f"no rung project at {str(given)!r}: no such file or directory "
                       f"(expected a project directory holding {DB_NAME}, or the {DB_NAME} itself)")


def open_project(path: str | os.PathLike[str]) -> SQLiteStorage:
    """Open the project at ``path`` read-only (see the module docstring).

    Args:
        path: the project directory (``directory/project_name``) or its ``rung.db``.

    Raises:
        ProjectError: ``path`` is not a rung project, or it was written by a newer rung.

    Example::

        with rung.storage.open_project("runs/keras_demo") as storage:
            print(storage.count_trials())
    """
    return SQLiteStorage(project_database(path), read_only=True)
