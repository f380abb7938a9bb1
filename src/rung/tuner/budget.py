"""The budget of one ``search`` call: ``max_time`` (seconds) and ``max_epochs_total`` (epochs).

The search loop asks :meth:`SearchBudget.spent` before it starts each new job; once a limit is
reached it starts no more jobs, lets the running ones finish (they are recorded as usual) and the
search ends cleanly, saying why. Nothing is lost: running the search again continues it.

* ``max_time`` counts the wall-clock time of this ``search`` call.
* ``max_epochs_total`` counts the epochs trained in the whole project: the sum over its finished
  jobs of the epochs each trained (the epoch it reached minus its ``initial_epoch``; for a job
  without a planned length, e.g. in a single-fidelity search, the epochs it reported). Running
  the search again with a larger value extends it.

Together with ``Hyperband(hyperband_iterations=None)`` (iterations without end) this is how a
search is given "as much as fits" in a resource budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rung.storage import Storage
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_number, check_optional_int

__all__ = ["SearchBudget", "epochs_trained"]

_FINISHED = (TrialStatus.COMPLETED, TrialStatus.PRUNED, TrialStatus.FAILED)
_clock = time.monotonic  # a module attribute, so that tests can drive a simulated clock


def epochs_trained(storage: Storage, record: TrialRecord) -> int:
    """The epochs a finished job trained (see the module docstring)."""
    reached = record.epochs_reached
    if reached is None or record.status is TrialStatus.FAILED:
        reports = storage.epoch_metrics(record.trial_id)
        reached = reports[-1][0] if reports else record.initial_epoch
    return max(0, reached - record.initial_epoch)


@dataclass
class SearchBudget:
    """The limits of one ``search`` call and what has been spent of them.

    Args:
        max_time: seconds of this call (None: no limit).
        max_epochs_total: epochs trained in the whole project (None: no limit).
    """

    max_time: float | None = None
    max_epochs_total: int | None = None
    epochs: int = 0
    started: float = 0.0

    def __post_init__(self) -> None:
        self.max_time = check_number("max_time", self.max_time, 0, exclusive_minimum=True,
                                     allow_none=True, hint="seconds of this search call")
        self.max_epochs_total = check_optional_int(
            "max_epochs_total", self.max_epochs_total, 1,
            hint="the epochs trained in the whole project")

    def start(self, storage: Storage) -> None:
        """Start the clock and count the epochs the project's finished jobs trained."""
        self.started = _clock()
        if self.max_epochs_total is not None:
            self.epochs = sum(epochs_trained(storage, r) for r in storage.trials(_FINISHED))

    def add(self, storage: Storage, trial_id: str) -> None:
        """Count a job that just finished."""
        if self.max_epochs_total is not None:
            self.epochs += epochs_trained(storage, storage.get_trial(trial_id))

    def describe(self) -> str | None:
        """The limits in words, printed with the plan (None: no limit)."""
        limits = []
        if self.max_time is not None:
            limits.append(f"after {self.max_time:g} s (max_time: search again goes on)")
        if self.max_epochs_total is not None:
            limits.append(f"once the project has trained {self.max_epochs_total} epochs "
                          "(max_epochs_total, counted over every run of the project: a larger "
                          "one goes on)")
        if not limits:
            return None
        return "this search call starts no new job " + " or ".join(limits)

    def spent(self) -> str | None:
        """Why no new job may start (a sentence), or None while the budget lasts."""
        if self.max_epochs_total is not None and self.epochs >= self.max_epochs_total:
            return (f"max_epochs_total={self.max_epochs_total} reached: the project has trained "
                    f"{self.epochs} epochs. Run search again with a larger max_epochs_total to "
                    "continue it")
        elapsed = _clock() - self.started
        if self.max_time is not None and elapsed >= self.max_time:
            return (f"max_time={self.max_time:g} s reached after {elapsed:.1f} s. Run search "
                    "again to continue it")
        return None
