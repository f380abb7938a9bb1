"""A storage in one SQLite file (stdlib ``sqlite3``), the default for a project directory."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rung.errors import ConfigurationError, ProjectError, ProjectWriteError
from rung.storage import _sqlite_lock, _sqlite_tally
from rung.storage._common import check_finish, dumps, normalise_record, normalise_statuses
from rung.storage._sqlite_errors import write_error
from rung.storage._sqlite_schema import (
    ALL_REPORTS,
    COLUMNS,
    FINISH,
    INSERT_TRIAL,
    METRIC_HISTORY,
    MIGRATIONS,
    REPORT,
    SCHEMA,
    SCHEMA_VERSION,
    SET_SETTINGS,
)
from rung.storage._sqlite_state import prepare_state, read_state, write_state
from rung.storage.base import Storage
from rung.storage.driver_lock import HELD, DriverLock, TakenOver, this_driver
from rung.storage.tally import Tally
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_bool

__all__ = ["SCHEMA_VERSION", "SQLiteStorage"]


_STATUS = {status.value: status for status in TrialStatus}
_decode = json.JSONDecoder().raw_decode  # rung wrote the text: no whitespace around to strip


def _record(row: tuple[Any, ...]) -> TrialRecord:
    # positional, a dict for the status and raw_decode: opening a 100,000-job project decodes
    # 100,000 of these (benchmarks/scale.py), about a third faster than keywords and json.loads
    return TrialRecord(row[0], _decode(row[1])[0], _STATUS[row[2]], row[3], row[4], row[5],
                       row[6], row[7], row[8], _decode(row[9])[0], row[10], row[11], row[12],
                       row[13], row[14], row[15])


def _records(rows: list[tuple[Any, ...]]) -> list[TrialRecord]:
    """``_record`` of many rows: their JSON columns decoded in two calls, not two per row (a
    third less time for the 100,000 rows of a large project, ``benchmarks/scale.py``)."""
    if not rows:
        return []
    values = json.loads("[" + ",".join([row[1] for row in rows]) + "]")
    metrics = json.loads("[" + ",".join([row[9] for row in rows]) + "]")
    return [TrialRecord(row[0], v, _STATUS[row[2]], row[3], row[4], row[5], row[6], row[7],
                        row[8], m, row[10], row[11], row[12], row[13], row[14], row[15])
            for row, v, m in zip(rows, values, metrics, strict=True)]


def _check_path(path: Path, create: bool) -> None:
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


def _why_no_folder(folder: Path) -> str:
    """Why ``folder`` cannot be made: the file in the way, or its parent not writable."""
    for above in (folder, *folder.parents):
        if above.exists() and not above.is_dir():
            return f"{str(above)!r} is a file, not a folder"
        if above.is_dir():
            return f"{str(folder)!r} cannot be created in {str(above)!r}"
    return f"{str(folder)!r} cannot be created"


class SQLiteStorage(Storage):
    """Keeps a project in one SQLite file, e.g. ``<project_dir>/rung.db``.

    The file is opened in WAL mode with ``synchronous=NORMAL``: every public mutating method is
    one transaction, durable against a killed or crashed *process* (a committed change is never
    lost, a half-done one is never visible). On an OS crash or power loss the last few commits
    may be rolled back, but the file stays consistent. Readers in other processes (a CLI, a
    report) see committed data at any time. Only the driver process writes: it holds the
    project's driver lock (``acquire_driver``; see ``rung.storage.driver_lock``), and while a live
    driver holds it every other storage on the file refuses to write.

    The connection may be shared with other threads (a progress display reading while the driver
    writes); a lock serialises its use. ``close()`` closes it; the storage is a context manager.

    Args:
        path: the database file.
        timeout: seconds to wait for a lock held by another connection (``busy_timeout``).
        create: create the file (and missing parent directories) when it does not exist. The
            default, False, opens only an existing rung project: reading never creates files.
        read_only: open a read-only connection (SQLite ``mode=ro``): nothing is ever written,
            not even a migration or the journal mode, so a CLI or a report can read a project
            while its search writes it (``rung.storage.open_project`` opens projects this way).
            Writing methods then raise ``sqlite3.OperationalError``.

    Raises:
        ProjectError: no file at ``path`` (and ``create=False``), the file is not a rung
            database, or it was written by a newer rung (a ``ConfigurationError``).
        ConfigurationError: ``path`` is a directory.

    Example::

        with SQLiteStorage("runs/mnist/rung.db") as storage:
            print(storage.count_trials(TrialStatus.COMPLETED))
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0,
                 create: bool = False, read_only: bool = False) -> None:
        self.path = Path(path)
        check_bool("create", create)
        self.read_only = check_bool("read_only", read_only)
        if read_only and create:
            raise ConfigurationError("SQLiteStorage: read_only=True cannot create a project "
                                     "(pass create=False)")
        if str(path) != ":memory:":
            _check_path(self.path, create)
        self._lock = threading.RLock()
        self._columns = COLUMNS
        target: str | Path = self.path
        if read_only and str(path) != ":memory:":
            target = self.path.resolve().as_uri() + "?mode=ro"  # as_uri escapes '?', '#', '%'
        self._timeout = timeout
        self._token: str | None = None  # the driver lock's token while this storage holds it
        self._fenced = False  # writes check the driver lock (once the schema is in place)
        try:
            self._conn = sqlite3.connect(
                target, timeout=timeout, isolation_level=None, check_same_thread=False,
                uri=isinstance(target, str),
            )
        except sqlite3.OperationalError as exc:  # a folder it may not write in: say so
            raise write_error(self.path, exc, timeout) from exc
        try:
            self._configure(timeout)
            if not create and self._schema_version() is None and str(path) != ":memory:":
                raise ProjectError(
                    f"no rung project at {str(path)!r}: the file is an SQLite database without "
                    "rung's tables"
                )
            self._check_schema()
            self._fenced = True
        except sqlite3.OperationalError as exc:  # read-only, locked, disk full: not corrupt
            self._conn.close()
            raise write_error(self.path, exc, timeout) from exc
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ProjectError(
                f"cannot open {str(path)!r} as a rung database: {exc} (expected a rung "
                "project's database: the file is damaged or belongs to another program)"
            ) from exc
        except BaseException:
            self._conn.close()
            raise

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

    @contextmanager
    def _write(self, fence: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error.
        ``fence``: first check the driver lock (the lock's own writes do not)."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                if fence and self._fenced:
                    _sqlite_lock.check_writer(conn, self._token, str(self.path))
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise write_error(self.path, exc, self._timeout) from exc
                raise

    def _why_not_running(self, method: str, trial_id: str) -> Exception:
        row = self._conn.execute(
            "SELECT status FROM trials WHERE trial_id = ?", (trial_id,)
        ).fetchone()
        if row is None:
            return KeyError(f"no trial with trial_id {trial_id!r}")
        return ValueError(f"{method}: trial {trial_id!r} is already finished ({row[0]}).")

    def _require(self, trial_id: str) -> None:
        if (
            self._conn.execute("SELECT 1 FROM trials WHERE trial_id = ?", (trial_id,)).fetchone()
            is None
        ):
            raise KeyError(f"no trial with trial_id {trial_id!r}")

    # --- project settings and scheduler state -------------------------------------------
    def _get_json(self, table: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(f"SELECT json FROM {table} WHERE id = 1").fetchone()
        return None if row is None else json.loads(row[0])

    def get_settings(self) -> dict[str, Any] | None:
        return self._get_json("settings")

    def set_settings(self, settings: Mapping[str, Any]) -> None:
        text = dumps(dict(settings))
        with self._write() as conn:
            conn.execute(SET_SETTINGS, (text,))

    def get_oracle_state(self) -> dict[str, Any] | None:
        with self._lock:
            return read_state(self._conn, str(self.path))

    def set_oracle_state(self, state: Mapping[str, Any]) -> None:
        prepared = prepare_state(state)
        with self._write() as conn:
            write_state(conn, prepared)

    # --- trials -------------------------------------------------------------------------
    def create_trial(
        self, record: TrialRecord, oracle_state: Mapping[str, Any] | None = None
    ) -> None:
        r = normalise_record(record)
        row = (
            r.trial_id, dumps(r.values), r.status.value, r.epochs, r.initial_epoch, r.parent_id,
            r.bracket, r.rung, r.iteration, dumps(r.metrics), r.loss, r.attempts, r.error,
            r.created_at, r.finished_at, r.epochs_reached,
        )  # fmt: skip
        state = None if oracle_state is None else prepare_state(oracle_state)
        with self._write() as conn:
            if conn.execute(INSERT_TRIAL, row).rowcount != 1:
                raise ValueError(f"create_trial: trial {r.trial_id!r} exists already.")
            if state is not None:
                write_state(conn, state)

    def report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        args = (int(epoch), dumps(dict(metrics)), trial_id)
        with self._write() as conn:
            if conn.execute(REPORT, args).rowcount != 1:
                raise self._why_not_running("report", trial_id)

    def clear_reports(self, trial_id: str) -> None:
        with self._write() as conn:
            running = conn.execute(
                "SELECT 1 FROM trials WHERE trial_id = ? AND status = 'RUNNING'", (trial_id,)
            ).fetchone()
            if running is None:
                raise self._why_not_running("clear_reports", trial_id)
            conn.execute("DELETE FROM epoch_metrics WHERE trial_id = ?", (trial_id,))

    def record_failure(self, trial_id: str, attempt: int, error: str) -> None:
        args = (trial_id, int(attempt), str(error), time.time())
        with self._write() as conn:
            updated = conn.execute(
                "UPDATE trials SET attempts = attempts + 1 WHERE trial_id = ? AND status = 'RUNNING'",
                (trial_id,),
            ).rowcount
            if updated != 1:
                raise self._why_not_running("record_failure", trial_id)
            conn.execute(
                "INSERT INTO failures (trial_id, attempt, error, at) VALUES (?, ?, ?, ?)", args
            )

    def finish_trial(
        self,
        trial_id: str,
        status: TrialStatus,
        metrics: Mapping[str, float] | None = None,
        loss: float | None = None,
        error: str | None = None,
        oracle_state: Mapping[str, Any] | None = None,
        finished_at: float | None = None,
        values: Mapping[str, Any] | None = None,
        epochs_reached: int | None = None,
    ) -> None:
        status, loss = check_finish(trial_id, status, loss)
        finished_at = time.time() if finished_at is None else float(finished_at)
        used = None if values is None else dumps(dict(values))
        reached = None if epochs_reached is None else int(epochs_reached)
        args = (status.value, dumps(dict(metrics or {})), loss, error, finished_at, used, reached,
                trial_id)
        state = None if oracle_state is None else prepare_state(oracle_state)
        with self._write() as conn:
            if conn.execute(FINISH, args).rowcount != 1:
                raise self._why_not_running("finish_trial", trial_id)
            if state is not None:
                write_state(conn, state)

    def get_trial(self, trial_id: str) -> TrialRecord:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {self._columns} FROM trials WHERE trial_id = ?", (trial_id,)
            ).fetchone()
        if row is None:
            raise KeyError(f"no trial with trial_id {trial_id!r}")
        return _record(row)

    @staticmethod
    def _where(status: TrialStatus | Sequence[TrialStatus] | None) -> tuple[str, tuple[str, ...]]:
        wanted = normalise_statuses(status)
        if wanted is None:
            return "", ()
        # the status index pays for the few RUNNING jobs; for finished ones (most of a project)
        # it costs a sort by seq, where a scan in seq order needs none: "+status" skips it
        column = "status" if set(wanted) <= {TrialStatus.RUNNING} else "+status"
        return (f" WHERE {column} IN ({', '.join('?' * len(wanted))})",
                tuple(s.value for s in wanted))

    def trials(
        self, status: TrialStatus | Sequence[TrialStatus] | None = None
    ) -> list[TrialRecord]:
        where, args = self._where(status)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._columns} FROM trials{where} ORDER BY seq", args
            ).fetchall()
        return _records(rows)

    def trial_outlines(self) -> list[TrialRecord]:
        # the two JSON columns are most of the decoding time of a 100,000-job project
        columns = self._columns.replace("values_json", "NULL").replace("metrics_json", "NULL")
        with self._lock:
            rows = self._conn.execute(f"SELECT {columns} FROM trials ORDER BY seq").fetchall()
        return [TrialRecord(row[0], {}, _STATUS[row[2]], row[3], row[4], row[5], row[6], row[7],
                            row[8], {}, row[10], row[11], row[12], row[13], row[14], row[15])
                for row in rows]  # positional: a third faster than keywords (see _record)

    def tally(self) -> Tally:
        reached = "epochs_reached" if "epochs_reached" in self._columns else "NULL"
        with self._lock:
            return _sqlite_tally.tally(self._conn, reached)

    def count_trials(self, status: TrialStatus | Sequence[TrialStatus] | None = None) -> int:
        where, args = self._where(status)
        with self._lock:
            count: int = self._conn.execute(
                f"SELECT COUNT(*) FROM trials{where}", args).fetchone()[0]
            return count

    def epoch_metrics(self, trial_id: str) -> list[tuple[int, dict[str, float]]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT epoch, metrics_json FROM epoch_metrics WHERE trial_id = ? ORDER BY seq",
                (trial_id,),
            ).fetchall()
            if not rows:
                self._require(trial_id)
        return [(epoch, json.loads(text)) for epoch, text in rows]

    def all_epoch_metrics(self) -> Iterator[tuple[str, int, dict[str, float]]]:
        # read on first use: a resumed search whose searcher replays no reports (random,
        # Hyperband) never reads them, which on a 100,000-job project is most of its opening time
        with self._lock:
            rows = self._conn.execute(ALL_REPORTS).fetchall()
        for trial_id, epoch, text in rows:
            yield trial_id, epoch, json.loads(text)

    def metric_history(self, name: str) -> list[tuple[str, int, Any]]:
        if '"' in name or "\\" in name:  # not expressible as a JSON path label: decode reports
            return super().metric_history(name)
        path = f'$."{name}"'
        with self._lock:
            rows = self._conn.execute(METRIC_HISTORY, (path,)).fetchall()
        return [(trial_id, epoch, value if whole is None else json.loads(whole).get(name))
                for trial_id, epoch, value, whole in rows]

    def failures(self, trial_id: str | None = None) -> list[tuple[str, int, str]]:
        query = "SELECT trial_id, attempt, error FROM failures"
        with self._lock:
            if trial_id is None:
                return self._conn.execute(f"{query} ORDER BY seq").fetchall()
            rows = self._conn.execute(
                f"{query} WHERE trial_id = ? ORDER BY seq", (trial_id,)
            ).fetchall()
            if not rows:
                self._require(trial_id)
        return rows

    # --- the driver lock ----------------------------------------------------------------
    def acquire_driver(self) -> TakenOver | None:
        """Make this storage the project's only writer (see ``rung.storage.driver_lock``).

        Returns the stale lock of a dead driver it took over, or None. Raises
        ``ProjectInUseError`` naming the driver when a live one holds the project.
        """
        me = this_driver()
        with self._lock:
            with self._write(fence=False) as conn:
                taken = _sqlite_lock.acquire(conn, me, str(self.path))
            self._token = me.token
            HELD.add(me.token)
        return taken

    def heartbeat(self) -> bool:
        """Refresh the driver lock's heartbeat; False if this storage does not hold it (any
        more). Errors (the file busy, the disk full) count as a missed beat."""
        with self._lock:
            token = self._token
            if token is None:
                return False
            try:
                with self._write(fence=False) as conn:
                    return _sqlite_lock.beat(conn, token, time.time())
            except sqlite3.Error:
                return True  # unknown: the next write checks the lock

    def release_driver(self) -> None:
        """Give the driver lock back (nothing happens when this storage does not hold it)."""
        with self._lock:
            token = self._token
            if token is None:
                return
            self._token = None
            HELD.discard(token)
            with self._write(fence=False) as conn:
                _sqlite_lock.release(conn, token)

    def driver_lock(self) -> DriverLock | None:
        """Who drives the project now (possibly a dead driver not yet taken over), or None.
        A read: it never takes the lock."""
        with self._lock:
            return _sqlite_lock.read(self._conn)

    # --- maintenance ------------------------------------------------------------------
    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"``, or the problems found, one per line."""
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def close(self) -> None:
        """Give back the driver lock if held, close the connection (idempotent). Committed data
        is on disk already."""
        with self._lock:
            if self._token is not None:
                with contextlib.suppress(sqlite3.Error, ProjectWriteError):  # the lock goes stale
                    self.release_driver()
            self._conn.close()

    def __enter__(self) -> SQLiteStorage:
        return self

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"
