"""Reproducible parallel searches: results reach the oracle in the order their jobs started.

With several workers, jobs end in an order set by their durations and by the machine's load. An
asynchronous scheduler decides from the results it has when a worker asks for work (ASHA's
promotions and stops, BOHB's model), so two runs with the same seed differ. In a reproducible
search (``search(reproducible=True)``) the search loop (``rung.tuner.loop``) hands a job's result
to the oracle only once every job started before it has been handled:

* a job that ends early is held (:class:`InOrder`); its reports are stored as they come (the
  progress shows them), but the oracle sees them, then the result, when the job's turn comes;
* new jobs are asked for only when a job is handled, as many as the slots it leaves free, so
  the oracle's calls are the same sequence of ``ask``, ``on_report`` and ``tell`` whatever the
  timing: a pure function of the seed and the number of workers;
* a stopping scheduler's decisions come from the rule it gave when the job was asked
  (``Oracle.stop_rule(trial_id, as_asked=True)``, kept in its state while the job is pending),
  which the worker applies itself, not from the live state of the rungs;
* a failed attempt that will be retried is retried at once and keeps its place; what the
  attempt declared (define-by-run) reaches the oracle at the job's turn;
* after a kill, the jobs that were pending are re-run first, in the order they were asked
  (``Oracle.pending`` keeps it through ``state_dict``), so a resumed search equals the
  uninterrupted one.

The cost: while the oldest job runs, workers whose jobs have ended stay idle (no new job may be
asked before the oldest is handled). Searches stopped by ``max_time`` or ``max_epochs_total`` and
continued later ask for their next jobs at other points than one uninterrupted search would.
"""

from __future__ import annotations

from collections import deque

from rung.executors.base import JobResult

__all__ = ["InOrder"]


class InOrder:
    """The jobs of a reproducible search in the order they started, and the results that wait
    for every earlier job to be handled. A retried job keeps its place (it started once)."""

    def __init__(self) -> None:
        self._order: deque[str] = deque()
        self._held: dict[str, JobResult] = {}

    def started(self, trial_id: str) -> None:
        """A job's first attempt started (a retry does not call this)."""
        self._order.append(trial_id)

    def hold(self, result: JobResult) -> None:
        """A job's final result arrived: keep it until its turn."""
        self._held[result.trial_id] = result

    def next_ready(self) -> JobResult | None:
        """The result of the oldest job not handled yet, once it has arrived; else None."""
        if self._order and self._order[0] in self._held:
            return self._held.pop(self._order.popleft())
        return None

    @property
    def held(self) -> int:
        """Results that arrived and wait for an earlier job."""
        return len(self._held)
