"""Signals a search's worker processes leave to the driver: Ctrl-C (SIGINT) and SIGTERM.

The driver stops the search on either (``rung.tuner.interrupt``) and then its workers, with
SIGKILL; a worker that acted on them itself died with a traceback and a job recorded as failed.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["STOP_SIGNALS", "children_ignore_stop_signals"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # the driver's to act on (rung.tuner.interrupt)


@contextlib.contextmanager
def children_ignore_stop_signals() -> Iterator[None]:
    """Start worker processes that ignore SIGINT and SIGTERM from their first instruction.

    Ctrl-C reaches the whole process group (and a batch system's SIGTERM, every process of the
    job), and a worker still importing the script (seconds, before ``worker_main`` runs) died
    of it with a ``KeyboardInterrupt`` traceback, its job recorded as failed. The driver stops
    the search and then its workers (with SIGKILL). An ignored signal stays ignored across
    ``exec`` (and Python then installs no handler of its own), so both are ignored in the
    driver while a worker is started (milliseconds). Meanwhile they are also blocked in this
    thread: one that comes then waits, and reaches the driver's own handler once it is
    restored (a signal blocked in the main thread is not discarded for being ignored). Only the
    main thread can change a handler; elsewhere workers start as before. (Linux may deliver a
    signal of those milliseconds to another thread of the driver, where it is lost: the user
    presses Ctrl-C again.)
    """
    if (not hasattr(signal, "pthread_sigmask")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))
    try:
        if set(STOP_SIGNALS) & signal.sigpending():  # one just came: setting SIG_IGN would
            yield  # discard it; let it reach the driver instead
            return
        handlers = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
