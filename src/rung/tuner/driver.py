"""The driver lock held for one ``search`` call: taken first, kept alive, given back at the end.

``search`` runs inside a :class:`DriverSession`. Entering it takes the project's driver lock
(``Storage.acquire_driver``; the rules are in ``rung.storage.driver_lock``): a live driver
elsewhere makes it raise ``ProjectInUseError`` naming that driver, before anything is written; a
dead driver's lock is taken over with one line saying whose. While the search runs, a daemon
thread writes the heartbeat every ``HEARTBEAT_S`` seconds. Leaving the session (the search
returned, raised, or was interrupted) stops the thread and gives the lock back; a killed process
leaves its lock behind, which the next driver takes over.

Tuners built only to read results (``results_summary``, ``get_best_models``) take no lock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rung.errors import ConfigurationError
from rung.storage import SQLiteStorage, Storage
from rung.storage._sqlite_lock import in_use
from rung.storage.driver_lock import HEARTBEAT_S, stale_reason, this_driver

__all__ = ["DriverSession", "refuse_if_driven"]


def refuse_if_driven(db: Path) -> None:
    """Raise ``ProjectInUseError`` when a live driver holds the project in ``db`` (before
    ``overwrite=True`` deletes it). A missing or unreadable file holds no driver."""
    if not db.is_file():
        return
    try:
        with SQLiteStorage(db) as storage:
            lock = storage.driver_lock()
    except (ConfigurationError, sqlite3.Error):
        return  # not a readable rung project: overwriting it is what the user asked for
    if lock is not None and stale_reason(lock, this_driver(), time.time()) is None:
        raise in_use(str(db), lock)


class DriverSession:
    """Holds ``storage``'s driver lock while the ``with`` block runs.

    Args:
        storage: the project's storage.
        say: prints one line (the tuner's ``display.message``): a taken-over lock is announced.
        interval: seconds between heartbeats.
    """

    def __init__(self, storage: Storage, say: Callable[[str], None],
                 interval: float = HEARTBEAT_S) -> None:
        self.storage = storage
        self.say = say
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> DriverSession:
        self._take(self.storage)
        self._thread = threading.Thread(target=self._beat, name="rung-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _take(self, storage: Storage) -> None:
        taken = storage.acquire_driver()
        if taken is not None:
            self.say(taken.line())

    def switch(self, storage: Storage) -> None:
        """Hold the lock of ``storage`` from now on (the project's storage was replaced: a
        cleared project, ``search(retry_failed=True)``)."""
        self.storage.release_driver()
        self._take(storage)
        self.storage = storage

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.storage.heartbeat():
                return  # lost: the driver's next write raises ProjectInUseError

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.storage.release_driver()
        except Exception:
            if kind is None:  # a failure to release must not hide the search's own error
                raise
