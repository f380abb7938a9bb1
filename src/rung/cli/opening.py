"""How the ``rung`` commands open the project they are given, with an error that says what the
path is when it is no project: a keras-tuner project, a device or pipe, an empty file."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from rung.cli.keras_tuner import is_keras_tuner_project
from rung.errors import ProjectError
from rung.storage.project import DB_NAME, open_project
from rung.storage.sqlite import SQLiteStorage

__all__ = ["open_given"]

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def _check_file(project: str) -> None:
    """Refuse, saying what it is, a ``project`` whose database is no regular file (``/dev/null``,
    a pipe) or an empty one (0 bytes)."""
    given = Path(project)
    database = given / DB_NAME if given.is_dir() else given
    try:
        mode = os.stat(database).st_mode
    except OSError:  # missing, or unreadable: open_project says which
        return
    if stat.S_ISREG(mode):
        if os.stat(database).st_size == 0:
            raise ProjectError(
                f"no rung project at {str(database)!r}: the file is empty (0 bytes), it holds "
                "no project. A search that creates a project leaves its database empty only "
                "for an instant: if one is starting, try again in a moment; if not, the file is "
                "no rung project's, or a search was killed while creating it (running the "
                "search again creates it)")
        return
    if stat.S_ISDIR(mode):  # a folder named rung.db inside the project directory
        kind = "a directory"
    else:
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    raise ProjectError(f"no rung project at {str(database)!r}: it is {kind}, not a regular "
                       f"file (expected a project directory holding {DB_NAME}, or the "
                       f"{DB_NAME} itself)")


def open_given(project: str) -> SQLiteStorage:
    """``open_project(project)``; a path that is no project is refused with what it is instead
    (a keras-tuner project is named as one, with the command that reads it into a rung
    project)."""
    _check_file(project)
    try:
        return open_project(project)
    except ProjectError:
        if not is_keras_tuner_project(Path(project)):
            raise
        name = Path(project).resolve().name
        raise ProjectError(
            f"no rung project at {project!r}: it is a keras-tuner project (oracle.json, "
            "trial_*/trial.json), which the rung command does not read; import it first: "
            f"rung import-keras-tuner {shlex.quote(project)} --directory runs (then "
            f"{shlex.quote(str(Path('runs') / name))} is the rung project)") from None
