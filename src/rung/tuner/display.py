"""What a search prints: the plan before it starts, its progress, and a closing summary.

Two forms, chosen when the search starts (``verbose=0``: nothing at all):

* **live** (a terminal, or a notebook, with rich installed; ``rung.tuner.live``): a panel at
  the bottom redrawn as the search goes (the bar against the plan, best so far, time left, the
  brackets and rungs being filled, the running jobs), with the lines below scrolling above it;
* **plain** (anything else: a CI log, a file, a pipe): one line per event, nothing redrawn::

    [3/59] trial 00002 s=3 rung=0 epochs 0->1 completed loss=0.41 best=0.38 (0.12s) [lr=0.0031 units=64] | 5% of 270 epochs, 0:00:40 left

The numbers come from ``rung.tuner.progress.SearchProgress``, fed by the tuner's events:
``plan``, ``started``, ``reported``, ``job`` / ``job_failed``, ``done``.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.progress import SearchProgress, Snapshot

if TYPE_CHECKING:
    from rung.oracles.base import Oracle
    from rung.oracles.schedule import Budget
    from rung.trial import Trial
    from rung.tuner.live import LiveView

__all__ = ["Display"]


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.6g}"


def _progress_text(snap: Snapshot) -> str:
    """`` | 5% of 270 epochs, 0:00:40 left`` for a plain job line ('' when nothing is known)."""
    from rung.tuner.panel import left_text

    if snap.fraction is None:
        return ""
    unit = (f"{snap.epochs_planned} epochs" if snap.epochs_planned else
            f"{snap.jobs_planned} jobs")
    return f" | {snap.fraction:.0%} of {unit}{left_text(snap, ', ')}"


def _where(trial: Trial, failed: bool = False) -> str:
    """`` s=2 rung=1 epochs 1->3`` (``1->2 of 3``: stopped early), '' outside brackets. A job
    that failed before its first epoch shows its planned span, not ``1->1 of 3``."""
    if trial.bracket is None:
        return ""
    reached, end = trial.record.epochs_reached, trial.epochs
    span = f"{trial.initial_epoch}->{end}"
    if failed and reached is not None and reached <= trial.initial_epoch:
        reached = None
    if reached is not None and end is not None and reached < end:  # stopped early
        span = f"{trial.initial_epoch}->{reached} of {end}"
    return f" s={trial.bracket} rung={trial.rung} epochs {span}"


def _values(trial: Trial, width: int = 100) -> str:
    """`` [lr=0.00123 units=64 act=relu]``: the values a job trains with, cut at ``width``
    characters; a job that continues a parent says `` [from 00002]`` (the parent's values)."""
    if trial.parent_id is not None:
        return f" [from {trial.parent_id}]"
    shown = " ".join(f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}"
                     for name, value in trial.hyperparameters.values.items())
    if len(shown) > width:
        shown = shown[:width - 3] + "..."
    return f" [{shown}]" if shown else ""


def _own_value(trial: Trial, oracle: Oracle) -> str:
    """The job's objective as printed on its line: ``nan`` or ``inf`` for a diverged job (its
    status reads ``invalid``), ``-`` where it has none."""
    if trial.score is not None:
        return _fmt(trial.score)
    try:
        return f"{oracle.objective.value(trial.record.metrics):.6g}"
    except (ValueError, TypeError, KeyError):
        return "-"


class Display:
    """Prints a search's progress when ``verbose >= 1``; nothing at all at 0.

    Args:
        verbose: 0 silent, 1 the plan, progress and a summary.
        stream: where to print (None: ``sys.stdout`` at the time of each print).
        live: draw the live panel (True), print plain lines (False), or decide from the stream
            (None: live on a terminal or in a notebook when rich is installed).
        clock: monotonic seconds, for the elapsed and remaining times (tests pass a fake one).
    """

    def __init__(self, verbose: int = 1, stream: TextIO | None = None,
                 live: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.verbose = verbose
        self.stream = stream
        self.live = live
        self.clock = clock
        self.progress: SearchProgress | None = None
        self._view: LiveView | None = None
        self._workers = 1
        self._why: dict[str, str] = {}  # the error of a job given up on, for its line

    def __getstate__(self) -> dict[str, Any]:
        """Pickling (a tuner sent to worker processes with its ``run_trial``) leaves the live
        state behind: the progress holds a lock, the panel a terminal."""
        state = self.__dict__.copy()
        state["progress"] = None
        state["_view"] = None
        return state

    def _print(self, text: str) -> None:
        if self.verbose < 1:
            return
        if self._view is not None:
            self._view.print(text)
        else:
            print(text, file=self.stream or sys.stdout, flush=True)

    def message(self, text: str) -> None:
        self._print(text)

    def workers(self, count: int) -> None:
        """How many jobs run at once (shown with the running jobs when more than one)."""
        self._workers = count
        if self.progress is not None:
            self.progress.workers = count

    def plan(self, budget: Budget, project_dir: Path, oracle: Oracle,
             limits: str | None = None, max_time: float | None = None) -> None:
        """The search starts: print the plan (and ``limits``, the sentence of a search budget
        that may end this call first; ``max_time`` caps the time-left estimate), count what
        earlier runs finished, start the panel."""
        self.progress = SearchProgress(budget, oracle.objective.name, self.clock, max_time)
        self.progress.workers = self._workers
        finished = oracle.records
        self.progress.restore(finished)
        best = oracle.get_best_trials(1)
        if best:
            self.progress.set_best(best[0].score, best[0].trial_id)
        self._print(f"rung: {type(oracle).__name__} on {project_dir}")
        self._print(budget.describe())
        if limits is not None:
            self._print(limits)
        if finished or oracle.pending:
            self._print(self._resuming(finished, oracle))
        self._start_view()

    def _resuming(self, finished: list[TrialRecord], oracle: Oracle) -> str:
        """How much of the plan earlier runs did: ``resuming: 15 of 22 jobs already finished
        (28 of 69 epochs, 2 failed); re-running 1 job interrupted earlier``; a search that had
        ended says ``nothing left to run``."""
        assert self.progress is not None
        rerun = len(oracle.pending)
        again = "" if not rerun else (
            f"re-running {rerun} job{'' if rerun == 1 else 's'} interrupted earlier")
        if not finished:
            return f"resuming: {again}"
        snap = self.progress.snapshot()
        of = f" of {snap.jobs_planned}" if snap.jobs_planned else ""
        notes = [f"{snap.epochs_done} of {snap.epochs_planned} epochs"] if snap.epochs_planned \
            else []
        failed = sum(1 for record in finished if record.status is TrialStatus.FAILED)
        if failed == len(finished):
            notes.append("all failed: search(retry_failed=True) clears them and starts over")
        elif failed:
            notes.append(f"{failed} failed")
        note = f" ({', '.join(notes)})" if notes else ""
        ended = oracle.finished or (0 < snap.jobs_planned <= snap.jobs_done and not oracle.pending)
        if ended:
            fresh = "" if failed == len(finished) else "; overwrite=True starts a new search"
            return f"nothing left to run: {len(finished)}{of} jobs already finished{note}{fresh}"
        return f"resuming: {len(finished)}{of} jobs already finished{note}" + (
            f"; {again}" if again else "")

    def _start_view(self) -> None:
        if self.verbose < 1 or self._view is not None or self.progress is None:
            return
        from rung.tuner.live import LiveView, wants_live

        if self.live is None:
            self.live = wants_live(self.stream)
        if self.live:
            self._view = LiveView(self.progress, self.stream)
            self._view.start()

    def started(self, trial: Trial) -> None:
        """An attempt of a job starts."""
        if self.progress is not None:
            self.progress.started(trial.record)

    def reported(self, trial_id: str, epoch: int) -> None:
        """A running job reported an epoch."""
        if self.progress is not None:
            self.progress.reported(trial_id, epoch)

    def job(self, trial: Trial, oracle: Oracle, seconds: float) -> None:
        """A job completed (or was pruned): count it and print its line."""
        best = oracle.get_best_trials(1)
        if self.progress is not None:
            self.progress.finished(trial.record, best[0].score if best else None,
                                   best[0].trial_id if best else None)
        if self.verbose < 1:
            return
        self._print(
            f"{self._counter()} trial {trial.trial_id}{_where(trial)} "
            f"{trial.status.value.lower()} {oracle.objective.name}={_own_value(trial, oracle)} "
            f"best={_fmt(best[0].score if best else None)} ({seconds:.2f}s){_values(trial)}"
            f"{self._extra()}"
        )

    def _counter(self) -> str:
        """``[5/22]``: the jobs finished (this one included) of those planned."""
        if self.progress is None:
            return "[0]"
        snap = self.progress.snapshot()
        return f"[{snap.jobs_done}/{snap.jobs_planned}]" if snap.jobs_planned else \
            f"[{snap.jobs_done}]"

    def _extra(self) -> str:
        """The share of the plan done and the time left, on a plain line (the panel shows it)."""
        if self._view is not None or self.progress is None:
            return ""
        return _progress_text(self.progress.snapshot())

    def job_failed(self, trial: Trial, error: str = "") -> None:
        """A job failed for good: count it and print its line, with ``error`` (the exception
        of its last attempt, as ``failure`` was told it, else the last line of ``error``)."""
        why = self._why.pop(trial.trial_id, None)
        if self.progress is not None:
            self.progress.finished(trial.record)
        if self.verbose < 1:
            return
        if why is None:
            lines = [line for line in error.strip().splitlines() if line.strip()]
            why = lines[-1].strip() if lines else "no error recorded"
        attempts = trial.record.attempts
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        self._print(f"{self._counter()} trial {trial.trial_id}{_where(trial, True)} failed: "
                    f"{why}{tries}{_values(trial)}{self._extra()}")

    def failure(self, trial: Trial, attempt: int, exc: BaseException, retry: bool) -> None:
        """An attempt raised: a line now when it is retried; else the job's own line says it
        (``job_failed``, next)."""
        why = f"{type(exc).__name__}: {exc}"
        if not retry:
            self._why[trial.trial_id] = why
            return
        self._print(f"trial {trial.trial_id} attempt {attempt} failed: {why} (retrying)")

    def close(self) -> None:
        """Stop the live panel (idempotent); it stays on screen with its last state."""
        view, self._view = self._view, None
        if view is not None:
            view.stop()

    def done(self, oracle: Oracle, stopped: str | None = None) -> None:
        """The closing summary; ``stopped`` says why a search budget ended the call early."""
        self.close()
        best = oracle.get_best_trials(1)
        if stopped is not None:
            self._print(f"search stopped: {stopped}")
        else:
            self._print(f"search finished: {oracle.stop_reason}")
        if best:
            self._print(f"best trial {best[0].trial_id}: {oracle.objective.name}="
                        f"{_fmt(best[0].score)} {best[0].hyperparameters.values}")
        elif any(r.status is TrialStatus.PRUNED for r in oracle.records):
            self._print("no best trial: no job completed (every job with a result was pruned); "
                        "get_best_hyperparameters() is empty until one does: search with a "
                        "larger budget, or a lower factor")
