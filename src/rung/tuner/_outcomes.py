"""What the search loop does with a job that ended (``rung.tuner.loop.SearchLoop``'s base):
a failed attempt retried or failed for good, the failures in a row counted against
``max_consecutive_failed_trials``, and the failures that stop a search at once."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rung.errors import FatalRuntimeError, ProjectInUseError, ProjectWriteError
from rung.executors.base import JobResult, Outcome
from rung.trial_record import TrialStatus
from rung.tuner.failures import bad_declaration_error, consecutive_failures_error

if TYPE_CHECKING:
    from rung.executors.base import Executor
    from rung.hyperparameters import HyperParameters
    from rung.oracles.base import Oracle, Suggestion
    from rung.storage import Storage
    from rung.tuner.budget import SearchBudget
    from rung.tuner.loop import Job, _Running
    from rung.tuner.ordering import InOrder
    from rung.tuner.recorder import JobRecorder

__all__ = ["JobOutcomes"]


class JobOutcomes:
    """The failure rules of ``SearchLoop`` (see ``rung.tuner.failures`` for their errors)."""

    if TYPE_CHECKING:  # set by SearchLoop
        recorder: JobRecorder
        oracle: Oracle
        storage: Storage
        executor: Executor
        job: Job
        budget: SearchBudget
        in_order: InOrder | None
        consecutive_failures: int
        finished_jobs: int

        def _declared(self, run: _Running, result: JobResult) -> HyperParameters: ...
        def _submit(self, suggestion: Suggestion, started: float,
                    previous: _Running | None = None) -> None: ...

    def _failed_attempt(self, run: _Running, result: JobResult) -> TrialStatus | None:
        """Record a failed attempt; retry it (None) or fail the job for good (FAILED)."""
        error = result.error or str(result.exception)
        if isinstance(result.exception, (ProjectInUseError, ProjectWriteError)):
            raise result.exception  # the project cannot be written: not the job's failure
        self.storage.record_failure(result.trial_id, result.attempt, error)
        if result.outcome is Outcome.FATAL:
            exc = result.exception
            raise exc if exc is not None else FatalRuntimeError(error)
        stop = bad_declaration_error(self.storage, result.trial_id, result.exception)
        if stop is not None:
            self.recorder.fail(run.trial, error)
            raise stop from result.exception
        # define-by-run: what the trial declared before failing is the space to sample, or
        # a failed first trial would leave the oracle with nothing but its empty configuration
        declared = self._declared(run, result)
        retry = self._retries(result)
        if retry and self.in_order is not None:
            run.declared.append(declared)  # the oracle learns it at the job's turn
        else:
            self.oracle.update_space(declared)
        self.recorder.display.failure(run.trial, result.attempt,
                                      result.exception or RuntimeError(error), retry)
        if not retry:
            return self.recorder.fail(run.trial, error)
        self.storage.clear_reports(result.trial_id)  # the retry reports its epochs anew
        self._submit(run.suggestion, run.started, run)  # record_failure counted the attempt
        return None

    def _retries(self, result: JobResult) -> bool:
        """A failed attempt that is retried: an error or a lost worker, with attempts left."""
        return result.outcome in (Outcome.ERROR, Outcome.LOST) and (
            result.attempt <= self.job.max_retries_per_trial)

    def _holds_objective(self, metrics: dict[str, float]) -> bool:
        try:
            self.oracle.objective.value(metrics)
        except (ValueError, TypeError, KeyError):
            return False
        return True

    def _not_finite(self, metrics: dict[str, float]) -> bool:
        """True when ``metrics`` hold the objective and it is NaN or infinite."""
        try:
            return not math.isfinite(self.oracle.objective.value(metrics))
        except (ValueError, TypeError, KeyError):
            return False  # no objective: the function's result is wrong, not the configuration

    def _count(self, status: TrialStatus, trial_id: str, diverged: bool = False) -> None:
        """Count a finished job against the budget and the failures in a row. A job that ran
        but whose objective is NaN or infinite (a diverged configuration), or that raised
        ``FailedTrialError`` (values the function refuses), counts as a failure in a row only
        while no job of the project has completed: once the function has shown it works, such
        a result says the configuration is bad, not the code (keras-tuner never counts its
        ``INVALID`` trials)."""
        self.finished_jobs += 1
        self.budget.add(self.storage, trial_id)
        if diverged and self.storage.count_trials(TrialStatus.COMPLETED):
            return
        self.consecutive_failures = (
            self.consecutive_failures + 1 if status is TrialStatus.FAILED else 0)
        limit = self.job.max_consecutive_failed_trials
        if self.consecutive_failures >= limit:
            raise consecutive_failures_error(self.storage, trial_id, self.consecutive_failures,
                                             limit, self.executor.workers_outlive_the_search)
