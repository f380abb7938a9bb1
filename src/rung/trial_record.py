"""The stored form of a trial: what storage keeps and oracles learn from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["TrialRecord", "TrialStatus", "creation_order"]


class TrialStatus(str, enum.Enum):
    """Lifecycle of a trial (one job: a configuration trained for an epoch range).

    Storage and oracles keep RUNNING, COMPLETED, FAILED and PRUNED. The other members are
    keras-tuner's, for the ``Trial`` view and for custom oracles: ``Trial.status`` is INVALID for
    a trial whose objective was NaN or infinite (stored as FAILED, with its metrics); IDLE and
    STOPPED are what ``oracle.create_trial`` hands out when there is nothing to run yet, or any
    more. Members compare equal to their names (``TrialStatus.INVALID == "INVALID"``) and print
    as them (``str(TrialStatus.COMPLETED) == "COMPLETED"``, in f-strings too).
    """

    RUNNING = "RUNNING"  # handed out by the oracle, result not yet told
    COMPLETED = "COMPLETED"  # finished with a finite objective
    FAILED = "FAILED"  # raised (after retries), or produced NaN/inf
    PRUNED = "PRUNED"  # stopped early by a stopping scheduler (ASHA stopping variant)
    INVALID = "INVALID"  # keras-tuner: the objective was NaN or infinite; never the best
    IDLE = "IDLE"  # keras-tuner: no trial to run until running ones end
    STOPPED = "STOPPED"  # keras-tuner: the search (or this trial) was stopped by the oracle

    @property
    def is_finished(self) -> bool:
        return self not in (TrialStatus.RUNNING, TrialStatus.IDLE)

    def __str__(self) -> str:
        """The name alone, as keras-tuner's string constants print (``COMPLETED``)."""
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


@dataclass(frozen=True)
class TrialRecord:
    """One trial as stored.

    ``values`` are the active hyperparameter values; ``metrics`` the final metrics used for the
    objective; ``loss`` the objective turned into "lower is better" (``None`` unless COMPLETED).
    ``epochs``/``initial_epoch`` follow Keras: the trial trains epochs ``initial_epoch+1 ..
    epochs``; ``parent_id`` is the trial whose checkpoint it continues from. ``epochs_reached`` is
    the epoch a finished job really reached (a pruned job stops before ``epochs``; a job with no
    planned length, ``epochs`` 0, ends at the last epoch it reported; ``None`` while running or
    where unknown, e.g. no epoch reported).
    """

    trial_id: str
    values: dict[str, Any]
    status: TrialStatus = TrialStatus.RUNNING
    epochs: int = 0
    initial_epoch: int = 0
    parent_id: str | None = None
    bracket: int | None = None
    rung: int | None = None
    iteration: int = 0
    metrics: dict[str, float] = field(default_factory=dict)
    loss: float | None = None
    attempts: int = 0
    error: str | None = None
    created_at: float = 0.0
    finished_at: float | None = None
    epochs_reached: int | None = None

    def replace(self, **changes: Any) -> TrialRecord:
        return replace(self, **changes)


def creation_order(trial_id: str) -> tuple[int, str]:
    """Sort key that puts trial ids in the order they were made: ids are zero-padded counters
    ("00042") that outgrow their padding after 99,999 ("100000" must follow "99999")."""
    return len(trial_id), trial_id
