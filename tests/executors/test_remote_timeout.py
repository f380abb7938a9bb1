"""``job_timeout`` on a cluster (Dask, Ray): a job's clock starts when it can run, not when it
was submitted. With more jobs in flight than the cluster runs at once (``workers=4`` on 2
CPUs), the queued ones wait for a place; counting that wait made short jobs time out.

``FutureExecutor`` is driven here through a fake cluster that runs ``capacity`` jobs at once,
first come first served, on a fake clock: each job takes 1 s once it runs, and the timeout is
1.5 s. The result does not depend on the machine's speed."""

from __future__ import annotations

from typing import Any

import pytest

import rung.executors._remote as remote
from rung.executors._remote import FutureExecutor
from rung.executors.base import JobResult, JobSpec, Outcome
from rung.trial_record import TrialRecord


class Clock:
    now = 0.0

    def monotonic(self) -> float:
        return self.now


class Job:
    def __init__(self, spec: JobSpec) -> None:
        self.spec = spec
        self.started: float | None = None
        self.cancelled = False


class FakeCluster(FutureExecutor):
    """Runs ``capacity`` jobs at once in submission order; a job ends 1 s after it starts."""

    def __init__(self, clock: Clock, capacity: int | None, job_timeout: float) -> None:
        super().__init__(job_timeout=job_timeout)
        self.clock = clock
        self.capacity = capacity
        self.slots = 8
        self.queue: list[Job] = []

    def _running(self) -> list[Job]:
        live = [j for j in self.queue if not j.cancelled and not self._done(j)]
        return live[:self.capacity or 2]

    def _done(self, job: Job) -> bool:
        return job.started is not None and self.clock.now >= job.started + 1.0

    def _submit(self, spec: JobSpec) -> Any:
        job = Job(spec)
        self.queue.append(job)
        self._advance(0.0)
        return job

    def _advance(self, seconds: float) -> None:
        """Move the clock on in small steps, starting queued jobs as places free up."""
        end = self.clock.now + seconds
        while True:
            for job in self._running():
                if job.started is None:
                    job.started = self.clock.now
            if self.clock.now >= end:
                return
            self.clock.now = min(end, self.clock.now + 0.05)

    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]:
        step = 0.05 if timeout is None else min(timeout, 0.05)
        self._advance(step)
        return [f for f in futures if self._done(f)]

    def _outcome(self, future: Any) -> JobResult:
        return JobResult(future.spec.trial_id, future.spec.attempt, Outcome.COMPLETED,
                         metrics={"loss": 0.0})

    def _cancel(self, future: Any) -> None:
        future.cancelled = True


def _spec(i: int) -> JobSpec:
    return JobSpec(record=TrialRecord(f"{i:05d}", {}), attempt=1, function=print)


def _run(capacity: int | None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Outcome]:
    clock = Clock()
    monkeypatch.setattr(remote, "time", clock)
    cluster = FakeCluster(clock, capacity, job_timeout=1.5)
    for i in range(6):  # 6 jobs in flight on a cluster that runs 2 at once
        cluster.submit(_spec(i))
    outcomes: dict[str, Outcome] = {}
    while cluster.in_flight:
        for result in cluster.wait():
            outcomes[result.trial_id] = result.outcome
    return outcomes


def test_queued_jobs_get_their_whole_timeout_once_they_can_run(monkeypatch) -> None:
    outcomes = _run(capacity=2, monkeypatch=monkeypatch)
    assert outcomes == {f"{i:05d}": Outcome.COMPLETED for i in range(6)}


def test_without_the_clusters_capacity_the_clock_starts_at_submission(monkeypatch) -> None:
    """What happened before on Dask and Ray (and what an executor that cannot tell its
    capacity still does): the jobs queued behind the first two time out."""
    outcomes = _run(capacity=None, monkeypatch=monkeypatch)
    assert [outcomes[f"{i:05d}"] for i in range(6)][:2] == [Outcome.COMPLETED] * 2
    assert Outcome.LOST in outcomes.values()
