"""The executor contract: WHERE a job runs.

The tuner's event loop (``rung.tuner.loop``) owns the scheduler and the storage; an executor only
runs jobs. Call order::

    executor.start(report)            # optional hook: the driver's live report callback
    executor.submit(spec)             # at most ``executor.slots`` jobs in flight
    results = executor.wait(timeout)  # blocks until at least one job ends (or the timeout)
    executor.cancel(trial_id)         # optional: give up a job (its result never comes)
    executor.shutdown()               # once, when the search ends or is interrupted

A job is a picklable :class:`JobSpec`; it comes back as a :class:`JobResult`, whatever happened to
it: the training function's exceptions are caught where it ran, and a worker that died, was lost
or ran past ``job_timeout`` gives an ``Outcome.LOST`` result that the loop retries like an error.
Workers never write to storage: the reports a job made travel back with its result (or, where
``live_reports`` is True, reach the driver's ``report`` callback while the job runs).
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rung.trial_record import TrialRecord

if TYPE_CHECKING:
    from rung.trial import Trial

__all__ = ["Executor", "JobResult", "JobSpec", "Outcome", "ReportCallback", "StopRule"]

ReportCallback = Callable[[str, int, dict[str, float]], bool]
"""``report(trial_id, epoch, metrics) -> keep_going``, called in the driver."""

StopRule = Callable[[int, Mapping[str, float]], bool]
"""``rule(epoch, metrics) -> keep_going``: a picklable snapshot of a stopping scheduler's decision,
for executors without a live channel to the driver (see ``Oracle.stop_rule``)."""


class Outcome(str, enum.Enum):
    """How one attempt of a job ended."""

    COMPLETED = "completed"  # the training function returned
    PRUNED = "pruned"  # it raised TrialPruned (a stopping scheduler stopped it)
    ERROR = "error"  # it raised: retried while attempts remain
    FAILED = "failed"  # it raised FailedTrialError: failed for good, no retry
    FATAL = "fatal"  # FatalError or ConfigurationError: the whole search stops
    LOST = "lost"  # the worker died, was lost or timed out: retried while attempts remain


@dataclass
class JobSpec:
    """Everything a worker needs to run one attempt of one job (picklable).

    ``checkpoint_root`` is the directory holding ``<trial_id>/`` checkpoint directories when the
    worker shares the driver's file system (or a shared file system); ``None`` means checkpoints
    travel with the job: ``parent_checkpoint`` holds the parent's files and the result brings the
    job's own files back (``JobResult.checkpoint``).

    ``live_trial`` is set only for executors that run jobs in the driver (``runs_in_driver``): the
    driver's own ``Trial``, whose reports reach storage at once and whose hyperparameters the
    training function declares into directly. It is never pickled.

    ``stop_rule``, when set, decides at each report whether the job goes on, where it runs
    (executors without live reports, and every executor in a reproducible search, whose rules
    are fixed when a job is asked); ``live_decisions``: a worker with a live line waits for the
    driver's answer at each report instead.
    """

    record: TrialRecord
    attempt: int
    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    space: dict[str, Any] = field(default_factory=dict)
    objective: Any = None
    checkpoint_root: str | None = None
    parent_checkpoint: dict[str, bytes] | None = None
    stop_rule: StopRule | None = None
    live_decisions: bool = False
    live_trial: Trial | None = None
    allow_new_entries: bool = True  # False: declaring a hyperparameter ``space`` lacks is fatal

    @property
    def trial_id(self) -> str:
        return self.record.trial_id

    def __getstate__(self) -> dict[str, Any]:
        """A spec travels without ``live_trial`` (the driver's own object, see the class doc)."""
        state = self.__dict__.copy()
        state["live_trial"] = None
        return state


@dataclass
class JobResult:
    """What came of one attempt. ``reports`` are the ``(epoch, metrics)`` the driver has not seen
    yet; ``values``/``space`` are the hyperparameters the trial really used (define-by-run)."""

    trial_id: str
    attempt: int
    outcome: Outcome
    metrics: dict[str, float] | None = None
    values: dict[str, Any] | None = None
    space: dict[str, Any] | None = None
    reports: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    error: str | None = None
    exception: BaseException | None = None
    checkpoint: dict[str, bytes] | None = None
    duration: float = 0.0


class Executor(abc.ABC):
    """Runs jobs somewhere: in the driver, in local processes, on Dask or Ray.

    Attributes:
        slots: how many jobs may be in flight at once.
        live_reports: ``trial.report`` reaches the driver while the job runs (then a stopping
            scheduler decides live); otherwise reports come back with the result and stopping
            decisions use ``JobSpec.stop_rule``.
        shares_filesystem: workers see the driver's project directory, so checkpoints are read and
            written in place; otherwise they travel with the job.
        runs_in_driver: jobs run in the driver process itself: nothing is pickled, and each spec
            carries the driver's live ``Trial`` (``JobSpec.live_trial``).
        workers_outlive_the_search: the workers were started before the search and may keep
            modules they imported for an earlier one (a cluster), so a training function edited
            since can run there in its old version; failure messages then say so.
    """

    slots: int = 1
    live_reports: bool = False
    shares_filesystem: bool = False
    runs_in_driver: bool = False
    workers_outlive_the_search: bool = False

    def start(self, report: ReportCallback) -> None:  # noqa: B027 - optional hook
        """Called once before the first ``submit`` with the driver's report callback; an executor
        with ``live_reports`` calls it inside ``wait()``, in the thread that called ``wait``
        (it writes the project and asks the oracle, which are not shared between threads)."""

    @abc.abstractmethod
    def submit(self, spec: JobSpec) -> None:
        """Start one attempt of a job (the caller keeps at most ``slots`` in flight)."""

    @abc.abstractmethod
    def wait(self, timeout: float | None = None) -> list[JobResult]:
        """Block until at least one job ends and return what ended; ``[]`` after ``timeout``."""

    def cancel(self, trial_id: str) -> None:  # noqa: B027 - optional hook
        """Give up a running job: its result will not be returned."""

    def shutdown(self) -> None:  # noqa: B027 - optional hook
        """Release workers. Jobs still running are abandoned (a resumed search re-runs them)."""

    @property
    def in_flight(self) -> int:
        """Jobs submitted and not yet returned by ``wait``."""
        return 0

    def check_function(self, function: Callable[..., Any]) -> None:  # noqa: B027
        """Raise a clear error now if ``function`` cannot be sent to this executor's workers."""

    def check_arguments(self, args: tuple[Any, ...],  # noqa: B027 - optional hook
                        kwargs: dict[str, Any]) -> None:
        """Raise a clear error now, before any trial is created, if the search's arguments
        cannot reach the workers (``rung.executors._pickling``)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(slots={self.slots})"
