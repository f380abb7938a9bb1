"""What the Dask and Ray executors share: jobs as futures, deadlines, lost-worker results."""

from __future__ import annotations

import abc
import math
import time
from typing import Any

from rung.errors import ConfigurationError, JobTimeoutError, WorkerLostError
from rung.executors._pickling import unpicklable_argument
from rung.executors.base import Executor, JobResult, JobSpec, Outcome
from rung.validation import check_bool, check_int, check_number

__all__ = ["FutureExecutor", "check_slots", "check_timeout"]


def check_timeout(job_timeout: object) -> float | None:
    """``job_timeout`` as seconds (None: no limit); anything else than a finite number > 0 or
    None is refused before any job starts."""
    return check_number("job_timeout", job_timeout, 0, exclusive_minimum=True, allow_none=True,
                        hint="seconds, or None for no limit")


def check_slots(slots: object, hint: str = "", name: str = "workers") -> int | None:
    """``workers`` (jobs in flight at once; ``slots`` of an executor built by hand) as an int
    >= 1, or None (the executor's default)."""
    return None if slots is None else check_int(name, slots, 1, hint=hint)


def _cloudpickle() -> Any:
    try:
        import cloudpickle  # type: ignore[import-untyped] # Dask depends on it
    except ImportError:  # pragma: no cover - Ray alone vendors its own copy
        from ray import cloudpickle
    return cloudpickle


WORKERS_CANNOT_IMPORT = "The cluster's workers could not import"
"""Begins the sentence a failed attempt's error gets where the cluster's workers could not
import the training code's module (``rung.tuner.failures`` then gives that fix, not another)."""


def _framework_error(exc: BaseException) -> str:
    """The error of a task the cluster could not run: the framework's own text, the causes it
    chained (Dask's "Error during deserialization of the task graph" hides the
    ``ModuleNotFoundError`` under it) and, for a module the workers cannot import, the fix."""
    chain: list[BaseException] = [exc]
    while (cause := chain[-1].__cause__ or chain[-1].__context__) is not None \
            and cause not in chain:
        chain.append(cause)
    text = "\ncaused by ".join(f"{type(e).__name__}: {str(e).strip()}" for e in chain)
    missing = next((e for e in chain if isinstance(e, ImportError)), None)
    if missing is not None:
        module = getattr(missing, "name", None) or "the module"
        text += (
            f"\n{WORKERS_CANNOT_IMPORT} {module}, which run_trial or a search "
            "argument comes from: a function imported from a module travels by reference, so "
            "start the workers where that module is importable (in its directory, or with it on "
            f"their PYTHONPATH), or send it with every job: cloudpickle.register_pickle_by_value("
            f"{module if module != 'the module' else '<module>'}) (docs/scale-out.md)")
    return text


class FutureExecutor(Executor):
    """Base of executors whose jobs are futures of a cluster framework.

    Subclasses implement ``_submit`` (start ``execute(spec)`` remotely, return a future),
    ``_wait_any`` (the futures among those given that are done, within ``timeout``),
    ``_outcome`` (the future's ``JobResult``, or raise what the framework raised) and ``_cancel``.
    Reports come back with the result (``live_reports = False``); checkpoints travel with the job
    unless ``shared_directory=True`` says every worker sees the project directory.
    """

    live_reports = False
    workers_outlive_the_search = True
    lost_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, job_timeout: float | None = None, shared_directory: bool = False) -> None:
        self.job_timeout = check_timeout(job_timeout)
        self.shares_filesystem = check_bool(
            "shared_directory", shared_directory,
            "True: every worker sees the project directory at the same path")
        # key -> (future, spec, deadline); in submission order. A job's ``job_timeout`` runs
        # from when it can start: with more jobs in flight than the cluster runs at once
        # (``capacity``), a queued job's deadline is ``inf`` until one ahead of it ends
        self._jobs: dict[Any, tuple[Any, JobSpec, float | None]] = {}
        self.capacity: int | None = None  # jobs the cluster runs at once (None: unknown)

    @abc.abstractmethod
    def _submit(self, spec: JobSpec) -> Any: ...

    @abc.abstractmethod
    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]: ...

    @abc.abstractmethod
    def _outcome(self, future: Any) -> JobResult: ...

    @abc.abstractmethod
    def _cancel(self, future: Any) -> None: ...

    def _key(self, future: Any) -> Any:
        return id(future)

    def check_function(self, function: Any) -> None:
        try:
            _cloudpickle().dumps(function)
        except Exception as exc:
            raise ConfigurationError(
                f"run_trial {function!r} cannot be sent to the cluster's workers ({exc}); "
                "define it at module level of a module the workers can import"
            ) from None

    def check_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """The search's arguments travel with every job: one that cannot be pickled (a lock,
        an open connection) is refused before any work, naming it."""
        found = unpicklable_argument(args, kwargs, _cloudpickle().Pickler)
        if found is not None:
            name, value, exc = found
            raise ConfigurationError(
                f"{name} ({type(value).__name__}) cannot be sent to the cluster's workers "
                f"({type(exc).__name__}: {exc}); pass something picklable (arrays, paths, "
                "plain data) and open connections or locks inside run_trial")

    @property
    def in_flight(self) -> int:
        return len(self._jobs)

    def submit(self, spec: JobSpec) -> None:
        future = self._submit(spec)
        deadline = None if self.job_timeout is None else math.inf
        self._jobs[self._key(future)] = (future, spec, deadline)
        self._start_clocks()

    def _start_clocks(self) -> None:
        """Start the ``job_timeout`` of the jobs that can run now: the first ``capacity`` in
        flight, in submission order (all of them when the capacity is unknown). A queued job's
        clock starts when rung sees a job ahead of it end, so it never has less time than its
        ``job_timeout`` to run."""
        if self.job_timeout is None:
            return
        now = time.monotonic()
        for key, (future, spec, deadline) in list(self._jobs.items())[:self.capacity]:
            if deadline == math.inf:
                self._jobs[key] = (future, spec, now + self.job_timeout)

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        end = None if timeout is None else time.monotonic() + timeout
        results: list[JobResult] = []
        while self._jobs and not results:
            limits = [d for _, _, d in self._jobs.values() if d is not None and d != math.inf]
            if end is not None:
                limits.append(end)
            left = None if not limits else max(0.0, min(limits) - time.monotonic())
            for future in self._wait_any([f for f, _, _ in self._jobs.values()], left):
                _, spec, _ = self._jobs.pop(self._key(future))
                results.append(self._collect(future, spec))
            now = time.monotonic()
            for key, (future, spec, deadline) in list(self._jobs.items()):
                if deadline is not None and now >= deadline:
                    del self._jobs[key]
                    note = self._expire(future)
                    results.append(self._lost(spec, JobTimeoutError(
                        f"job timed out after {self.job_timeout:g} s (job_timeout); {note}")))
            self._start_clocks()  # the jobs that got the places of those that ended
            if end is not None and time.monotonic() >= end:
                break
        return results

    def _expire(self, future: Any) -> str:
        """Stop a job that ran past ``job_timeout``; what became of its task, for the error."""
        self._cancel(future)
        return "the task was cancelled"

    def _collect(self, future: Any, spec: JobSpec) -> JobResult:
        try:
            return self._outcome(future)
        except self.lost_errors as exc:
            return self._lost(spec, WorkerLostError(
                f"worker lost while running trial {spec.trial_id} attempt {spec.attempt}: "
                f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # the framework could not run the task at all
            return JobResult(spec.trial_id, spec.attempt, Outcome.ERROR,
                             error=_framework_error(exc), exception=exc)

    @staticmethod
    def _lost(spec: JobSpec, error: WorkerLostError) -> JobResult:
        return JobResult(spec.trial_id, spec.attempt, Outcome.LOST, error=str(error),
                         exception=error)

    def cancel(self, trial_id: str) -> None:
        for key, (future, spec, _) in list(self._jobs.items()):
            if spec.trial_id == trial_id:
                del self._jobs[key]
                self._cancel(future)

    def shutdown(self) -> None:
        for future, _, _ in self._jobs.values():
            self._cancel(future)
        self._jobs.clear()
