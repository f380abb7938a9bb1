"""What the live progress panel says, fitted to the width of the terminal (drawn by
``rung.tuner.live``)::

    ━━━━━━━━━━━━━━━━╺━━━━━━━━━━━━━  52%  epochs 140/270  jobs 23/59  0:00:31, about 0:00:29 left
    best val_accuracy=0.9722 (trial 0012)  ·  completed 21  failed 2
    bracket s=2: rung 0 9/9  rung 1 1/3  rung 2 0/1
    running on 2 workers: 0013 s=2 rung 1 epoch 5/9  ·  0014 s=2 rung 1 epoch 3/9

A line wider than the terminal is broken between its pieces ("failed 2", "rung 1 1/3", one
running job), never inside one, and the bar shortens, then moves above its numbers, so that a
narrow terminal (80 columns, or 60) shows every figure whole. rich is imported only to draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rung.oracles.schedule import Budget
from rung.tuner.progress import RunningJob, Snapshot

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

__all__ = ["BAR", "MIN_BAR", "SHOWN_RUNNING", "clock_text", "left_text", "render"]

SHOWN_RUNNING = 8  # running jobs listed by name; more are counted
BAR, MIN_BAR = 30, 10  # the progress bar's width, and the least it shrinks to beside its numbers


def clock_text(seconds: float) -> str:
    """``h:mm:ss``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def left_text(snap: Snapshot, lead: str) -> str:
    """``lead`` and the time left (``", about 0:00:29 left"``); '' while it is unknown, and once
    the plan is done (a finished search does not say "0:00:00 left")."""
    if snap.remaining is None or (snap.fraction is not None and snap.fraction >= 1.0):
        return ""
    return f"{lead}{clock_text(snap.remaining)} left"


def _headline(snap: Snapshot) -> str:
    parts = []
    if snap.fraction is not None:
        parts.append(f"{snap.fraction:4.0%}")
    if snap.epochs_planned:
        parts.append(f"epochs {snap.epochs_done}/{snap.epochs_planned}")
    parts.append(f"jobs {snap.jobs_done}/{snap.jobs_planned}" if snap.jobs_planned else
                 f"jobs {snap.jobs_done}")
    parts.append(clock_text(snap.elapsed) + left_text(snap, ", about "))
    return "  ".join(parts)


def _results(snap: Snapshot) -> list[str]:
    best = ("best: none yet" if snap.best is None else
            f"best {snap.objective}={snap.best:.6g} (trial {snap.best_trial})")
    counts = [f"{name.lower()} {n}" for name, n in sorted(snap.counts.items())]
    return [best, f"·  {counts[0]}", *counts[1:]] if counts else [best]


def _bracket_lines(snap: Snapshot, budget: Budget) -> list[list[str]]:
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
        rungs = [f"rung {r.index} {snap.rungs_done.get((iteration, s, r.index), 0)}/{r.jobs}"
                 for r in plan.rungs]
        again = f" (iteration {iteration})" if budget.iterations != 1 else ""
        lines.append([f"bracket s={s}{again}: {rungs[0]}", *rungs[1:]])
    return lines


def _job_text(job: RunningJob) -> str:
    where = "" if job.bracket is None else f" s={job.bracket} rung {job.rung}"
    return f"{job.trial_id}{where} epoch {job.epoch}/{job.epochs}"


def _running_line(snap: Snapshot) -> list[str]:
    if not snap.running:
        return []
    shown = [_job_text(j) for j in snap.running[:SHOWN_RUNNING]]
    more = len(snap.running) - SHOWN_RUNNING
    head = f"running on {snap.workers} workers: " if snap.workers > 1 else "running: "
    return [f"·  {p}" if i else head + p for i, p in enumerate(shown)] + (
        [f"·  {more} more"] if more > 0 else [])


class _Head:
    """The bar and the headline on one line, the bar shortened (down to ``MIN_BAR``) to fit
    the width; narrower still, the headline goes below the bar."""

    def __init__(self, fraction: float | None, text: str) -> None:
        self.fraction = fraction
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.progress_bar import ProgressBar
        from rich.segment import Segment
        from rich.table import Table
        from rich.text import Text

        fraction, width = self.fraction, options.max_width
        room = min(BAR, width - cell_len(self.text) - 1)  # 1: the space between the two
        bar = ProgressBar(total=None if fraction is None else 1000.0,
                          completed=0 if fraction is None else fraction * 1000,
                          width=room if room >= MIN_BAR else min(BAR, width))
        if room < MIN_BAR:
            yield bar
            yield Segment.line()  # a bar ends no line of its own
            yield Text(self.text)
            return
        head = Table.grid(padding=(0, 1))
        head.add_row(bar, Text(self.text))
        yield head


class _Pieces:
    """Pieces of text joined by two spaces, a line broken between pieces only."""

    def __init__(self, pieces: list[str], style: str = "") -> None:
        self.pieces = pieces
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.cells import cell_len
        from rich.text import Text

        lines = [self.pieces[0]]
        for piece in self.pieces[1:]:
            joined = f"{lines[-1]}  {piece}"
            if cell_len(joined) > options.max_width:
                lines.append(piece)  # a piece wider than the terminal still wraps as text
            else:
                lines[-1] = joined
        yield Text("\n".join(lines), style=self.style)


def render(snap: Snapshot, budget: Budget) -> RenderableType:
    """The panel for ``snap`` (a rich renderable), fitted to the console's width."""
    from rich.console import Group

    lines: list[Any] = [_Head(snap.fraction, _headline(snap)),
                        _Pieces(_results(snap), style="bold")]
    lines += [_Pieces(pieces, style="cyan") for pieces in _bracket_lines(snap, budget)]
    running = _running_line(snap)
    if running:
        lines.append(_Pieces(running, style="dim"))
    return Group(*lines)
