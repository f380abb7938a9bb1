"""A worker process never starts a search: the missing ``if __name__ == "__main__":`` guard.

Worker processes start with ``spawn``: each re-imports the script that started the search (as
``__mp_main__``). A script without the main guard would then construct a tuner in every worker,
and ``overwrite=True`` would delete the project of the running search. The tuner calls
:func:`refuse_in_worker` first thing, before it deletes or opens anything, and the driver learns
why the worker died: the worker writes the message to the file named by the environment variable
``NOTE_VARIABLE``, which :class:`~rung.executors.ProcessExecutor` sets for each worker it starts,
and the driver stops the search with that message instead of "worker died (exit code 1)".
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

from rung.errors import ConfigurationError

__all__ = ["NOTE_VARIABLE", "WORKER_PREFIX", "note_file", "read_note", "refuse_in_worker"]

WORKER_PREFIX = "rung-worker-"
NOTE_VARIABLE = "RUNG_WORKER_NOTE"

GUARD_HINT = """\
Put the code that builds the tuner and runs the search under the main guard, so that it runs only
in the process you started:

    if __name__ == "__main__":
        tuner = rung.Hyperband(...)
        tuner.search(workers=4)

The worker stopped before it deleted or wrote anything."""


def _in_worker() -> str | None:
    """The name of this process if it is a rung worker or a process still starting (spawn
    re-imports the main module then), else None."""
    process = multiprocessing.current_process()
    if process.name.startswith(WORKER_PREFIX) or getattr(process, "_inheriting", False):
        return process.name
    return None


def refuse_in_worker(what: str) -> None:
    """Raise ``ConfigurationError`` when called in a worker process (see the module docstring)."""
    name = _in_worker()
    if name is None:
        return
    message = (
        f"{what} was constructed in the worker process {name!r}: a worker re-runs the top-level "
        "code of the script that started the search (multiprocessing's 'spawn' imports it as "
        f"__mp_main__), and the script has no `if __name__ == \"__main__\":` guard.\n{GUARD_HINT}"
    )
    path = os.environ.get(NOTE_VARIABLE)
    if path:
        with contextlib.suppress(OSError):
            Path(path).write_text(message)
    raise ConfigurationError(message)


@contextlib.contextmanager
def note_file(path: Path) -> Iterator[None]:
    """Set ``NOTE_VARIABLE`` to ``path`` while a worker process is started (it inherits it)."""
    before = os.environ.get(NOTE_VARIABLE)
    os.environ[NOTE_VARIABLE] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ[NOTE_VARIABLE]
        else:
            os.environ[NOTE_VARIABLE] = before


def read_note(path: Path) -> str | None:
    """The message a worker left in ``path`` (then deleted), or None."""
    try:
        text = path.read_text()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        path.unlink()
    return text or None
