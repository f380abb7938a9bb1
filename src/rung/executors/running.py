"""The trials whose training function is running in this process, by trial id.

keras-tuner code reports from inside ``run_trial`` with ``self.oracle.update_trial(trial_id,
metrics, step)``; the oracle it calls is the tuner's (or, in a worker process, the tuner's copy).
``execute`` registers the live ``Trial`` here while the function runs, so that such a call reaches
``trial.report`` wherever the job runs.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rung.trial import Trial

__all__ = ["running", "running_trial"]

_LOCK = threading.Lock()
_RUNNING: dict[str, Trial] = {}


@contextlib.contextmanager
def running(trial: Trial) -> Iterator[None]:
    """Register ``trial`` as running for the duration of the block."""
    with _LOCK:
        _RUNNING[trial.trial_id] = trial
    try:
        yield
    finally:
        with _LOCK:
            if _RUNNING.get(trial.trial_id) is trial:
                del _RUNNING[trial.trial_id]


def running_trial(trial_id: str) -> Trial | None:
    """The trial ``trial_id`` if its training function is running in this process, else None."""
    with _LOCK:
        return _RUNNING.get(trial_id)
