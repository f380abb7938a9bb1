"""``InProcessExecutor``: runs each job in the driver itself, one at a time (the default)."""

from __future__ import annotations

from collections import deque

from rung.executors.base import Executor, JobResult, JobSpec, ReportCallback
from rung.executors.job import execute

__all__ = ["InProcessExecutor"]


class _Callback:
    def __init__(self, report: ReportCallback) -> None:
        self.report = report


class InProcessExecutor(Executor):
    """Runs jobs in the driver process, in submission order, when ``wait`` is called.

    Nothing is pickled: the training function may be a lambda or a closure, and reports reach
    storage (and a stopping scheduler) as they are made: a spec's ``live_trial`` (the driver's
    ``Trial``) is the trial the function gets. ``KeyboardInterrupt`` raised by the training
    function propagates at once; ``SystemExit`` (``sys.exit()`` in training code) is an error of
    the attempt, as any exception.
    """

    slots = 1
    live_reports = True
    shares_filesystem = True
    runs_in_driver = True

    def __init__(self) -> None:
        self._queue: deque[JobSpec] = deque()
        self._report: ReportCallback | None = None

    def start(self, report: ReportCallback) -> None:
        self._report = report

    def submit(self, spec: JobSpec) -> None:
        self._queue.append(spec)

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        if not self._queue:
            return []
        spec = self._queue.popleft()
        return [execute(spec, channel=_Callback(self._report) if self._report else None)]

    def cancel(self, trial_id: str) -> None:
        self._queue = deque(spec for spec in self._queue if spec.trial_id != trial_id)

    @property
    def in_flight(self) -> int:
        return len(self._queue)
