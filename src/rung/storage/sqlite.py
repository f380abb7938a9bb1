"""A storage in one SQLite file (stdlib ``sqlite3``), the default for a project directory.

This module holds the connection, the write transaction and the writing methods; the class
gets its reads from ``_sqlite_reads``, its driver lock from ``_sqlite_driver`` and the steps of
opening a file from ``_sqlite_open`` (mixins), its SQL from ``_sqlite_schema``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rung.errors import ConfigurationError, ProjectError, ProjectWriteError, UnknownTrialError
from rung.storage import _sqlite_lock
from rung.storage._common import check_finish, dumps, normalise_record
from rung.storage._sqlite_driver import SQLiteDriverLock
from rung.storage._sqlite_errors import write_error
from rung.storage._sqlite_open import SQLiteOpening, check_path, read_only_uri
from rung.storage._sqlite_reads import SQLiteReads
from rung.storage._sqlite_schema import (
    COLUMNS,
    FINISH,
    INSERT_TRIAL,
    REPORT,
    SCHEMA_VERSION,
    SET_SETTINGS,
)
from rung.storage._sqlite_state import LogMemo, prepare_state, read_state, write_state
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_bool

__all__ = ["SCHEMA_VERSION", "SQLiteStorage"]


class SQLiteStorage(SQLiteDriverLock, SQLiteOpening, SQLiteReads):  # Storage last: its defaults
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
            check_path(self.path, create)
        self._lock = threading.RLock()
        self._columns = COLUMNS
        target: str | Path = self.path
        if read_only and str(path) != ":memory:":
            target = read_only_uri(self.path)
        self._timeout = timeout
        self._token: str | None = None  # the driver lock's token while this storage holds it
        self._fenced = False  # writes check the driver lock (once the schema is in place)
        self._log_memo: LogMemo | None = None  # what the last write left of the state's log
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
                raise ProjectError(  # another program's tables were refused above: none here
                    f"no rung project at {str(path)!r} yet: the database is empty (no tables): a "
                    "project being created, or one whose creation was killed; running the "
                    "search again creates it"
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
            return UnknownTrialError(f"no trial with trial_id {trial_id!r} in this project")
        return ValueError(f"{method}: trial {trial_id!r} is already finished ({row[0]}).")

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
        with self._lock:
            with self._write() as conn:
                memo = write_state(conn, prepared, self._log_memo)
            self._log_memo = memo  # committed

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
        with self._lock:
            with self._write() as conn:
                if conn.execute(INSERT_TRIAL, row).rowcount != 1:
                    raise ValueError(f"create_trial: trial {r.trial_id!r} exists already.")
                memo = self._log_memo if state is None else write_state(
                    conn, state, self._log_memo)
            self._log_memo = memo  # committed

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
        with self._lock:
            with self._write() as conn:
                if conn.execute(FINISH, args).rowcount != 1:
                    raise self._why_not_running("finish_trial", trial_id)
                memo = self._log_memo if state is None else write_state(
                    conn, state, self._log_memo)
            self._log_memo = memo  # committed

    # --- maintenance ------------------------------------------------------------------
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
