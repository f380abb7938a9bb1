"""Who drives a project: one search process at a time writes a project's scheduler state.

A driver (the process running ``tuner.search``) takes the project's *driver lock* before its
first write and gives it back when the search returns. The lock is a row of the project's own
SQLite file (table ``driver_lock``: host, pid, the process's start time, ``started_at``,
``heartbeat`` and a random token), not an OS file lock, because:

* **It survives SIGKILL in the right way.** A killed driver leaves its row behind, and the row
  says who it was: the next driver checks that process. On the same host, a pid that is gone (or
  a zombie, or now another program: its start time differs) is a dead driver, taken over at once.
  A driver on another host (a shared file system) is judged by its heartbeat, written every
  ``HEARTBEAT_S`` seconds: none for ``STALE_AFTER_S`` seconds means it is gone. An OS lock
  (``flock``) would be released by the kernel, but it is inherited by worker processes forked
  from the driver (they would keep a dead driver's lock), says nothing about who holds it, and
  is unreliable on network file systems.
* **Taking it is atomic with the data.** Checking the row and writing ours is one ``BEGIN
  IMMEDIATE`` transaction, so two drivers starting at once cannot both win.
* **It fences every write.** While a storage holds the lock, each of its write transactions first
  checks that the row still carries its token. A driver that was frozen long enough to be taken
  over (a suspended laptop, a stopped process) fails at its next write with
  ``ProjectInUseError`` instead of writing beside the new driver. A storage that does not hold
  the lock refuses to write while a live driver holds it. So two drivers never both write.

Readers (``rung status``, reports, a tuner built only to look at results) never take the lock;
``SQLiteStorage.driver_lock()`` tells them who drives the project.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HELD",
    "HEARTBEAT_S",
    "STALE_AFTER_S",
    "DriverLock",
    "TakenOver",
    "process_start",
    "stale_reason",
    "this_driver",
]

HEARTBEAT_S = 10.0
"""How often a driver writes its heartbeat."""

STALE_AFTER_S = 60.0
"""A driver on another host without a heartbeat for this long is taken to be gone."""


HELD: set[str] = set()
"""The tokens of the locks that storages of this process hold now (a lock of this process whose
token is not here was left behind by a search whose release failed: the disk was full)."""


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


@dataclass(frozen=True)
class DriverLock:
    """The driver lock of a project: who holds it, since when, and its last heartbeat (Unix
    time). ``pid_start`` identifies the process beyond its pid (Linux: its start time in clock
    ticks since boot; None where unknown)."""

    token: str
    host: str
    pid: int
    pid_start: str | None
    started_at: float
    heartbeat: float

    def describe(self, now: float | None = None) -> str:
        """``pid 123 on host 'gpu1', since 2026-11-29 21:40:05 UTC (last heartbeat 3 s ago)``."""
        now = time.time() if now is None else now
        return (f"pid {self.pid} on host {self.host!r}, since {_utc(self.started_at)} "
                f"(last heartbeat {max(0.0, now - self.heartbeat):.0f} s ago)")


@dataclass(frozen=True)
class TakenOver:
    """A stale lock that a new driver took over, and why it was stale."""

    previous: DriverLock
    reason: str

    def line(self) -> str:
        return (f"rung: took over the project from a driver that is gone "
                f"({self.previous.describe()}): {self.reason}")


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (Linux ``/proc/<pid>/stat``), ``"zombie"`` for a dead
    process not yet reaped, or None when unknown (no ``/proc``, or no such process)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # after "pid (comm) "
    if len(fields) < 20:
        return None
    return "zombie" if fields[0] in ("Z", "X") else fields[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def this_driver(now: float | None = None) -> DriverLock:
    """A new lock for this process, with a fresh token."""
    now = time.time() if now is None else now
    pid = os.getpid()
    return DriverLock(token=secrets.token_hex(16), host=socket.gethostname(), pid=pid,
                      pid_start=process_start(pid), started_at=now, heartbeat=now)


def stale_reason(lock: DriverLock, me: DriverLock, now: float,
                 stale_after: float = STALE_AFTER_S) -> str | None:
    """Why ``lock`` belongs to a driver that is gone (as seen by ``me``), or None if it may live.

    Same host: the process is gone, a zombie, or another program now (pid reused); a live
    process whose identity cannot be checked falls back to the heartbeat. Another host: the
    heartbeat is older than ``stale_after`` seconds.
    """
    if lock.host == me.host:
        if lock.pid == me.pid and lock.pid_start == me.pid_start and lock.token not in HELD:
            return "an earlier search of this process left it behind"
        if not _alive(lock.pid):
            return f"its process {lock.pid} is gone"
        start = process_start(lock.pid)
        if start == "zombie":
            return f"its process {lock.pid} has exited"
        if lock.pid_start is not None and start is not None:
            if start != lock.pid_start:
                return f"pid {lock.pid} is another process now"
            return None  # the very process that took the lock, still running
    age = now - lock.heartbeat
    if age > stale_after:
        return f"no heartbeat for {age:.0f} s (more than {stale_after:g} s)"
    return None
