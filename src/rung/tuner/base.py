"""``Tuner``: the thin coordinator between an oracle, a storage and the training code.

The search loop, in order, for every job::

    suggestion = oracle.ask()
    storage.create_trial(record, oracle.state_dict())     # one transaction
    result = run_trial(trial, *search_args)               # retried on error
    oracle.tell(...) / oracle.tell_failed(...)
    storage.finish_trial(..., oracle.state_dict())        # one transaction

Because the scheduler state is written in the same transaction as the trial change it produced,
a process killed at any moment resumes exactly: the jobs that were running are re-run, nothing
finished is repeated, and the RNG continues where it was.
"""

from __future__ import annotations

import math
import shutil
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rung.checkpoints import CheckpointStore
from rung.errors import (
    ConfigurationError,
    FailedTrialError,
    FatalError,
    TooManyFailedTrialsError,
    TrialPruned,
)
from rung.hyperparameters import HyperParameters
from rung.oracles.base import Oracle, Suggestion
from rung.storage import Storage, get_storage
from rung.trial import Trial
from rung.trial_record import TrialStatus
from rung.tuner.display import Display

__all__ = ["Tuner"]

DB_NAME = "rung.db"
_FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


class Tuner:
    """Runs a search: asks the oracle for jobs, trains them, records everything.

    Args:
        oracle: the algorithm (``rung.oracles.*``).
        hypermodel: a Keras build function or ``rung.HyperModel`` (see ``rung.integrations.keras``).
        run_trial: ``train(trial, *search_args, **search_kwargs)`` returning a float, a dict of
            metrics, or None (then the metrics of the last ``trial.report`` count). Subclasses may
            override ``run_trial`` instead (keras-tuner style).
        directory, project_name: the project lives in ``directory/project_name`` (the SQLite file
            ``rung.db`` and ``trials/<id>/`` checkpoints).
        overwrite: delete an existing project first. Without it an existing project is resumed,
            and settings that differ from the stored ones are an error.
        storage: ``None`` (SQLite in the project directory), a path, or a ``rung.storage.Storage``
            (e.g. ``InMemoryStorage()``).
        max_retries_per_trial: re-run a job that raised up to this many times.
        max_consecutive_failed_trials: stop with ``TooManyFailedTrialsError`` after this many
            failed jobs in a row.
        verbose: 0 silent, 1 one line per job plus the plan and a summary.
        executions_per_trial, max_model_size, optimizer, loss, metrics, distribution_strategy,
            tuner_id, logger: keras-tuner's arguments for Keras hypermodels (see
            ``rung.integrations.keras``); unknown arguments are an error.
    """

    def __init__(
        self,
        oracle: Oracle,
        hypermodel: Any = None,
        run_trial: Callable[..., Any] | None = None,
        directory: str | Path = ".",
        project_name: str = "untitled_project",
        overwrite: bool = False,
        storage: Storage | str | Path | None = None,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        verbose: int = 1,
        executions_per_trial: int = 1,
        max_model_size: int | None = None,
        optimizer: Any = None,
        loss: Any = None,
        metrics: Any = None,
        distribution_strategy: Any = None,
        tuner_id: str | None = None,
        logger: Any = None,
        **kwargs: Any,
    ) -> None:
        if kwargs:
            raise ValueError(
                f"unknown argument(s) {sorted(kwargs)} for {type(self).__name__}; see its docstring"
            )
        if isinstance(executions_per_trial, bool) or not isinstance(executions_per_trial, int) \
                or executions_per_trial < 1:
            raise ValueError(
                f"executions_per_trial must be an integer >= 1, got {executions_per_trial!r}"
            )
        # keras-tuner's Keras-specific arguments, used by rung.integrations.keras
        self.executions_per_trial = executions_per_trial
        self.max_model_size = max_model_size
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.distribution_strategy = distribution_strategy
        self.tuner_id = tuner_id or "tuner0"
        self.logger = logger
        if not isinstance(oracle, Oracle):
            raise TypeError(f"oracle must be a rung.oracles.Oracle, got {type(oracle).__name__}")
        if run_trial is not None and not callable(run_trial):
            raise TypeError(f"run_trial must be callable, got {type(run_trial).__name__}")
        for name, value, minimum in (
            ("max_retries_per_trial", max_retries_per_trial, 0),
            ("max_consecutive_failed_trials", max_consecutive_failed_trials, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        if not isinstance(project_name, str) or not project_name or "/" in project_name:
            raise ValueError(f"project_name must be a non-empty name without '/', got {project_name!r}")
        self.oracle = oracle
        self.hypermodel = hypermodel
        self._run_trial_fn = run_trial
        self.directory = Path(directory)
        self.project_name = project_name
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = max_consecutive_failed_trials
        self.display = Display(verbose)
        if overwrite and self.project_dir.exists():
            shutil.rmtree(self.project_dir)
        if storage is None:
            self.project_dir.mkdir(parents=True, exist_ok=True)
            storage = self.project_dir / DB_NAME
        self.storage = get_storage(storage)
        self.checkpoints = CheckpointStore(self.project_dir / "trials")
        self._restore()

    # --- project ------------------------------------------------------------------------------
    @property
    def project_dir(self) -> Path:
        return self.directory / self.project_name

    def get_trial_dir(self, trial_id: str) -> Path:
        return self.checkpoints.directory(trial_id, create=False)

    def _settings(self) -> dict[str, Any]:
        return self.oracle.settings()

    def _restore(self) -> None:
        """Resume a stored project, or register a new one."""
        stored = self.storage.get_settings()
        settings = self._settings()
        if stored is None:
            self.storage.set_settings(settings)
            return
        diffs = self.oracle.incompatible_settings(stored, settings)
        if diffs:
            shown = "; ".join(f"{k}: stored {a!r}, now {b!r}" for k, a, b in diffs)
            raise ConfigurationError(
                f"the project {str(self.project_dir)!r} was created with other settings ({shown}). "
                "Pass overwrite=True to start a new search, or use the stored settings to resume."
            )
        if settings != stored:
            self.storage.set_settings(settings)
        state = self.storage.get_oracle_state()
        if state is not None:
            self.oracle.load_state_dict(state, self.storage.trials(_FINISHED))

    # --- the search loop ------------------------------------------------------------------------
    def search(self, *fit_args: Any, **fit_kwargs: Any) -> None:
        """Run (or resume) the search; extra arguments go to ``run_trial``."""
        self.on_search_begin()
        self.display.plan(self.oracle.budget(), self.project_dir, self.oracle)
        reruns = [s for s in self.oracle.pending.values()]
        if reruns:
            self.display.message(f"resuming: re-running {len(reruns)} job(s) interrupted earlier")
        consecutive_failures = 0
        while True:
            if reruns:
                suggestion = reruns.pop(0)
            else:
                suggestion = self.oracle.ask()
                if suggestion is None:
                    break
                self.storage.create_trial(
                    suggestion.to_record(created_at=time.time()), self.oracle.state_dict()
                )
            status = self._run_job(suggestion, fit_args, fit_kwargs)
            consecutive_failures = consecutive_failures + 1 if status is TrialStatus.FAILED else 0
            if consecutive_failures >= self.max_consecutive_failed_trials:
                last = self.storage.failures(suggestion.trial_id)
                detail = last[-1][2] if last else self.storage.get_trial(suggestion.trial_id).error
                raise TooManyFailedTrialsError(
                    f"{consecutive_failures} trials failed in a row "
                    f"(max_consecutive_failed_trials={self.max_consecutive_failed_trials}). "
                    f"The last one, trial {suggestion.trial_id}, failed with:\n{detail}"
                )
        if not self.oracle.finished:  # pragma: no cover - sequential jobs always finish
            raise RuntimeError("the oracle is waiting on jobs that are not running")
        self.display.done(self.oracle)
        self.on_search_end()

    def _run_job(self, suggestion: Suggestion, fit_args: tuple[Any, ...],
                 fit_kwargs: dict[str, Any]) -> TrialStatus:
        record = self.storage.get_trial(suggestion.trial_id)
        attempt = record.attempts
        started = time.perf_counter()
        while True:
            attempt += 1
            hp = self.oracle.hyperparameters.clone_with_values(suggestion.values)
            trial = Trial(record, hp, self.oracle.objective, self._report, self.checkpoints)
            try:
                self.on_trial_begin(trial)
                result = self.run_trial(trial, *fit_args, **fit_kwargs)
                metrics = self._result_metrics(result, trial)
                self.oracle.update_space(trial.hyperparameters)
            except TrialPruned:
                metrics = trial.last_reported() or {}
                return self._finish(trial, metrics, started, TrialStatus.PRUNED)
            except FatalError:
                self.storage.record_failure(trial.trial_id, attempt, traceback.format_exc())
                raise
            except ConfigurationError:
                raise
            except Exception as exc:  # a failing trial never takes the search down
                error = traceback.format_exc()
                self.storage.record_failure(trial.trial_id, attempt, error)
                retry = not isinstance(exc, FailedTrialError) and (
                    attempt <= self.max_retries_per_trial
                )
                self.display.failure(trial, attempt, exc, retry)
                if retry:
                    continue
                self.oracle.tell_failed(trial.trial_id, error)
                self.storage.finish_trial(
                    trial.trial_id, TrialStatus.FAILED, error=error,
                    oracle_state=self.oracle.state_dict(), finished_at=time.time(),
                )
                self.on_trial_end(trial)
                return TrialStatus.FAILED
            return self._finish(trial, metrics, started, None)

    def _finish(self, trial: Trial, metrics: Mapping[str, float], started: float,
                status: TrialStatus | None) -> TrialStatus:
        loss = self.oracle.tell(trial.trial_id, metrics, values=trial.hyperparameters.values)
        if status is None:
            status = TrialStatus.COMPLETED if loss is not None else TrialStatus.FAILED
        error = None if loss is not None else f"objective is not a finite number: {dict(metrics)}"
        self.storage.finish_trial(
            trial.trial_id, status, metrics=metrics, loss=loss, error=error,
            oracle_state=self.oracle.state_dict(), finished_at=time.time(),
        )
        trial.record = self.storage.get_trial(trial.trial_id)
        self.display.job(trial, self.oracle, time.perf_counter() - started)
        self.on_trial_end(trial)
        return status

    def _report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        self.storage.report(trial_id, epoch, metrics)
        return True

    def _result_metrics(self, result: Any, trial: Trial) -> dict[str, float]:
        if result is None:
            last = trial.last_reported()
            if last is None:
                raise ValueError(
                    "run_trial returned None and the trial reported no metrics: return a float, "
                    f"a dict with {self.oracle.objective.name!r}, or call trial.report(...)"
                )
            return last
        if isinstance(result, Mapping):
            return {str(k): float(v) for k, v in result.items()}
        if isinstance(result, (int, float)) and not isinstance(result, bool):
            return {self.oracle.objective.name: float(result)}
        raise TypeError(
            "run_trial must return a float, a dict of metrics or None; "
            f"got {type(result).__name__} {result!r}"
        )

    # --- what subclasses or callers provide -------------------------------------------------
    def run_trial(self, trial: Trial, *args: Any, **kwargs: Any) -> Any:
        """Train one job. Calls the ``run_trial`` function given to the constructor."""
        if self._run_trial_fn is None and self.hypermodel is not None:
            from rung.integrations.keras import run_keras_trial

            return run_keras_trial(self, trial, *args, **kwargs)
        if self._run_trial_fn is None:
            raise NotImplementedError(
                "pass run_trial=<function> to the tuner, or subclass it and override run_trial"
            )
        return self._run_trial_fn(trial, *args, **kwargs)

    def on_search_begin(self) -> None:  # noqa: B027 - optional hooks
        """Called once when ``search`` starts."""

    def on_search_end(self) -> None:  # noqa: B027
        """Called once when ``search`` ends."""

    def on_trial_begin(self, trial: Trial) -> None:  # noqa: B027
        """Called before each attempt of a job."""

    def on_trial_end(self, trial: Trial) -> None:  # noqa: B027
        """Called once a job has finished (completed, pruned or failed for good)."""

    # --- results ------------------------------------------------------------------------------
    def get_best_hyperparameters(self, num_trials: int = 1) -> list[HyperParameters]:
        """The hyperparameters of the best trials, best first."""
        return [t.hyperparameters for t in self.oracle.get_best_trials(num_trials)]

    @property
    def remaining_trials(self) -> int | None:
        """Jobs the plan still has to start (None when unbounded)."""
        planned = self.oracle.budget().jobs
        if not planned:
            return None
        return max(0, planned - self.storage.count_trials())

    def search_space_summary(self, extended: bool = False) -> None:
        """Print the search space."""
        space = self.oracle.hyperparameters.space
        print(f"Search space summary\nDefault search space size: {len(space)}")
        for p in space:
            print(f"{p.name} ({type(p).__name__})")
            config = p.get_config()
            print("{" + ", ".join(f"{k!r}: {v!r}" for k, v in config.items() if k != "name") + "}")

    def results_summary(self, num_trials: int = 10) -> None:
        """Print the best trials."""
        objective = self.oracle.objective
        print(f"Results summary\nResults in {self.project_dir}\n"
              f"Showing {num_trials} best trials\nObjective: {objective!r}")
        for trial in self.oracle.get_best_trials(num_trials):
            print(f"\nTrial {trial.trial_id} summary")
            print("Hyperparameters:")
            for name, value in trial.hyperparameters.values.items():
                print(f"{name}: {value}")
            if trial.epochs:
                print(f"epochs: {trial.epochs} (from {trial.initial_epoch})")
            score = trial.score
            print(f"Score: {score:.6g}" if score is not None and math.isfinite(score) else "Score: -")
