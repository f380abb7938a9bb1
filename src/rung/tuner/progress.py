"""How far a search is, against its plan: the numbers behind the live progress display.

Pure bookkeeping, updated by the tuner's events and read by a renderer (``rung.tuner.display``);
nothing here prints. The plan (``Budget``) is known before the search starts, so the fraction
done is honest: it counts the *planned* epochs each job consumes (``epochs - initial_epoch``,
whether the job completed, was pruned or failed: the plan moves on either way) plus the epochs
running jobs have reported so far. Where the plan has no epochs (single-fidelity searches with
no ``epochs``, ASHA's stopping variant) jobs are the unit; where it has neither (ASHA's
promotions, ``hyperband_iterations=None``) only counts are shown, with no total and no estimate.

The estimate of the time left is the rate of this ``search`` call (work done since it started,
so a resumed search is not credited with the work of an earlier process) applied to the work
left, and never more than what is left of ``search(max_time=...)`` (with no plan to measure
against, that is the estimate; once it has passed, no estimate is shown while running jobs end).
Events may come from executor threads: a lock guards every update and every read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rung.oracles.schedule import Budget
from rung.trial_record import TrialRecord, creation_order

__all__ = ["RunningJob", "SearchProgress", "Snapshot"]


@dataclass(frozen=True)
class RunningJob:
    """A job in flight: where it is in the schedule and the last epoch it reported."""

    trial_id: str
    bracket: int | None
    rung: int | None
    iteration: int
    initial_epoch: int
    epochs: int
    epoch: int  # the last epoch reported (initial_epoch before the first report)


@dataclass(frozen=True)
class Snapshot:
    """What a renderer draws, read at one instant (see ``SearchProgress.snapshot``)."""

    jobs_done: int
    jobs_planned: int  # 0: not known in advance
    epochs_done: int
    epochs_planned: int | None  # None: not known in advance
    counts: dict[str, int]  # finished jobs by status name (COMPLETED, PRUNED, FAILED)
    best: float | None
    best_trial: str | None
    objective: str
    running: tuple[RunningJob, ...]
    rungs_done: dict[tuple[int, int, int], int]  # (iteration, bracket, rung) -> finished jobs
    workers: int
    recent: tuple[int, int] | None  # (iteration, bracket) of the job started last
    elapsed: float
    remaining: float | None  # seconds, None while unknown

    @property
    def fraction(self) -> float | None:
        """Fraction of the plan done (epochs when planned, else jobs), or None."""
        if self.epochs_planned:
            return min(1.0, self.epochs_done / self.epochs_planned)
        if self.jobs_planned:
            return min(1.0, self.jobs_done / self.jobs_planned)
        return None


class SearchProgress:
    """The progress of one ``search`` call (see the module docstring).

    Args:
        budget: the search's plan.
        objective: the objective's name (shown with the best value).
        clock: seconds, monotonic (``time.monotonic``; tests pass a fake one).
        max_time: ``search(max_time=...)``, seconds from now (None: no limit).
    """

    def __init__(self, budget: Budget, objective: str = "objective",
                 clock: Callable[[], float] = time.monotonic,
                 max_time: float | None = None) -> None:
        self.budget = budget
        self.max_time = max_time
        self.objective = objective
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._jobs_done = 0
        self._epochs_done = 0
        self._work_at_start = 0.0  # work units done by earlier processes (a resumed search)
        self._counts: dict[str, int] = {}
        self._rungs: dict[tuple[int, int, int], int] = {}
        self._running: dict[str, RunningJob] = {}
        self._best: tuple[float, str] | None = None
        self._recent: tuple[int, int] | None = None
        self.workers = 1

    # --- events ------------------------------------------------------------------------------
    def restore(self, finished: Iterable[TrialRecord]) -> None:
        """Count jobs an earlier process finished (a resumed search); call before the first job."""
        with self._lock:
            for record in finished:
                self._count(record)
            self._work_at_start = self._work()

    def started(self, record: TrialRecord) -> None:
        with self._lock:
            self._running[record.trial_id] = RunningJob(
                record.trial_id, record.bracket, record.rung, record.iteration,
                record.initial_epoch, record.epochs, record.initial_epoch)
            if record.bracket is not None:
                self._recent = (record.iteration, record.bracket)

    def reported(self, trial_id: str, epoch: int) -> None:
        with self._lock:
            job = self._running.get(trial_id)
            if job is not None and epoch > job.epoch:
                self._running[trial_id] = RunningJob(
                    job.trial_id, job.bracket, job.rung, job.iteration, job.initial_epoch,
                    job.epochs, min(epoch, job.epochs))

    def finished(self, record: TrialRecord, best: float | None = None,
                 best_trial: str | None = None) -> None:
        """A job finished for good; ``best`` is the best objective so far (the oracle's)."""
        with self._lock:
            self._running.pop(record.trial_id, None)
            self._count(record)
            if best is not None and best_trial is not None:
                self._best = (best, best_trial)

    def _count(self, record: TrialRecord) -> None:
        self._jobs_done += 1
        self._epochs_done += max(0, record.epochs - record.initial_epoch)
        name = record.status.value
        self._counts[name] = self._counts.get(name, 0) + 1
        if record.bracket is not None and record.rung is not None:
            key = (record.iteration, record.bracket, record.rung)
            self._rungs[key] = self._rungs.get(key, 0) + 1

    def set_best(self, best: float | None, best_trial: str | None) -> None:
        with self._lock:
            self._best = None if best is None or best_trial is None else (best, best_trial)

    # --- reading -----------------------------------------------------------------------------
    def _running_epochs(self) -> int:
        return sum(job.epoch - job.initial_epoch for job in self._running.values())

    def _work(self) -> float:
        if self.budget.epochs:
            return self._epochs_done + self._running_epochs()
        return self._jobs_done

    def _planned_work(self) -> float | None:
        return self.budget.epochs or self.budget.jobs or None

    def snapshot(self) -> Snapshot:
        with self._lock:
            elapsed = self._clock() - self._started
            planned, work = self._planned_work(), self._work()
            this_call = work - self._work_at_start
            remaining = None
            if planned is not None and this_call > 0 and elapsed > 0:
                remaining = max(0.0, planned - work) * elapsed / this_call
            if self.max_time is not None:
                limit = self.max_time - elapsed
                remaining = None if limit <= 0 else min(limit, remaining if remaining is not None
                                                        else limit)
            return Snapshot(
                jobs_done=self._jobs_done, jobs_planned=self.budget.jobs,
                epochs_done=self._epochs_done + self._running_epochs(),
                epochs_planned=self.budget.epochs or None, counts=dict(self._counts),
                best=None if self._best is None else self._best[0],
                best_trial=None if self._best is None else self._best[1],
                objective=self.objective,
                running=tuple(sorted(self._running.values(), key=lambda j: creation_order(j.trial_id))),
                rungs_done=dict(self._rungs), workers=self.workers, recent=self._recent,
                elapsed=elapsed,
                remaining=remaining)
