"""``BaseTuner``: the thin, framework-free coordinator between an oracle, a storage and the
training code (``rung.Tuner`` adds keras-tuner's Keras side, ``rung.integrations.keras.api``).

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

import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rung.errors import ConfigurationError
from rung.executors import Executor, SimulatedExecutor, make_executor
from rung.executors._guard import refuse_in_worker
from rung.hypermodel import get_hypermodel
from rung.oracles.base import Oracle
from rung.storage import Storage
from rung.tuner._lifecycle import ProjectLifecycle
from rung.tuner.budget import SearchBudget
from rung.tuner.cleanup import parse_keep_checkpoints
from rung.tuner.display import Display
from rung.tuner.driver import DriverSession
from rung.tuner.failures import no_result_error
from rung.tuner.hooks import TunerHooks
from rung.tuner.interrupt import Terminated, interrupted, sigterm_interrupts
from rung.tuner.loop import Job, SearchLoop
from rung.tuner.persistence import TunerState
from rung.tuner.project import location
from rung.tuner.recorder import JobRecorder
from rung.tuner.results import TunerResults
from rung.tuner.training_call import check_takes_trial, check_training_call
from rung.validation import check_bool, check_instance, check_int, fail_type, unknown_arguments

__all__ = ["BaseTuner"]


class BaseTuner(ProjectLifecycle, TunerState, TunerResults, TunerHooks):
    """Runs a search: asks the oracle for jobs, trains them, records everything.

    Args:
        oracle: the algorithm (``rung.oracles.*``).
        hypermodel: what ``train_hypermodel`` trains when no ``run_trial`` is given (``rung.Tuner``:
            a Keras build function or ``rung.HyperModel``).
        run_trial: ``train(trial, *search_args, **search_kwargs)`` returning a float, a dict of
            metrics, or None (then the metrics of the last ``trial.report`` count). Subclasses may
            override ``run_trial`` instead (keras-tuner style).
        directory, project_name: the project lives in ``directory/project_name`` (the SQLite file
            ``rung.db`` and ``trials/<id>/`` checkpoints); ``project_name`` is one plain folder
            name (not ``.`` or ``..``, no path separator). ``directory`` is made absolute here,
            ``~`` expanded (``tuner.directory``, ``tuner.project_dir``): a later ``os.chdir``
            does not move the project.
        overwrite: delete an existing project first: a directory that holds ``rung.db``,
            keras-tuner's ``oracle.json``, or nothing. Any other directory there is refused
            (``ProjectError``) and nothing is deleted. Without it an existing project is resumed,
            and settings that differ from the stored ones are an error.
        storage: ``None`` (SQLite in the project directory), a path (made absolute as
            ``directory``), or a ``rung.storage.Storage`` (e.g. ``InMemoryStorage()``).
        max_retries_per_trial: re-run a job that raised up to this many times (None: the
            oracle's ``max_retries_per_trial``, 0 unless set there, as in keras-tuner).
        max_consecutive_failed_trials: stop with ``TooManyFailedTrialsError`` after this many
            failed jobs in a row (None: the oracle's, 3 unless set there).
        verbose: 0 prints nothing; 1 the plan, the search's progress (a live panel on a
            terminal or in a notebook, one line per job elsewhere; ``rung.tuner.display``) and
            a summary.
        keep_checkpoints: N (default 10), ``"best"`` (1) or ``"all"``: after each job, delete
            the checkpoints of trials that can no longer be promoted, except the N best, so a
            long search does not fill the disk (``get_best_models(n)`` needs ``n <= N``).

    Every argument is checked before anything is deleted or written; unknown ones are an error.
    A tuner is never constructed in a worker process (a script without the main guard).
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
        max_retries_per_trial: int | None = None,
        max_consecutive_failed_trials: int | None = None,
        verbose: int = 1,
        keep_checkpoints: str | int = 10,
        **kwargs: Any,
    ) -> None:
        refuse_in_worker(type(self).__name__)  # first: before overwrite=True deletes anything
        if kwargs:  # keras-tuner's words first, then the nearest argument and all of them
            raise unknown_arguments(type(self), kwargs, _filled_in(type(self)),
                                    lead="Unrecognized arguments: ")
        self.oracle = check_instance(
            "oracle", oracle, Oracle, "a rung.oracles.Oracle",
            "Expected `oracle` argument to be an instance of `Oracle`, such as "
            "kt.oracles.RandomSearchOracle(objective=..., max_trials=...)")
        if run_trial is not None and not callable(run_trial):
            raise fail_type("run_trial", "a function train(trial, *args, **kwargs)", run_trial)
        if run_trial is not None:
            check_takes_trial("run_trial", run_trial)
        own_run_trial = type(self).run_trial is not BaseTuner.run_trial
        if hypermodel is None and run_trial is None and not own_run_trial:
            raise ConfigurationError(
                "Received `hypermodel=None` and no `run_trial`: nothing would train. Pass "
                "hypermodel=<build function or HyperModel>, run_trial=<function>, or subclass "
                "the tuner and override run_trial (it then declares the search space)")
        if hypermodel is not None and run_trial is not None:
            raise ConfigurationError(
                f"Received both hypermodel={hypermodel!r} and run_trial={run_trial!r}: run_trial "
                "trains every job, so the hypermodel would never be built. Pass one of them (a "
                "tuner subclass's own run_trial method may use self.hypermodel)")
        self.hypermodel = get_hypermodel(hypermodel)  # a build function: a DefaultHyperModel
        self._run_trial_fn = run_trial
        if max_retries_per_trial is None:  # keras-tuner: the oracle's setting
            max_retries_per_trial = self.oracle.max_retries_per_trial
        if max_consecutive_failed_trials is None:
            max_consecutive_failed_trials = self.oracle.max_consecutive_failed_trials
        self.max_retries_per_trial = check_int("max_retries_per_trial", max_retries_per_trial, 0)
        self.max_consecutive_failed_trials = check_int(
            "max_consecutive_failed_trials", max_consecutive_failed_trials, 1)
        self.directory, self.project_name = location(directory, project_name)
        self.display = Display(check_int("verbose", verbose, 0, hint="0: silent, 1: progress"))
        parse_keep_checkpoints(keep_checkpoints)
        check_bool("overwrite", overwrite)
        if storage is not None and not isinstance(storage, (Storage, str, os.PathLike)):
            raise fail_type("storage", "None (SQLite in the project directory), a path to a "
                            "SQLite file, or a rung.storage.Storage (e.g. "
                            "rung.storage.InMemoryStorage())", storage)
        self._open_project(storage, overwrite, keep_checkpoints)  # rung.tuner._lifecycle

    # --- the project (opened, resumed and started over by ProjectLifecycle) -------------------
    @property
    def training_function(self) -> Callable[..., Any] | None:
        """The ``run_trial`` function given to the constructor, or None."""
        return self._run_trial_fn

    def get_trial_dir(self, trial_id: str) -> Path:
        """The trial's own directory (``trials/<trial_id>``), created if needed, as in
        keras-tuner: a ``run_trial`` may write its own files there."""
        return self.checkpoints.directory(trial_id, create=True)

    # --- the search ---------------------------------------------------------------------------
    def search(self, *fit_args: Any, workers: int | str | None = None,
               executor: Executor | str | Any = None, job_timeout: float | None = None,
               max_time: float | None = None, max_epochs_total: int | None = None,
               retry_failed: bool = False, resources_per_job: dict[str, float] | None = None,
               reproducible: bool = False, **fit_kwargs: Any) -> None:
        """Run (or resume) the search; other arguments go to ``run_trial``.

        The search's own options (the arguments below, and ``verbose``) never reach a
        ``run_trial`` function given to the constructor. keras-tuner's ``verbose`` still reaches
        ``fit`` for a Keras hypermodel, and a subclass's ``run_trial`` method gets it. Before the
        first job, the call ``run_trial(trial, *args, **kwargs)`` is checked against its
        signature: an argument it cannot take (``search(worker=2)``: "did you mean 'workers'?")
        or a required one missing is an ``ArgumentTypeError`` (``rung.tuner.training_call``).

        Args:
            workers: jobs run at once. ``1`` (default): in this process; ``N > 1``: ``N`` local
                worker processes (``run_trial`` must then be a module-level function, and the
                script must start the search under ``if __name__ == "__main__":``);
                ``"gpu"``: one worker process per visible GPU, each seeing only its own
                (``CUDA_VISIBLE_DEVICES``; see ``rung.executors.gpus``). With a Dask ``Client``
                or Ray as ``executor``: the most jobs in flight on the cluster at once (default:
                its threads / CPUs); with an ``Executor`` object: refused (give it its own).
            executor: where jobs run: a ``dask.distributed.Client``, ``"ray"`` or a Ray address,
                ``"processes"``, or a ``rung.executors.Executor`` (see ``docs/scale-out.md``).
            job_timeout: seconds after which a running job is stopped and counted as a failed
                attempt (retried up to ``max_retries_per_trial``); runs jobs in worker processes.
            max_time: seconds this call may run: once past them no new job starts, the running
                jobs finish and are recorded, and ``search`` returns (run it again to go on).
            max_epochs_total: stop the same way once the project's finished jobs have trained
                this many epochs in all (every ``search`` call counted; run again with a larger
                value to extend the search). See ``rung.tuner.budget``.
            resources_per_job: what each job reserves, e.g. ``{"gpu": 1}``: Ray's resources
                with ``executor="ray"``, GPUs per worker with ``workers="gpu"``.
            reproducible: with several workers, hand results to the oracle strictly in the
                order the jobs started (a job that ends early waits for the earlier ones), and
                take a stopping scheduler's decisions from its rule as of each job's ask, so
                that the search (ASHA's promotions and stops, BOHB's model) is the same for the
                same seed and number of workers, and a killed search resumes into exactly the
                uninterrupted one. Costs idle workers while the oldest job runs (see
                ``rung.tuner.ordering``). False (default): results count as they arrive.
            retry_failed: for a project none of whose stored trials completed (all failed, e.g.
                because of a bug since fixed): delete its trials, failure records, reports and
                checkpoints, reset the oracle to its state before the first job, and run the
                search from its start (the same seed gives the same configurations). A project
                without failed trials is resumed as usual; one with completed trials is an error
                (its failed trials stay failed; ``overwrite=True`` starts it over). Only SQLite
                and in-memory storages can be cleared.

        Raises:
            TooManyFailedTrialsError: ``max_consecutive_failed_trials`` failed in a row, or the
                search ended without a single completed trial.

        Ctrl-C stops the search with one line and exit status 130, SIGTERM with exit status 143
        (``rung.tuner.interrupt``).
        """
        check_bool("retry_failed", retry_failed)
        check_bool("reproducible", reproducible,
                   "True: results reach the oracle in the order the jobs started")
        self.check_search_arguments(fit_args, fit_kwargs)
        budget = SearchBudget(max_time, max_epochs_total)
        verbose = self.display.verbose
        if "verbose" in fit_kwargs and not _fit_verbosity(fit_kwargs["verbose"]):
            raise ConfigurationError(
                f"search(verbose=...) must be 0, 1, 2, a bool or 'auto' (Keras' fit verbosity; "
                f"0 also silences the search), got verbose={fit_kwargs['verbose']!r}")
        if "verbose" in fit_kwargs and not fit_kwargs["verbose"]:
            self.display.verbose = 0  # keras-tuner: search(verbose=0) prints nothing at all
        try:
            job = self._job(fit_args, fit_kwargs)
            runner, owned = make_executor(workers, executor, job_timeout, resources_per_job)
            try:
                self._check_call(job, runner)
                with DriverSession(self.storage, self.display.message) as session:
                    if retry_failed:
                        self._retry_failed(session)
                    self._catch_up()
                    loop = self._run(runner, owned, job, budget, reproducible)
                    self.checkpoint_cleanup.sweep()
            finally:
                if owned:
                    runner.shutdown()
            failed = no_result_error(self.storage, self.project_dir, loop.finished_jobs)
            if failed is not None:
                raise failed
            self.display.done(self.oracle, loop.stopped)
        finally:
            self.display.verbose = verbose
        self.on_search_end()

    def _job(self, fit_args: tuple[Any, ...], fit_kwargs: dict[str, Any]) -> Job:
        """What each job calls: the ``run_trial`` function itself (then without ``verbose``), or
        this tuner's ``run_trial`` (a subclass's, or the hypermodel's training)."""
        plain = type(self).run_trial is BaseTuner.run_trial and self._run_trial_fn is not None
        if "verbose" in fit_kwargs and plain:  # the search's own option (see `search`), not
            # the training function's
            fit_kwargs = {k: v for k, v in fit_kwargs.items() if k != "verbose"}
        function = self._run_trial_fn if plain else self.run_trial
        assert function is not None
        return Job(function, fit_args, fit_kwargs, self.max_retries_per_trial,
                   self.max_consecutive_failed_trials)

    def _check_call(self, job: Job, runner: Executor) -> None:
        """Refuse, before any job (and before ``retry_failed`` clears anything), a call the
        training function cannot take (not a Keras hypermodel's training:
        ``check_search_arguments`` checks ``fit``'s arguments; nor on a ``SimulatedExecutor``,
        which runs no training code), and a function or search arguments that cannot reach the
        executor's workers."""
        hypermodel = type(self).run_trial is BaseTuner.run_trial and self._run_trial_fn is None
        if not hypermodel and not isinstance(runner, SimulatedExecutor):
            check_training_call(job.function, job.args, job.kwargs, _SEARCH_OPTIONS)
        if not runner.runs_in_driver:
            runner.check_function(job.function)
            runner.check_arguments(job.args, job.kwargs)

    def _run(self, runner: Executor, owned: bool, job: Job, budget: SearchBudget,
             reproducible: bool = False) -> SearchLoop:
        """Run the search loop on ``runner``; an interruption ends the process (see ``search``)."""
        recorder = JobRecorder(self.oracle, self.storage, self.checkpoints,
                               self.checkpoint_cleanup, self.display, self)
        try:
            loop = SearchLoop(recorder, runner, job, budget, reproducible)
            self.on_search_begin()
            plan = self.oracle.budget()
            self._store_plan(plan)
            self.display.plan(plan, self.project_dir, self.oracle,
                              budget.describe(), budget.max_time)
            try:
                with sigterm_interrupts():
                    loop.run()
                self._store_plan(self.oracle.budget())  # what the search learnt (a grid's size)
            except KeyboardInterrupt as stop:
                self.display.close()
                interrupted(self.storage.count_trials() - len(self.oracle.pending),
                            self.oracle.budget().jobs, isinstance(stop, Terminated))
        finally:
            self.display.close()  # the live panel, before any message below it
            if not owned:
                for trial_id in self.oracle.pending:
                    runner.cancel(trial_id)
        return loop

    def __getstate__(self) -> dict[str, Any]:
        """Pickling (to send ``run_trial`` to workers) leaves the storage behind."""
        state = self.__dict__.copy()
        state["storage"] = None
        return state


# search()'s own options: a misspelt one (search(worker=2)) is named by check_training_call
_SEARCH_OPTIONS = ["verbose"] + [
    p.name for p in inspect.signature(BaseTuner.search).parameters.values()
    if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _filled_in(cls: type) -> tuple[str, ...]:
    """What a tuner class passes to ``BaseTuner`` itself, so a user does not: ``oracle``, for
    ``Hyperband``, ``RandomSearch``... (their ``__init__`` builds it from their arguments)."""
    own = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    passes_on = any(p.kind is p.VAR_POSITIONAL for p in own.values())
    return () if "oracle" in own or passes_on else ("oracle",)


def _fit_verbosity(value: object) -> bool:
    """Whether ``value`` is a verbosity Keras' ``fit`` takes: 0, 1, 2, a bool or ``"auto"``."""
    return value == "auto" or (isinstance(value, int) and value in (0, 1, 2))  # True == 1
