"""Opening a file as :class:`~rung.storage.SQLiteStorage` (a mixin): the path checked, the
connection configured, another program's database refused, the schema created or migrated.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

from rung.errors import ConfigurationError, ProjectError
from rung.storage._sqlite_schema import COLUMNS, MIGRATIONS, SCHEMA, SCHEMA_VERSION

__all__ = ["SQLiteOpening", "check_path", "read_only_uri"]


def check_path(path: Path, create: bool) -> None:
    """Refuse a directory, and a missing file unless ``create`` (then make its directories)."""
    if path.is_dir():
        raise ConfigurationError(
            f"the storage path {str(path)!r} is a directory; give the database file, e.g. "
            f"{str(path / 'rung.db')!r} (rung.storage.get_storage accepts a project directory)"
        )
    if path.exists():
        try:
            with path.open("rb") as file:
                header = file.read(16)
        except OSError:  # unreadable: SQLite says why below
            header = b""
        if header and header != b"SQLite format 3\x00":  # an empty file is a new database
            raise ProjectError(
                f"cannot open {str(path)!r} as a rung database: the file is not an SQLite "
                "database (expected a rung project's database: the file is damaged or belongs "
                "to another program)")
        return
    if not create:
        raise ProjectError(
            f"no rung project at {str(path)!r}: the file does not exist (check the path; a new "
            "project is created by a tuner, or by SQLiteStorage(path, create=True))"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"path must be a database file rung can create, got {str(path)!r}; "
            f"{_why_no_folder(path.parent)} ({exc})") from exc


def read_only_uri(path: Path) -> str:
    """The URI a read-only connection opens ``path`` by (SQLite ``mode=ro``).

    A reader of a WAL file shares the ``-shm`` file beside it, creating it when missing; in a
    folder this process may not write in (a read-only mount, another user's project) it cannot,
    and SQLite refuses to read ("attempt to write a readonly database"). There, with no
    ``-shm`` file and no WAL content, no search can be writing the file (a writer would have to
    create them too), so it is opened ``immutable``: read as it is, with no side file.
    """
    uri = path.resolve().as_uri() + "?mode=ro"  # as_uri escapes '?', '#', '%'
    wal, shm = (path.with_name(path.name + side) for side in ("-wal", "-shm"))
    try:
        frozen = (not os.access(path.parent, os.W_OK) and not shm.exists()
                  and (not wal.exists() or wal.stat().st_size == 0))
    except OSError:  # cannot look: let SQLite say what is wrong
        frozen = False
    return uri + "&immutable=1" if frozen else uri


def _why_no_folder(folder: Path) -> str:
    """Why ``folder`` cannot be made: the file in the way, or its parent not writable."""
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            return f"{str(above)!r} is a file, not a folder"
        if above.is_dir():
            return f"{str(folder)!r} cannot be created in {str(above)!r}"
    return f"{str(folder)!r} cannot be created"


class SQLiteOpening:
    """The steps of opening the file (see the module docstring)."""

    path: Path
    read_only: bool
    _conn: sqlite3.Connection
    _columns: str

    def _write(self, fence: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SQLiteStorage's: one write transaction

    def _configure(self, timeout: float) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._refuse_foreign()  # before WAL mode: another program's file is left as it was
        if self.read_only:  # the writer chose WAL; a reader changes nothing
            conn.execute("PRAGMA query_only = ON")
            return
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_size_limit = 67108864")  # truncate the WAL to 64 MiB

    def _refuse_foreign(self) -> None:
        """Refuse an SQLite file that holds tables but not rung's (another program's database)."""
        names = [row[0] for row in self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        if names and "schema_version" not in names:
            shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            raise ProjectError(
                f"no rung project at {str(self.path)!r}: the file is an SQLite database without "
                f"rung's tables (another program's, with tables {shown}); expected a rung "
                "project's database or no file. rung leaves it untouched: choose another path")

    def _check_schema(self) -> None:
        version = self._schema_version()
        if version is None:  # a new file: create the schema (unless another process just did)
            with self._write() as conn:
                version = self._schema_version()
                if version is None:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,)
                    )
                    version = SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{str(self.path)!r} has storage schema version {version}, but this rung supports "
                f"version {SCHEMA_VERSION} at most; upgrade rung (pip install -U rung) to open it."
            )
        if version < SCHEMA_VERSION:
            if self.read_only:  # read what the old file has; a writer migrates it
                self._columns = COLUMNS.replace("epochs_reached", "NULL")
            else:
                self._migrate()

    def _migrate(self) -> None:
        """Bring an older file up to ``SCHEMA_VERSION``, in one transaction."""
        with self._write() as conn:
            version = self._schema_version() or SCHEMA_VERSION
            while version < SCHEMA_VERSION:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                version += 1
            conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def _schema_version(self) -> int | None:
        found = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if found is None:
            return None
        version = self._conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        if version is None:
            raise ProjectError(f"{str(self.path)!r} has an empty schema_version table.")
        return int(version)
