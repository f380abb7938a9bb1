"""``SimulatedExecutor``: a deterministic cluster on a simulated clock, for schedulers' tests and
benchmarks (the idea of syne-tune's simulator back-end).

No training code runs and nothing sleeps: a job's metrics come from a scripted learning curve
``curve(values, epoch) -> loss`` and its duration from ``epoch_seconds(values)`` per epoch trained
(so durations are heterogeneous across configurations). ``wait`` advances the clock to the next
job to end. Stopping decisions use the job's ``stop_rule`` (the scheduler's state when the job was
submitted), as on Dask or Ray.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from rung.executors.base import Executor, JobResult, JobSpec, Outcome
from rung.validation import check_int, fail_type

__all__ = ["SimulatedExecutor"]


class SimulatedExecutor(Executor):
    """Runs jobs instantly on ``slots`` simulated workers and a simulated clock.

    Args:
        slots: simulated workers.
        curve: ``curve(values, epoch) -> float``, the metric after ``epoch`` epochs.
        epoch_seconds: simulated seconds per epoch, a number or ``f(values) -> float``.
        metric: the metric's name (default: the job's objective name).
        overhead: simulated seconds added to every job (start-up, evaluation).
        default_epochs: epochs of a job whose oracle leaves them open (single-fidelity).

    Attributes:
        now: the simulated time; ``busy``: worker-seconds spent on jobs; ``trace``: ``(start,
        end, trial_id, epochs trained)`` of every job, in the order they ended.

    Example::

        sim = SimulatedExecutor(32, curve=lambda v, e: (v["x"] - .3) ** 2 + 1 / e)
        tuner.search(executor=sim)
        print(sim.now, sim.utilisation())
    """

    live_reports = False
    shares_filesystem = True  # nothing is written

    def __init__(self, slots: int, curve: Callable[[dict[str, Any], int], float],
                 epoch_seconds: float | Callable[[dict[str, Any]], float] = 1.0,
                 metric: str | None = None, overhead: float = 0.0, default_epochs: int = 1) -> None:
        self.slots = check_int("slots", slots, 1)
        if not callable(curve):
            raise fail_type("curve", "a function curve(values, epoch) -> float", curve)
        self.curve = curve
        self.epoch_seconds = epoch_seconds
        self.metric = metric
        self.overhead = float(overhead)
        self.default_epochs = default_epochs
        self.now = 0.0
        self.busy = 0.0
        self.trace: list[tuple[float, float, str, int]] = []
        self._heap: list[tuple[float, int, float, JobResult]] = []
        self._seq = 0

    def _seconds(self, values: dict[str, Any]) -> float:
        per = self.epoch_seconds
        return float(per(values) if callable(per) else per)

    def submit(self, spec: JobSpec) -> None:
        record = spec.record
        name = self.metric or spec.objective.name
        last = record.epochs or self.default_epochs
        reports: list[tuple[int, dict[str, float]]] = []
        outcome = Outcome.COMPLETED
        for epoch in range(record.initial_epoch + 1, last + 1):
            metrics = {name: float(self.curve(record.values, epoch))}
            reports.append((epoch, metrics))
            if spec.stop_rule is not None and not spec.stop_rule(epoch, metrics):
                outcome = Outcome.PRUNED
                break
        trained = len(reports)
        duration = trained * self._seconds(record.values) + self.overhead
        result = JobResult(
            trial_id=spec.trial_id, attempt=spec.attempt, outcome=outcome,
            metrics=dict(reports[-1][1]) if reports else {name: float("nan")},
            values=dict(record.values), space=spec.space, reports=reports, duration=duration,
        )
        heapq.heappush(self._heap, (self.now + duration, self._seq, self.now, result))
        self._seq += 1

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        if not self._heap:
            return []
        end = self._heap[0][0]
        done = []
        while self._heap and self._heap[0][0] == end:
            _, _, start, result = heapq.heappop(self._heap)
            self.busy += end - start
            self.trace.append((start, end, result.trial_id, len(result.reports)))
            done.append(result)
        self.now = end
        return done

    @property
    def in_flight(self) -> int:
        return len(self._heap)

    def utilisation(self, until: float | None = None) -> float:
        """Worker-seconds spent on jobs / (slots x elapsed simulated time), over ``[0, until]``
        (default: up to now)."""
        if until is None:
            return self.busy / (self.slots * self.now) if self.now > 0 else 0.0
        busy = sum(max(0.0, min(end, until) - start) for start, end, _, _ in self.trace)
        busy += sum(max(0.0, until - start) for _, _, start, _ in self._heap)
        return busy / (self.slots * until) if until > 0 else 0.0
