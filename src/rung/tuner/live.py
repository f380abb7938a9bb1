"""The live progress panel of a search in a terminal or a notebook, drawn with rich.

rich is optional (``pip install "rung[progress]"``; Keras installs it too) and imported only when
a search draws to a terminal: without it, or when the output is not a terminal (a CI log, a
file, a pipe), the tuner prints plain lines, one per event (``rung.tuner.display``). The panel
stays at the bottom of the terminal and redraws four times a second; the lines the search prints
(one per job, failures, the training code's own output) scroll above it::

    ━━━━━━━━━━━━━━━━╺━━━━━━━━━━━━━  52%  epochs 140/270  jobs 23/59  0:00:31, about 0:00:29 left
    best val_accuracy=0.9722 (trial 0012)  ·  completed 21  pruned 0  failed 2
    bracket s=2: rung 0 9/9  rung 1 1/3  rung 2 0/1
    running on 2 workers: 0013 s=2 rung 1 epoch 5/9  ·  0014 s=2 rung 1 epoch 3/9

``RUNG_PROGRESS=plain`` in the environment keeps the plain lines in a terminal too.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from rung.oracles.schedule import Budget
from rung.tuner.interrupt import in_ipython
from rung.tuner.progress import RunningJob, SearchProgress, Snapshot

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["LiveView", "clock_text", "render", "wants_live"]

SHOWN_RUNNING = 8  # running jobs listed by name; more are counted


def wants_live(stream: TextIO | None) -> bool:
    """Draw the live panel on ``stream`` (None: stdout)? A terminal or a notebook, rich
    installed, and ``RUNG_PROGRESS`` not ``plain``."""
    if os.environ.get("RUNG_PROGRESS", "").lower() == "plain":
        return False
    target = stream if stream is not None else sys.stdout
    isatty = getattr(target, "isatty", None)
    if not (callable(isatty) and isatty()) and not in_ipython():
        return False
    if importlib.util.find_spec("rich") is None:
        return False
    from rich.console import Console

    console = Console(file=stream)
    if console.is_jupyter:  # rich draws a live panel in a notebook through ipywidgets
        return importlib.util.find_spec("ipywidgets") is not None
    return console.is_terminal and not console.is_dumb_terminal


def clock_text(seconds: float) -> str:
    """``h:mm:ss``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _headline(snap: Snapshot) -> str:
    parts = []
    if snap.fraction is not None:
        parts.append(f"{snap.fraction:4.0%}")
    if snap.epochs_planned:
        parts.append(f"epochs {snap.epochs_done}/{snap.epochs_planned}")
    parts.append(f"jobs {snap.jobs_done}/{snap.jobs_planned}" if snap.jobs_planned else
                 f"jobs {snap.jobs_done}")
    when = clock_text(snap.elapsed)
    if snap.remaining is not None:
        when += f", about {clock_text(snap.remaining)} left"
    parts.append(when)
    return "  ".join(parts)


def _results(snap: Snapshot) -> str:
    best = ("best: none yet" if snap.best is None else
            f"best {snap.objective}={snap.best:.6g} (trial {snap.best_trial})")
    counts = "  ".join(f"{name.lower()} {n}" for name, n in sorted(snap.counts.items()))
    return f"{best}  ·  {counts}" if counts else best


def _bracket_lines(snap: Snapshot, budget: Budget) -> list[str]:
    """Rungs filled against the plan, for each bracket that has a job running (or, between
    jobs, the bracket of the job started last)."""
    by_s = {plan.s: plan for plan in budget.brackets}
    live = sorted({(j.iteration, j.bracket) for j in snap.running if j.bracket is not None}
                  or ({snap.recent} if snap.recent is not None else set()))
    lines = []
    for iteration, s in live:
        plan = by_s.get(s)
        if plan is None:
            continue
        rungs = "  ".join(
            f"rung {r.index} {snap.rungs_done.get((iteration, s, r.index), 0)}/{r.jobs}"
            for r in plan.rungs)
        again = f" (iteration {iteration})" if budget.iterations != 1 else ""
        lines.append(f"bracket s={s}{again}: {rungs}")
    return lines


def _job_text(job: RunningJob) -> str:
    where = "" if job.bracket is None else f" s={job.bracket} rung {job.rung}"
    return f"{job.trial_id}{where} epoch {job.epoch}/{job.epochs}"


def _running_line(snap: Snapshot) -> str | None:
    if not snap.running:
        return None
    shown = "  ·  ".join(_job_text(j) for j in snap.running[:SHOWN_RUNNING])
    more = len(snap.running) - SHOWN_RUNNING
    head = f"running on {snap.workers} workers: " if snap.workers > 1 else "running: "
    return head + shown + (f"  ·  {more} more" if more > 0 else "")


def render(snap: Snapshot, budget: Budget) -> RenderableType:
    """The panel for ``snap`` (a rich renderable)."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    head = Table.grid(padding=(0, 1))
    fraction = snap.fraction
    bar = ProgressBar(total=None if fraction is None else 1000.0,
                      completed=0 if fraction is None else fraction * 1000, width=30)
    head.add_row(bar, Text(_headline(snap)))
    lines: list[Any] = [head, Text(_results(snap), style="bold")]
    lines += [Text(line, style="cyan") for line in _bracket_lines(snap, budget)]
    running = _running_line(snap)
    if running is not None:
        lines.append(Text(running, style="dim"))
    return Group(*lines)


class LiveView:
    """The panel, redrawn by rich's own thread from ``progress.snapshot()`` while started."""

    def __init__(self, progress: SearchProgress, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self.progress = progress
        self.console = Console(file=stream)
        self._live = Live(console=self.console, refresh_per_second=4,
                          get_renderable=self._renderable, redirect_stdout=True,
                          redirect_stderr=True)

    def _renderable(self) -> RenderableType:
        return render(self.progress.snapshot(), self.progress.budget)

    def start(self) -> None:
        self._live.start(refresh=True)

    def print(self, text: str) -> None:
        """A line above the panel."""
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def stop(self) -> None:
        """Draw the last state and stop (idempotent); the panel stays on screen."""
        if self._live.is_started:
            self._live.refresh()
            self._live.stop()
