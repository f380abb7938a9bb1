"""The search loop: keep up to ``executor.slots`` jobs in flight, one transaction per state change.

::

    fill:   while a slot is free:  suggestion = oracle.ask()   (None: finished, or waiting)
                                   storage.create_trial(record, oracle.state_dict())
                                   executor.submit(job)
    wait:   for each result of executor.wait():
                reports -> storage.report (unless the executor delivered them live)
                completed/pruned -> oracle.tell -> storage.finish_trial(..., oracle.state_dict())
                error/lost       -> storage.record_failure; re-submit while attempts remain,
                                    else oracle.tell_failed -> storage.finish_trial(FAILED, ...)
    repeat until nothing is in flight and the oracle gives no more jobs.

Define-by-run: while the search space is still empty (nothing declared up front, no job completed
yet) one job runs at a time, so that the first trial declares the space before others sample it.
Jobs the oracle still had pending when the project was stored (a killed or interrupted search)
are re-submitted first. With one slot the order is exactly the sequential one: ask, run, tell.
The driver alone touches the oracle and the storage (through a ``JobRecorder``, the loop's one
interface to the tuner); workers only train. A ``SearchBudget`` may stop the loop early: then no
new job starts, the running ones finish and are recorded.

Reproducible mode (``reproducible=True``, ``rung.tuner.ordering``): results are handled strictly
in the order the jobs started, each followed by the fill; the oracle sees a job's reports when
its result is handled, and a stopping scheduler's decisions come from its rule as of the job's
ask. Whatever the oracle sees is then a pure function of the seed and the number of slots.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rung.errors import ProjectInUseError, ProjectWriteError
from rung.executors.base import Executor, JobResult, JobSpec, Outcome, StopRule
from rung.hyperparameters import HyperParameters
from rung.oracles.base import Suggestion
from rung.trial import Trial
from rung.trial_record import TrialStatus
from rung.tuner._outcomes import JobOutcomes
from rung.tuner.budget import SearchBudget
from rung.tuner.failures import objective_not_reported_error
from rung.tuner.ordering import InOrder
from rung.tuner.recorder import JobRecorder

__all__ = ["Job", "SearchLoop"]


@dataclass(frozen=True)
class Job:
    """What every job of a search runs: ``function(trial, *args, **kwargs)``, and how often a
    failing one is retried before the search gives up."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    max_retries_per_trial: int = 0
    max_consecutive_failed_trials: int = 3


@dataclass
class _Running:
    suggestion: Suggestion
    attempt: int
    started: float
    trial: Trial
    space: dict[str, Any]  # the search space sent with the job ({} in the driver)
    # reproducible mode: the stop rule as of the job's ask; the reports and the declarations of
    # failed attempts the oracle has not seen yet (it sees them at the job's turn)
    rule: StopRule | None = None
    reports: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    declared: list[HyperParameters] = field(default_factory=list)


class SearchLoop(JobOutcomes):
    """Runs one ``Tuner.search`` call on an executor (see the module docstring).

    Attributes:
        finished_jobs: jobs this call finished (completed, pruned or failed for good).
        stopped: why the budget stopped the search (a sentence), or None.
        in_order: reproducible mode's queue of started jobs and held results, or None.
    """

    def __init__(self, recorder: JobRecorder, executor: Executor, job: Job,
                 budget: SearchBudget | None = None, reproducible: bool = False) -> None:
        self.recorder = recorder
        self.oracle = recorder.oracle
        self.storage = recorder.storage
        self.executor = executor
        self.job = job
        self.budget = budget or SearchBudget()
        self.stopped: str | None = None
        self.running: dict[str, _Running] = {}
        self.consecutive_failures = 0
        self.finished_jobs = 0
        self.in_order = InOrder() if reproducible else None
        self.checkpoint_root = str(recorder.checkpoints.root.resolve())

    def run(self) -> None:
        reruns = list(self.oracle.pending.values())  # the display said so with the plan
        self.executor.start(self.recorder.report if self.in_order is None else self._held_report)
        self.recorder.display.workers(self.executor.slots)
        self.budget.start(self.storage)
        while True:
            self._fill(reruns)
            if not self.running:
                break
            results = [r for r in self.executor.wait() if self._in_flight(r)]
            if self.in_order is None:  # asynchronous: in the order they ended
                for result in results:
                    self._handle(result)
                continue
            for result in results:
                self._arrive(result, self.in_order)
            while (ready := self.in_order.next_ready()) is not None:
                self._handle(ready)
                self._fill(reruns)  # after each job, as if it had been the only one to end
        if self.stopped is not None:  # in words, counting the jobs that finished after the stop
            self.stopped = self.budget.spent() or self.stopped
        if not self.oracle.finished and self.stopped is None:
            raise RuntimeError(
                f"the oracle is waiting on jobs that are not running: {sorted(self.oracle.pending)}")

    def _in_flight(self, result: JobResult) -> bool:
        """Whether ``result`` is of a job running now; an executor's result of one that is not
        (returned twice, or after the job was given up) is left out with a warning."""
        if result.trial_id in self.running:
            return True
        warnings.warn(f"{type(self.executor).__name__} returned a result of trial "
                      f"{result.trial_id!r} (attempt {result.attempt}), which is not running: "
                      "left out (a bug of the executor: rung.testing.check_executor finds it)",
                      RuntimeWarning, stacklevel=2)
        return False

    def _fill(self, reruns: list[Suggestion]) -> None:
        """Start jobs while a slot is free: interrupted ones first, then the oracle's."""
        while len(self.running) < self._slots():
            self.stopped = self.stopped or self.budget.spent()
            if self.stopped:  # start no new job; the running ones finish and are recorded
                return
            suggestion: Suggestion | None
            if reruns:
                suggestion = reruns.pop(0)
                self.storage.clear_reports(suggestion.trial_id)  # its epochs come again
            else:
                suggestion = self.oracle.ask()
                if suggestion is None:
                    return
                self.storage.create_trial(
                    suggestion.to_record(created_at=time.time()), self.oracle.state_dict())
            self._submit(suggestion, time.perf_counter())
            if self.in_order is not None:
                self.in_order.started(suggestion.trial_id)

    def _slots(self) -> int:
        """Define-by-run: while the space is empty and no job has completed, one job at a time,
        so that the first trial teaches the oracle the search space before others sample it."""
        if not self.oracle.hyperparameters.space and not any(
                r.loss is not None for r in self.oracle.records):
            return 1
        return self.executor.slots

    # --- one job ------------------------------------------------------------------------------
    def _submit(self, suggestion: Suggestion, started: float,
                previous: _Running | None = None) -> None:
        """Start the next attempt of ``suggestion`` (its stored record counts the attempts);
        ``previous``: the attempt that failed (reproducible mode keeps its space)."""
        recorder, executor, job = self.recorder, self.executor, self.job
        record = self.storage.get_trial(suggestion.trial_id)
        attempt = record.attempts + 1
        hp = self.oracle.hyperparameters.clone_with_values(suggestion.values)
        if not self.oracle.allow_new_entries:
            hp._close()
        reporter = recorder.report if self.in_order is None else self._held_report
        trial = Trial(record, hp, self.oracle.objective, reporter, recorder.checkpoints)
        recorder.begin(trial)
        space = {} if executor.runs_in_driver else self.oracle.hyperparameters.get_config()
        run = _Running(suggestion, attempt, started, trial, space)
        live = executor.live_reports and self.in_order is None
        if self.in_order is not None:  # decisions and space as of the job's ask, not of now
            run.rule = self.oracle.stop_rule(record.trial_id, as_asked=True)
            if previous is not None:
                run.space, run.declared = previous.space, previous.declared
        elif not live:  # the worker decides with the rule as of now
            run.rule = self.oracle.stop_rule(record.trial_id)
        shared, parent = executor.shares_filesystem, record.parent_id
        spec = JobSpec(
            record=record, attempt=attempt, function=job.function, args=job.args,
            kwargs=job.kwargs, space=run.space,
            objective=self.oracle.objective,
            checkpoint_root=self.checkpoint_root if shared else None,
            parent_checkpoint=recorder.checkpoints.pack(parent) if parent and not shared else None,
            stop_rule=run.rule,
            live_decisions=self.oracle.stops_trials and live,
            live_trial=trial if executor.runs_in_driver else None,
            allow_new_entries=self.oracle.allow_new_entries,
        )
        self.running[suggestion.trial_id] = run
        executor.submit(spec)

    def _held_report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        """Reproducible mode: a report stored at once and kept for the oracle until the job's
        turn; the job goes on as its stop rule (as of its ask) says."""
        self.recorder.store_report(trial_id, epoch, metrics)
        run = self.running.get(trial_id)
        if run is None:
            return True
        run.reports.append((epoch, dict(metrics)))
        return run.rule is None or bool(run.rule(epoch, metrics))

    def _arrive(self, result: JobResult, in_order: InOrder) -> None:
        """Reproducible mode: hold a result until its turn. A failed attempt that will be
        retried is retried at once (the job keeps its place); an error that stops the search
        stops it at once."""
        stops = result.outcome is Outcome.FATAL or isinstance(
            result.exception, (ProjectInUseError, ProjectWriteError))
        if stops:
            self._handle(result)  # raises
        elif self._retries(result):
            self._failed_attempt(self.running[result.trial_id], result)
        else:
            in_order.hold(result)

    def _handle(self, result: JobResult) -> None:
        run = self.running.pop(result.trial_id)
        for declared in run.declared:  # reproducible mode: what earlier attempts declared
            self.oracle.update_space(declared)
        for epoch, metrics in run.reports:  # reproducible mode: stored live, seen by the oracle now
            self.oracle.on_report(result.trial_id, epoch, metrics)
        for epoch, metrics in result.reports:  # reports that did not reach the driver live
            self.recorder.report(result.trial_id, epoch, metrics)
        if result.outcome in (Outcome.COMPLETED, Outcome.PRUNED):
            if result.checkpoint is not None:
                self.recorder.checkpoints.unpack(result.trial_id, result.checkpoint)
            # define-by-run: a stopped job declared its hyperparameters too (the first job of a
            # search, stopped for a NaN, must still teach the oracle the space)
            self.oracle.update_space(self._declared(run, result))
            status = self.recorder.complete(run.trial, result.metrics or {}, run.started,
                                            pruned=result.outcome is Outcome.PRUNED)
            metrics = result.metrics or {}
            if status is TrialStatus.FAILED and not self._holds_objective(metrics):
                error = objective_not_reported_error(self.storage, result.trial_id,
                                                     self.oracle.objective.name)
                if error is not None:
                    raise error
            self._count(status, result.trial_id, diverged=status is TrialStatus.FAILED
                        and self._not_finite(metrics))
            return
        failed = self._failed_attempt(run, result)
        if failed is not None:  # else retried; a FailedTrialError: the configuration's failure
            self._count(failed, result.trial_id, diverged=result.outcome is Outcome.FAILED)

    def _declared(self, run: _Running, result: JobResult) -> HyperParameters:
        """The trial's hyperparameters as its code declared them (sent back by remote workers)."""
        if result.space is not None and not self.executor.runs_in_driver:
            run.trial.hyperparameters = HyperParameters.from_config(result.space).clone_with_values(
                result.values or {})
        return run.trial.hyperparameters
