"""What a failed SQLite write or read means for the user: :class:`~rung.errors.ProjectWriteError`
for a write, :class:`~rung.errors.ProjectError` for a read of a damaged file.

SQLite reports a full disk, a lock held too long by another process and a read-only file as
``sqlite3.OperationalError`` with a short text. The write was rolled back (one change, one
transaction), so nothing recorded before is lost; the user needs the cause and what to do.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
from pathlib import Path

from rung.errors import ProjectError, ProjectWriteError

__all__ = ["read_error", "unknown_status", "write_error"]

_CAUSES = (
    (("full",), "the disk is full (or the file reached its size limit): free some space"),
    (("locked", "busy"), "another process held a write transaction on the file for longer than "
                         "{timeout:g} s: find the program that keeps it open for writing"),
    (("readonly", "read-only", "unable to open"),
     "the project is read-only here: rung needs write access to the project directory and its "
     "rung.db to search (reading results needs none)"),
    (("i/o",), "the disk reported an I/O error: check the disk or file system"),
)


def write_error(path: Path, exc: sqlite3.OperationalError, timeout: float) -> ProjectWriteError:
    """The error to raise for a failed write to the project database at ``path``."""
    text = str(exc)
    why = next((cause.format(timeout=timeout) for words, cause in _CAUSES
                if any(word in text.lower() for word in words)), "SQLite refused the write")
    return ProjectWriteError(
        f"rung could not write to the project database {str(path)!r}: {why} (SQLite: {text}). "
        "The change was rolled back and everything recorded before is intact; fix the cause "
        "and run the search again to resume where it stopped.")


_MAX_QUOTED = 160


def unknown_status(status: object) -> sqlite3.DatabaseError:
    """A stored trial status no rung writes (the schema's CHECK guards writes, not a damaged
    page): the file is damaged, as SQLite would say of a broken page."""
    return sqlite3.DatabaseError(f"a trial has the status {str(status)[:40]!r}, which rung never "
                                 "writes")


def read_error(path: str, exc: sqlite3.DatabaseError | json.JSONDecodeError) -> ProjectError:
    """The error to raise for a failed read of the project database at ``path``: a file damaged
    where the open step does not look (a data page, or a record's JSON), or one locked too long.

    Detecting the damage needs no full check (``PRAGMA integrity_check`` reads the whole file):
    SQLite raises as soon as a read meets a broken page, and the command says so.
    """
    lines = str(exc).strip().splitlines()  # SQLite may quote a damaged text, lines of it
    text = lines[0] if lines else type(exc).__name__
    text = text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED - 1] + "…"
    if isinstance(exc, sqlite3.OperationalError) and any(
            word in text.lower() for word in ("locked", "busy")):
        return ProjectError(
            f"cannot read the project database {path!r}: another process held it locked for too "
            f"long (SQLite: {text}); try again once it is done writing")
    why = f"SQLite: {text}" if isinstance(exc, sqlite3.Error) else f"a stored record: {text}"
    return ProjectError(
        f"cannot read the project database {path!r}: the file is damaged ({why}). Check it "
        f"with: sqlite3 {shlex.quote(path)} \"PRAGMA integrity_check\"; restore a copy of the "
        "project if you have one, or run the search again in a new project")
