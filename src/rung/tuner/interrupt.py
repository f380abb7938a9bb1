"""Ctrl-C during ``search``: one line instead of a traceback from inside the job, exit status 130.

Every finished job is committed as it ends and the job that was running is re-run on resume, so
an interrupted project is safe; the user only needs to know that, and how far the search got::

    interrupted after 12 of 69 jobs; the project is saved: run the same script again to resume

Outside IPython ``search`` then raises ``rung.errors.SearchInterrupted``: both a
``SystemExit(130)`` (uncaught, the process exits with the shell's status for SIGINT, with no
traceback) and a ``KeyboardInterrupt`` (a script that catches it around ``search``, as with
keras-tuner, goes on). Inside IPython or Jupyter a fresh ``KeyboardInterrupt`` is raised (the
kernel keeps running, and the job's traceback is not shown).
"""

from __future__ import annotations

import sys
from typing import NoReturn

from rung.errors import SearchInterrupted

__all__ = ["EXIT_STATUS", "in_ipython", "interrupted", "message"]

EXIT_STATUS = 130


def message(done: int, planned: int | None) -> str:
    """The line printed when a search is interrupted after ``done`` of ``planned`` jobs."""
    where = f"{done} of {planned} jobs" if planned else f"{done} jobs"
    return (f"interrupted after {where}; the project is saved: run the same script again to "
            "resume")


def in_ipython() -> bool:
    """True inside an IPython shell or a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get is not None and get() is not None


def interrupted(done: int, planned: int | None) -> NoReturn:
    """Print the interruption line and stop: ``SearchInterrupted`` (exit status 130 when
    uncaught), or ``KeyboardInterrupt`` in IPython."""
    print(message(done, planned), file=sys.stderr, flush=True)
    if in_ipython():
        raise KeyboardInterrupt(message(done, planned)) from None
    raise SearchInterrupted(message(done, planned), EXIT_STATUS) from None
