"""The driver lock of :class:`~rung.storage.SQLiteStorage` (a mixin): taking it, the heartbeat,
giving it back, and reading who holds it. The SQL is in ``rung.storage._sqlite_lock``, the rules
in ``rung.storage.driver_lock``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path

from rung.storage import _sqlite_lock
from rung.storage.driver_lock import HELD, DriverLock, TakenOver, this_driver

__all__ = ["SQLiteDriverLock"]


class SQLiteDriverLock:
    """The driver lock's methods (see the module docstring)."""

    path: Path
    _lock: threading.RLock
    _conn: sqlite3.Connection
    _token: str | None  # the lock's token while this storage holds it

    def _write(self, fence: bool = True) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SQLiteStorage's: one write transaction

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
            # the search is over: fold the write-ahead log into rung.db, so that the file alone
            # holds the project (copied without its -wal file, it is complete). PASSIVE waits on
            # no reader; one holding an older snapshot leaves the rest to SQLite's next checkpoint
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def driver_lock(self) -> DriverLock | None:
        """Who drives the project now (possibly a dead driver not yet taken over), or None.
        A read: it never takes the lock."""
        with self._lock:
            return _sqlite_lock.read(self._conn)
