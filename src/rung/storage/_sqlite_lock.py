"""The driver lock in SQLite (see ``rung.storage.driver_lock`` for why it lives here).

Each function works on an open connection; the caller (``SQLiteStorage``) holds its thread lock
and, for the writing ones, an open ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import sqlite3
import time

from rung.errors import ProjectInUseError
from rung.storage.driver_lock import (
    STALE_AFTER_S,
    DriverLock,
    TakenOver,
    stale_reason,
    this_driver,
)

__all__ = ["acquire", "beat", "check_writer", "read", "release"]

_COLUMNS = "token, host, pid, pid_start, started_at, heartbeat"
_SELECT = f"SELECT {_COLUMNS} FROM driver_lock WHERE id = 1"
_PUT = (f"INSERT INTO driver_lock (id, {_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET token = excluded.token, host = excluded.host, "
        "pid = excluded.pid, pid_start = excluded.pid_start, started_at = excluded.started_at, "
        "heartbeat = excluded.heartbeat")

_HOW = ("Two searches must never write one project: wait for that search to end, or stop it. A "
        "killed driver is taken over automatically: on the same host at once, from another host "
        f"after {STALE_AFTER_S:g} s without its heartbeat.")


def read(conn: sqlite3.Connection) -> DriverLock | None:
    row = conn.execute(_SELECT).fetchone()
    return None if row is None else DriverLock(*row)


def acquire(conn: sqlite3.Connection, me: DriverLock, path: str,
            stale_after: float = STALE_AFTER_S) -> TakenOver | None:
    """Write ``me`` as the driver; the stale lock it replaced (or None). Raises
    ``ProjectInUseError`` naming the holder when a live driver holds the lock."""
    held = read(conn)
    taken = None
    if held is not None and held.token != me.token:
        reason = stale_reason(held, me, time.time(), stale_after)
        if reason is None:
            raise in_use(path, held)
        taken = TakenOver(held, reason)
    conn.execute(_PUT, (me.token, me.host, me.pid, me.pid_start, me.started_at, me.heartbeat))
    return taken


def in_use(path: str, held: DriverLock) -> ProjectInUseError:
    return ProjectInUseError(
        f"the project {path!r} is being searched by another driver: {held.describe()}. {_HOW}")


def beat(conn: sqlite3.Connection, token: str, now: float) -> bool:
    """Refresh the heartbeat; False when the lock is no longer ``token``'s."""
    updated = conn.execute("UPDATE driver_lock SET heartbeat = ? WHERE id = 1 AND token = ?",
                           (now, token)).rowcount
    return updated == 1


def release(conn: sqlite3.Connection, token: str) -> None:
    conn.execute("DELETE FROM driver_lock WHERE id = 1 AND token = ?", (token,))


def check_writer(conn: sqlite3.Connection, token: str | None, path: str) -> None:
    """Refuse a write by a storage that lost its lock (``token``), or by one without the lock
    while a live driver holds it."""
    held = read(conn)
    if token is not None:
        if held is None or held.token != token:
            who = "released it" if held is None else f"is now held by {held.describe()}"
            raise ProjectInUseError(
                f"this search lost the driver lock of {path!r}: it {who}. It stops here so that "
                "two searches never write one project; the driver that holds the project now "
                "resumes the jobs this one was running.")
        return
    if held is not None and stale_reason(held, this_driver(), time.time()) is None:
        raise in_use(path, held)

