"""What a failed SQLite write means for the user: :class:`~rung.errors.ProjectWriteError`.

SQLite reports a full disk, a lock held too long by another process and a read-only file as
``sqlite3.OperationalError`` with a short text. The write was rolled back (one change, one
transaction), so nothing recorded before is lost; the user needs the cause and what to do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rung.errors import ProjectWriteError

__all__ = ["write_error"]

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
