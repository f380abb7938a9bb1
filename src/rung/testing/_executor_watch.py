"""``check_executor``'s watch on an executor: each submitted attempt comes back once, and its
reports reach the driver while it is in flight.

The search calls ``wait()`` without a timeout, only with jobs in flight, so an executor that loses
a result would leave it (and the kit) waiting forever. The watch asks instead with a short
timeout, again and again: an executor that returns nothing for ``LOST_AFTER`` seconds, or returns
``[]`` at once, long before its timeout, has lost a result, and the rule fails saying which jobs
were in flight. A result of an attempt not in flight (returned already, cancelled, never
submitted, or with another ``attempt``) and a live report of a trial not in flight (after its
result, or one never submitted) fail it too, where the search would fail on them with a bare
``KeyError`` or a storage's refusal, or count them twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rung.executors import Executor, JobResult, JobSpec
from rung.executors.base import ReportCallback

__all__ = ["LOST_AFTER", "watched"]

LOST_AFTER = 60.0  # seconds without any result, jobs in flight: a result was lost
_POLL = 1.0  # the timeout of each wait() the watch makes for a wait() without one


def watched(factory: Callable[[], Executor]) -> Executor:
    """A fresh executor from ``factory``, watched (see the module docstring)."""
    executor = factory()
    assert isinstance(executor, Executor), f"the factory returned {type(executor).__name__}"
    start, submit, wait, cancel = executor.start, executor.submit, executor.wait, executor.cancel
    in_flight: set[tuple[str, int]] = set()
    returned: set[tuple[str, int]] = set()
    cancelled: set[str] = set()
    broken: list[str] = []  # a rule broken where raising may not reach the search (a thread)

    def flying() -> list[tuple[str, int]]:
        return sorted(in_flight)

    def watched_start(report: ReportCallback) -> None:
        def checked_report(trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
            if not any(job[0] == trial_id for job in in_flight) and trial_id not in cancelled:
                when = "after wait() returned its result" if any(
                    job[0] == trial_id for job in returned) else "although it was never submitted"
                broken.append(
                    f"the report callback got epoch {epoch} of trial {trial_id!r} {when} (in "
                    f"flight: {flying()}): a job's reports reach the driver while it runs, "
                    "before wait() returns its result")
                raise AssertionError(broken[-1])
            return report(trial_id, epoch, metrics)

        start(checked_report)

    def watched_submit(spec: JobSpec) -> None:
        in_flight.add((spec.trial_id, spec.attempt))
        submit(spec)

    def watched_cancel(trial_id: str) -> None:
        in_flight.difference_update({job for job in in_flight if job[0] == trial_id})
        cancelled.add(trial_id)
        cancel(trial_id)

    def wait_for_one() -> list[JobResult]:
        """``wait()`` without a timeout, as the search calls it, that cannot hang the kit."""
        deadline = time.monotonic() + LOST_AFTER
        while True:
            asked = time.monotonic()
            results = wait(_POLL)
            if results or broken:
                return results
            now = time.monotonic()
            if now - asked < _POLL / 2 or now >= deadline:
                how = (f"wait({_POLL:g}) returned [] after {now - asked:.2f} s" if now < deadline
                       else f"wait() returned no result in {LOST_AFTER:g} s")
                raise AssertionError(
                    f"{how} although jobs were in flight ({flying()}): a result was lost "
                    "(wait() blocks until a job ends, and returns [] only after its timeout)")

    def watched_wait(timeout: float | None = None) -> list[JobResult]:
        results = wait_for_one() if timeout is None else wait(timeout)
        if broken:
            raise AssertionError(broken[0])
        for result in results:
            job = (result.trial_id, result.attempt)
            if job not in in_flight:
                why = "a second time" if job in returned else "although it is not in flight"
                raise AssertionError(
                    f"wait() returned the result of trial {result.trial_id!r} attempt "
                    f"{result.attempt} {why} (in flight: {flying()}): return each "
                    "submitted job's result exactly once, with the spec's trial_id and attempt, "
                    "and none for a cancelled job")
            in_flight.discard(job)
            returned.add(job)
        return results

    executor.start = watched_start  # type: ignore[method-assign]
    executor.submit = watched_submit  # type: ignore[method-assign]
    executor.wait = watched_wait  # type: ignore[method-assign]
    executor.cancel = watched_cancel  # type: ignore[method-assign]
    return executor
