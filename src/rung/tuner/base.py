"""``Tuner``: the thin coordinator between an oracle, a storage and the training code.

For every job (the event loop that keeps several in flight is ``rung.tuner.loop``)::

    suggestion = oracle.ask()
    storage.create_trial(record, oracle.state_dict())     # one transaction
    result = run_trial(trial, *search_args)               # on an executor; retried on error
    oracle.tell(...) / oracle.tell_failed(...)
    storage.finish_trial(..., oracle.state_dict())        # one transaction

Because the scheduler state is written in the same transaction as the trial change it produced,
a process killed at any moment resumes exactly: the jobs that were running are re-run, nothing
finished is repeated, and the RNG continues where it was.
"""

from __future__ import annotations

import copy
import math
import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rung.checkpoints import CheckpointStore
from rung.errors import ConfigurationError
from rung.executors import Executor, make_executor
from rung.executors._guard import refuse_in_worker
from rung.hyperparameters import HyperParameters
from rung.oracles.base import Oracle
from rung.storage import Storage, get_storage
from rung.trial import Trial
from rung.trial_record import TrialStatus
from rung.tuner.budget import SearchBudget
from rung.tuner.cleanup import CheckpointCleanup, parse_keep_checkpoints
from rung.tuner.display import Display
from rung.tuner.failures import no_result_error
from rung.tuner.interrupt import interrupted
from rung.tuner.keras_api import KerasTunerMethods
from rung.tuner.project import clear_failed_project
from rung.validation import check_bool

__all__ = ["Tuner"]

DB_NAME = "rung.db"
_FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


class Tuner(KerasTunerMethods):
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
        keep_checkpoints: N (default 10), ``"best"`` (1) or ``"all"``: after each job, delete
            the checkpoints of trials that can no longer be promoted, except the N best, so a
            long search does not fill the disk (``get_best_models(n)`` needs ``n <= N``).
        executions_per_trial, max_model_size, optimizer, loss, metrics, distribution_strategy,
            tuner_id, logger: keras-tuner's arguments for Keras hypermodels (see
            ``rung.integrations.keras``); unknown arguments are an error.
    """

    def __init__(
        self,
        oracle: Oracle,
        hypermodel: Any = None,
        run_trial: Callable[..., Any] | None = None,
        directory: str | Path | None = ".",
        project_name: str | None = "untitled_project",
        overwrite: bool = False,
        storage: Storage | str | Path | None = None,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        verbose: int = 1,
        keep_checkpoints: str | int = 10,
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
        refuse_in_worker(type(self).__name__)  # first: before overwrite=True deletes anything
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
        directory = "." if directory is None else directory  # keras-tuner accepts None
        project_name = "untitled_project" if project_name is None else project_name
        if not isinstance(directory, (str, Path)):
            raise TypeError(f"directory must be a path, got {type(directory).__name__} {directory!r}")
        if not isinstance(project_name, str) or not project_name or "/" in project_name:
            raise ValueError(f"project_name must be a non-empty name without '/', got {project_name!r}")
        # the remaining checks also run before overwrite=True deletes anything
        if not isinstance(verbose, int):
            raise TypeError(f"verbose must be an integer (0: silent, 1: progress), got {verbose!r}")
        parse_keep_checkpoints(keep_checkpoints)
        if storage is not None and not isinstance(storage, (Storage, str, os.PathLike)):
            get_storage(storage)  # raises a TypeError that lists what is accepted
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
        self.storage = get_storage(storage, create=True)
        self.checkpoints = CheckpointStore(self.project_dir / "trials")
        self.checkpoint_cleanup = CheckpointCleanup(self.checkpoints, oracle, keep_checkpoints)
        self._fresh_oracle = copy.deepcopy(oracle)  # as before the first job (retry_failed)
        self._restore()
        self._populate_initial_space()  # Keras hypermodels: declare the space up front

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
            self.oracle.load_state_dict(state, self.storage.trials(_FINISHED),
                                        self.storage.all_epoch_metrics())

    # --- the search loop ------------------------------------------------------------------------
    def search(self, *fit_args: Any, workers: int | None = None,
               executor: Executor | str | Any = None, job_timeout: float | None = None,
               max_time: float | None = None, max_epochs_total: int | None = None,
               retry_failed: bool = False, **fit_kwargs: Any) -> None:
        """Run (or resume) the search; other arguments go to ``run_trial``.

        The search's own options (``workers``, ``executor``, ``job_timeout`` and ``verbose``) never
        reach a ``run_trial`` function given to the constructor. keras-tuner's ``verbose`` still
        reaches ``fit`` for a Keras hypermodel, and a subclass's ``run_trial`` method gets it.

        Args:
            workers: jobs run at once. ``1`` (default): in this process; ``N > 1``: ``N`` local
                worker processes (``run_trial`` must then be a module-level function).
            executor: where jobs run: a ``dask.distributed.Client``, ``"ray"`` or a Ray address,
                ``"processes"``, or a ``rung.executors.Executor`` (see ``docs/scale-out.md``).
            job_timeout: seconds after which a running job is stopped and counted as a failed
                attempt (retried up to ``max_retries_per_trial``); runs jobs in worker processes.
            max_time: seconds this call may run: once past them no new job starts, the running
                jobs finish and are recorded, and ``search`` returns (run it again to go on).
            max_epochs_total: stop the same way once the project's finished jobs have trained
                this many epochs in all (every ``search`` call counted; run again with a larger
                value to extend the search). See ``rung.tuner.budget``.
            retry_failed: for a project none of whose stored trials completed (all failed, e.g.
                because of a bug since fixed): delete its trials, failure records, reports and
                checkpoints, reset the oracle to its state before the first job, and run the
                search from its start (the same seed gives the same configurations). A project
                without failed trials is resumed as usual; one with completed trials is an error
                (its failed trials stay failed; ``overwrite=True`` starts it over). Only SQLite
                and in-memory storages can be cleared.
        """
        from rung.tuner.loop import SearchLoop

        check_bool("retry_failed", retry_failed)
        budget = SearchBudget(max_time, max_epochs_total)
        if retry_failed:
            self._retry_failed()
        if "verbose" in fit_kwargs:  # keras-tuner: search(verbose=0) also quiets the tuner;
            # rung still prints the plan and the closing summary (a few lines)
            self.display.per_job = bool(fit_kwargs["verbose"])
            if self._plain_function():  # the search's own option, not the training function's
                fit_kwargs = {k: v for k, v in fit_kwargs.items() if k != "verbose"}
        runner, owned = make_executor(workers, executor, job_timeout)
        try:
            loop = SearchLoop(self, runner, fit_args, fit_kwargs, budget)
            self.on_search_begin()
            self.display.plan(self.oracle.budget(), self.project_dir, self.oracle)
            try:
                loop.run()
            except KeyboardInterrupt:
                interrupted(self.storage.count_trials() - len(self.oracle.pending),
                            self.oracle.budget().jobs)
        finally:
            if owned:
                runner.shutdown()
            else:
                for trial_id in self.oracle.pending:
                    runner.cancel(trial_id)
        self.checkpoint_cleanup.sweep()
        failed = no_result_error(self.storage, self.project_dir, loop.finished_jobs)
        if failed is not None:
            raise failed
        self.display.done(self.oracle, loop.stopped)
        self.on_search_end()

    def _retry_failed(self) -> None:
        """Start over a project whose trials all failed (see ``search``'s ``retry_failed``)."""
        cleared = [t.trial_id for t in self.storage.trials()]
        fresh = clear_failed_project(self.storage)
        if fresh is None:
            return
        self.storage = fresh
        for trial_id in cleared:
            self.checkpoints.delete(trial_id)
        self.oracle = copy.deepcopy(self._fresh_oracle)  # a searcher forgets what it observed
        self.checkpoint_cleanup.oracle = self.oracle
        self.storage.set_settings(self._settings())
        self._populate_initial_space()
        self.display.message(
            f"retry_failed: cleared {len(cleared)} failed trial(s); the search starts over")

    def _job_function(self, local: bool) -> Callable[..., Any]:
        """What a worker calls with ``(trial, *args, **kwargs)``: the user's function, or this
        tuner's ``run_trial`` when a subclass overrides it or a hypermodel is tuned."""
        plain = self._plain_function()
        return self._run_trial_fn if plain and not local else self.run_trial  # type: ignore[return-value]

    def _plain_function(self) -> bool:
        """True when jobs call the ``run_trial`` function given to the constructor (not a
        subclass's ``run_trial`` nor a Keras hypermodel, which take ``fit``'s arguments)."""
        return type(self).run_trial is Tuner.run_trial and self._run_trial_fn is not None

    def __getstate__(self) -> dict[str, Any]:
        """Pickling (to send ``run_trial`` to workers) leaves the storage behind."""
        state = self.__dict__.copy()
        state["storage"] = None
        return state

    def _finish_failed(self, trial: Trial, error: str) -> TrialStatus:
        self.oracle.tell_failed(trial.trial_id, error, values=trial.hyperparameters.values)
        self.storage.finish_trial(
            trial.trial_id, TrialStatus.FAILED, error=error,
            oracle_state=self.oracle.state_dict(), finished_at=time.time(),
            values=trial.hyperparameters.values,
        )
        self.on_trial_end(trial)
        return TrialStatus.FAILED

    def _finish(self, trial: Trial, metrics: Mapping[str, float], started: float,
                status: TrialStatus | None) -> TrialStatus:
        try:
            self.oracle.objective.value(metrics)
        except (ValueError, TypeError) as exc:  # no objective in the result: this trial fails
            error = f"{type(exc).__name__}: {exc}"
            self.display.message(f"trial {trial.trial_id} failed: {error}")
            return self._finish_failed(trial, error)
        reached = None
        if status is TrialStatus.PRUNED:  # stopped at the last epoch it reported
            reports = self.storage.epoch_metrics(trial.trial_id)
            reached = reports[-1][0] if reports else trial.initial_epoch
        record = self.oracle.tell(
            trial.trial_id, metrics, values=trial.hyperparameters.values,
            epochs_reached=reached, status=status or TrialStatus.COMPLETED)
        status, loss = record.status, record.loss  # storage keeps what the oracle decided
        error = None if loss is not None else f"objective is not a finite number: {dict(metrics)}"
        self.storage.finish_trial(
            trial.trial_id, status, metrics=metrics, loss=loss, error=error,
            oracle_state=self.oracle.state_dict(), finished_at=time.time(),
            values=record.values,  # what define-by-run code really used
            epochs_reached=record.epochs_reached,
        )
        self.checkpoint_cleanup.sweep()  # after the commit: a kill before it loses nothing
        trial.record = self.storage.get_trial(trial.trial_id)
        self.display.job(trial, self.oracle, time.perf_counter() - started)
        self.on_trial_end(trial)
        return status

    def _report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        self.storage.report(trial_id, epoch, metrics)
        return self.oracle.on_report(trial_id, epoch, metrics)

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
        """Jobs the plan still has to start (None when unbounded; 0 once the search is over,
        also when it ended early because the search space ran out)."""
        planned = self.oracle.budget().jobs
        if not planned:
            return None
        if self.oracle.finished:
            return 0
        return max(0, planned - self.storage.count_trials())

    def search_space_summary(self, extended: bool = False) -> None:
        """Print the search space."""
        space = self.oracle.hyperparameters.space
        print(f"Search space summary\nDefault search space size: {len(space)}")
        for p in space:
            print(f"{p.name} ({type(p).__name__})")
            config = p.get_config()
            shown = {k: v for k, v in config.items() if k not in ("name", "class")}
            print("{" + ", ".join(f"{k!r}: {v!r}" for k, v in shown.items()) + "}")

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
