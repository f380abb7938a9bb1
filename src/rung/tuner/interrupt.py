"""Ctrl-C (or SIGTERM) during ``search``: one line instead of a traceback from inside the job,
exit status 130 (143).

Every finished job is committed as it ends and the job that was running is re-run on resume, so
an interrupted project is safe; the user only needs to know that, and how far the search got::

    interrupted after 12 of 69 jobs; the project is saved: run the same script again to resume

Outside IPython ``search`` then raises ``rung.errors.SearchInterrupted``: both a
``SystemExit(130)`` (uncaught, the process exits with the shell's status for SIGINT, with no
traceback) and a ``KeyboardInterrupt`` (a script that catches it around ``search``, as with
keras-tuner, goes on). Inside IPython or Jupyter a fresh ``KeyboardInterrupt`` is raised (the
kernel keeps running, and the job's traceback is not shown).

SIGTERM (``kill``, a batch system ending the job: SLURM, Kubernetes) is taken the same way while
the search loop runs, where the process left SIGTERM's default action in place: the line says
"terminated (SIGTERM)", the status is 143, and the driver lock is given back, so the next run on
another host of a shared file system need not wait for it to go stale. Worker processes ignore
SIGINT and SIGTERM sent to their whole process group; the driver stops them.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import NoReturn

from rung.errors import SearchInterrupted

__all__ = ["EXIT_STATUS", "TERMINATED_STATUS", "Terminated", "in_ipython", "interrupted",
           "message", "sigterm_interrupts"]

EXIT_STATUS = 130
TERMINATED_STATUS = 143  # 128 + SIGTERM, the shell's status for a process it ended


class Terminated(KeyboardInterrupt):
    """SIGTERM during the search loop (``sigterm_interrupts``), raised where the main thread is,
    as Ctrl-C raises ``KeyboardInterrupt``: inside the training function too, whose attempt
    is then not recorded (the job runs again on resume)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While inside, SIGTERM raises ``Terminated`` in the main thread. Only where SIGTERM has
    its default action (a handler of the program's own is left alone) and only in the main
    thread (the only one that may set a handler); elsewhere, nothing changes."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def message(done: int, planned: int | None, terminated: bool = False) -> str:
    """The line printed when a search is interrupted after ``done`` of ``planned`` jobs."""
    where = f"{done} of {planned} jobs" if planned else f"{done} jobs"
    what = "terminated (SIGTERM)" if terminated else "interrupted"
    return (f"{what} after {where}; the project is saved: run the same script again to "
            "resume")


def in_ipython() -> bool:
    """True inside an IPython shell or a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get is not None and get() is not None


def interrupted(done: int, planned: int | None, terminated: bool = False) -> NoReturn:
    """Print the interruption line and stop: ``SearchInterrupted`` (exit status 130, or 143
    for SIGTERM, when uncaught), or ``KeyboardInterrupt`` in IPython."""
    line = message(done, planned, terminated)
    print(line, file=sys.stderr, flush=True)
    if in_ipython():
        raise KeyboardInterrupt(line) from None
    raise SearchInterrupted(line, TERMINATED_STATUS if terminated else EXIT_STATUS) from None
