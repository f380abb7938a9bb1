"""Where a project is kept: :class:`Storage` (the contract), in memory or in one SQLite file."""

from __future__ import annotations

import os

from rung.errors import ProjectError
from rung.storage.base import Storage
from rung.storage.memory import InMemoryStorage
from rung.storage.project import open_project
from rung.storage.sqlite import SQLiteStorage
from rung.validation import check_bool, fail_type

__all__ = ["InMemoryStorage", "SQLiteStorage", "Storage", "get_storage", "open_project"]

_DEFAULT_FILENAME = "rung.db"


def get_storage(storage: Storage | str | os.PathLike[str] | None, *,
                create: bool = False) -> Storage:
    """Turn ``storage`` into a :class:`Storage`.

    ``None`` -> a new :class:`InMemoryStorage`; a path -> :class:`SQLiteStorage` on that file (a
    directory means ``<dir>/rung.db``); a :class:`Storage` -> itself.

    ``create=False`` (the default) opens only an existing project: a path with no rung project
    raises ``ConfigurationError`` naming it, and nothing is written. Tuners pass ``create=True``.

    Example::

        with rung.storage.get_storage("runs/demo") as storage:   # runs/demo/rung.db
            print(storage.count_trials())
    """
    check_bool("create", create)
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, Storage):
        return storage
    if isinstance(storage, (str, os.PathLike)):
        path = os.fspath(storage)
        if isinstance(path, str):
            if os.path.isdir(path):
                path = os.path.join(path, _DEFAULT_FILENAME)
                if not create and not os.path.exists(path):
                    raise ProjectError(
                        f"no rung project at {os.fspath(storage)!r}: the directory has no "
                        f"{_DEFAULT_FILENAME} (check the path)"
                    )
            return SQLiteStorage(path, create=create)
    raise fail_type("storage", "None (in memory), a path to a SQLite file or project "
                    "directory, or a rung.storage.Storage", storage)
