"""Best objective against epochs spent: what the search bought with its training budget.

Finished jobs are taken in the order they finished; each adds the epochs it trained (a promoted
job only its new epochs: it continued from its parent's checkpoint) to the epochs spent. The
best-so-far curve steps at every job that improved on the best value.

A search whose finished jobs trained no epoch it knows of (a single-fidelity search whose
training function reports none: each job trains as long as its code decides) has nothing to
put on an epochs axis: its jobs are then placed by the number of jobs finished (``by_jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rung.report.snapshot import Snapshot
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["Progress", "ProgressPoint", "best_by_epochs", "epochs_trained"]

_FINISHED = (TrialStatus.COMPLETED, TrialStatus.PRUNED, TrialStatus.FAILED)


@dataclass(frozen=True)
class ProgressPoint:
    """A finished job: the epochs spent once it finished, and its objective value (None when
    it produced none); ``jobs``: the jobs finished once it finished (it included)."""

    trial_id: str
    epochs_spent: int
    value: float | None
    jobs: int = 0

    def x(self, by_jobs: bool) -> int:
        """Where the job goes on the plot's x axis (see ``Progress.by_jobs``)."""
        return self.jobs if by_jobs else self.epochs_spent


@dataclass(frozen=True)
class Progress:
    """``steps``: ``(epochs spent, best value)`` at each improvement (``(jobs finished, best
    value)`` when ``by_jobs``); ``points``: finished jobs (at most ``max_points``, every
    improving one kept); ``epochs_spent`` in total and ``planned_epochs`` (None when not planned
    in advance); ``by_jobs``: no finished job trained an epoch the project knows of (see the
    module docstring), the x axis counts jobs finished."""

    steps: tuple[tuple[int, float], ...]
    points: tuple[ProgressPoint, ...]
    epochs_spent: int
    planned_epochs: int | None
    jobs: int
    by_jobs: bool = False

    @property
    def x_end(self) -> int:
        """The end of the x axis's data: epochs spent (or planned), or jobs finished."""
        return self.jobs if self.by_jobs else max(self.epochs_spent, self.planned_epochs or 0)


def epochs_trained(snapshot: Snapshot, record: TrialRecord) -> int:
    """The epochs a finished job trained: the epoch it reached (or last reported) minus the
    epoch it started from."""
    reached = record.epochs_reached
    if reached is None or record.status is TrialStatus.FAILED:
        reports = snapshot.curves.get(record.trial_id)
        reached = reports[-1][0] if reports else record.initial_epoch
    return max(0, reached - record.initial_epoch)


def best_by_epochs(snapshot: Snapshot, planned_epochs: int | None = None,
                   max_points: int = 5_000) -> Progress:
    """The best objective against the epochs spent (see the module docstring)."""
    finished = [r for r in snapshot.trials if r.status in _FINISHED]
    finished.sort(key=lambda r: r.finished_at if r.finished_at is not None else float("inf"))
    spent = 0
    best: float | None = None
    steps: list[tuple[int, float]] = []
    points: list[ProgressPoint] = []
    improving: set[int] = set()
    for record in finished:
        spent += epochs_trained(snapshot, record)
        value = snapshot.value(record)
        if value is not None and (best is None or snapshot.objective.better(value, best)):
            best = value
            steps.append((spent, value))
            improving.add(len(points))
        points.append(ProgressPoint(record.trial_id, spent, value, len(points) + 1))
    by_jobs = bool(finished) and spent == 0
    if by_jobs:  # no epoch to place them by: by the jobs finished
        steps = [(points[i].jobs, value) for i, (_, value) in zip(sorted(improving), steps,
                                                                   strict=True)]
    if len(points) > max_points:
        stride = len(points) / max_points
        keep = {int(i * stride) for i in range(max_points)} | improving
        points = [p for i, p in enumerate(points) if i in keep]
    return Progress(tuple(steps), tuple(points), spent, planned_epochs, len(finished), by_jobs)
