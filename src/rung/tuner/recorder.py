"""``JobRecorder``: how the search loop records what becomes of each job.

The search loop (``rung.tuner.loop``) decides what runs when; the recorder is its one interface
to the rest of the tuner. Each method is one state change of one job, written to the oracle and,
in one transaction with the oracle's new state, to storage::

    recorder.begin(trial)                          # an attempt starts (the tuner's hook)
    recorder.report(trial_id, epoch, metrics)      # an epoch's metrics -> keep going?
    recorder.store_report(trial_id, epoch, metrics)  # the same, kept from the oracle for now
    recorder.complete(trial, metrics, started, pruned)   # the job returned (or was stopped)
    recorder.fail(trial, error)                    # the job failed for good

``complete`` and ``fail`` return the status stored, call the tuner's ``on_trial_end`` hook and
print the job's line. The tuner's hooks come in as a :class:`TrialHooks`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from rung.trial import Trial
from rung.trial_record import TrialStatus
from rung.tuner.failures import NOT_FINITE
from rung.validation import nearest

if TYPE_CHECKING:
    from rung.checkpoints import CheckpointStore
    from rung.objective import MultiObjective, Objective
    from rung.oracles.base import Oracle
    from rung.storage import Storage
    from rung.tuner.cleanup import CheckpointCleanup
    from rung.tuner.display import Display

__all__ = ["JobRecorder", "TrialHooks"]


class TrialHooks(Protocol):
    """The tuner hooks called around each job (``rung.Tuner`` implements them)."""

    def on_trial_begin(self, trial: Trial) -> None: ...

    def on_trial_end(self, trial: Trial) -> None: ...


class JobRecorder:
    """Records jobs in the oracle and in storage (see the module docstring).

    Args:
        oracle, storage, checkpoints: the project's.
        cleanup: deletes checkpoints nothing can load any more, after each finished job.
        display: shows the search's progress (``rung.tuner.display``): told when an attempt
            starts, when an epoch is reported and when a job finishes.
        hooks: the tuner's ``on_trial_begin`` / ``on_trial_end``.
    """

    def __init__(self, oracle: Oracle, storage: Storage, checkpoints: CheckpointStore,
                 cleanup: CheckpointCleanup, display: Display, hooks: TrialHooks) -> None:
        self.oracle = oracle
        self.storage = storage
        self.checkpoints = checkpoints
        self.cleanup = cleanup
        self.display = display
        self.hooks = hooks
        self._checked_reports = False

    def begin(self, trial: Trial) -> None:
        self.display.started(trial)
        self.hooks.on_trial_begin(trial)

    def report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        """Store one epoch's metrics; False when a stopping scheduler stops the job."""
        self.store_report(trial_id, epoch, metrics)
        return self.oracle.on_report(trial_id, epoch, metrics)

    def store_report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> None:
        """Store and show one epoch's metrics without telling the oracle (a reproducible search
        tells it when the job's turn comes, ``rung.tuner.ordering``)."""
        self.storage.report(trial_id, epoch, metrics)
        self.display.reported(trial_id, epoch)

    def _check_reports(self, trial_id: str) -> None:
        """Warn once per search when the first job to finish reported epochs, none of them with
        the objective, to an oracle that stops jobs on reports (ASHA ``mode="stopping"``): it
        can stop nothing, and the search would silently train every job to the end."""
        reports = self.storage.epoch_metrics(trial_id)
        if not reports or not self.oracle.stops_trials:
            return
        self._checked_reports = True
        objective = self.oracle.objective
        if any(_holds(objective, m) for _, m in reports):
            return
        keys = sorted({str(k) for _, m in reports for k in m})
        close = nearest(objective.name, keys)
        n = len(reports)
        text = (f"trial {trial_id} reported {n} epoch{'' if n == 1 else 's'} without the "
                f"objective {objective.name!r} (keys {keys}): {type(self.oracle).__name__} "
                f"stops jobs only on reports of the objective, so no job will be stopped early. "
                f"Report {objective.name!r} in trial.report(epoch, ...)"
                + (f" (did you mean objective={close!r}?)." if close else "."))
        self.display.message(text)
        warnings.warn(text, UserWarning, stacklevel=2)

    def _count_attempt(self, trial_id: str, error: str) -> None:
        """The attempt ran to its end but its result fails the job: a failed attempt (stored
        with its error, as a raised one), so ``attempts`` never reads 0 for a failed job."""
        self.storage.record_failure(trial_id, self.storage.get_trial(trial_id).attempts + 1,
                                    error)

    def _last_report(self, trial_id: str) -> int | None:
        """The last epoch the job reported (None: none)."""
        reports = self.storage.epoch_metrics(trial_id)
        return reports[-1][0] if reports else None

    def fail(self, trial: Trial, error: str) -> TrialStatus:
        """The job failed for good (its attempts are spent, or it cannot succeed)."""
        self.oracle.tell_failed(trial.trial_id, error, values=trial.hyperparameters.values)
        # it trained to its last report (a killed or timed-out job never to its planned end)
        reached = self._last_report(trial.trial_id)
        self.storage.finish_trial(
            trial.trial_id, TrialStatus.FAILED, error=error,
            oracle_state=self.oracle.state_dict(), finished_at=time.time(),
            values=trial.hyperparameters.values,
            epochs_reached=trial.initial_epoch if reached is None else reached,
        )
        trial.record = self.storage.get_trial(trial.trial_id)
        self.display.job_failed(trial, error)
        self.hooks.on_trial_end(trial)
        return TrialStatus.FAILED

    def complete(self, trial: Trial, metrics: Mapping[str, float], started: float,
                 pruned: bool) -> TrialStatus:
        """The job returned ``metrics`` (or was stopped early, ``pruned``): tell the oracle and
        store the status it decided (FAILED when the objective is missing or not finite)."""
        try:
            self.oracle.objective.value(metrics)
        except (ValueError, TypeError) as exc:  # no objective in the result: this trial fails
            why = f"{type(exc).__name__}: {exc}"
            self._count_attempt(trial.trial_id, why)
            return self.fail(trial, why)
        if not self._checked_reports:
            self._check_reports(trial.trial_id)
        reached = None
        if pruned:  # stopped at the last epoch it reported (within its range: a report
            reached = self._last_report(trial.trial_id)  # outside it was warned of)
            reached = trial.initial_epoch if reached is None else reached
            if trial.epochs is not None:
                reached = min(max(reached, trial.initial_epoch), trial.epochs)
        elif trial.epochs is None:  # no planned length (single-fidelity): the function decided,
            reached = self._last_report(trial.trial_id)  # and its reports say (if any)
        record = self.oracle.tell(
            trial.trial_id, metrics, values=trial.hyperparameters.values, epochs_reached=reached,
            status=TrialStatus.PRUNED if pruned else TrialStatus.COMPLETED)
        error = None if record.loss is not None else (
            f"{NOT_FINITE}: {dict(metrics)}")
        if error is not None:
            self._count_attempt(trial.trial_id, error)
        self.storage.finish_trial(
            trial.trial_id, record.status, metrics=metrics, loss=record.loss, error=error,
            oracle_state=self.oracle.state_dict(), finished_at=time.time(),
            values=record.values,  # what define-by-run code really used
            epochs_reached=record.epochs_reached,
        )
        self.cleanup.after_job()  # after the commit: a kill before it loses nothing
        trial.record = self.storage.get_trial(trial.trial_id)
        self.display.job(trial, self.oracle, time.perf_counter() - started)
        self.hooks.on_trial_end(trial)
        return record.status


def _holds(objective: Objective | MultiObjective, metrics: Mapping[str, float]) -> bool:
    try:
        objective.value(metrics)
    except (ValueError, TypeError, KeyError):
        return False
    return True
