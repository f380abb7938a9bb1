"""The live progress panel of a search in a terminal or a notebook, drawn with rich.

rich is optional (``pip install "rung[progress]"``; Keras installs it too) and imported only when
a search draws to a terminal: without it, or when the output is not a terminal (a CI log, a
file, a pipe), the tuner prints plain lines, one per event (``rung.tuner.display``). The panel
stays at the bottom of the terminal and redraws four times a second; the lines the search prints
(one per job, failures, the training code's own output) scroll above it::

    ━━━━━━━━━━━━━━━━╺━━━━━━━━━━━━━  52%  epochs 140/270  jobs 23/59  0:00:31, about 0:00:29 left
    best val_accuracy=0.9722 (trial 0012)  ·  completed 21  failed 2
    bracket s=2: rung 0 9/9  rung 1 1/3  rung 2 0/1
    running on 2 workers: 0013 s=2 rung 1 epoch 5/9  ·  0014 s=2 rung 1 epoch 3/9

What the panel says, fitted to the terminal's width, is ``rung.tuner.panel``'s. It is
rendered each time rich draws it, on its own refreshes and below each line printed above it,
so the panel under a job's line counts that job. ``RUNG_PROGRESS=plain`` in the environment
keeps the plain lines in a terminal too.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING, TextIO

from rung.tuner.interrupt import in_ipython
from rung.tuner.panel import render
from rung.tuner.progress import SearchProgress

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

__all__ = ["LiveView", "render", "wants_live"]


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


class _Now:
    """The panel as it stands whenever rich draws it: on its own refreshes, and again below
    each line printed above it (a panel rendered at the last refresh would show, under the
    line of job 9, the counts of before job 1 when jobs take less than the refresh period)."""

    def __init__(self, progress: SearchProgress) -> None:
        self.progress = progress

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield render(self.progress.snapshot(), self.progress.budget)


class LiveView:
    """The panel, redrawn by rich's own thread from ``progress.snapshot()`` while started."""

    def __init__(self, progress: SearchProgress, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self.progress = progress
        self.console = Console(file=stream)
        now = _Now(progress)
        self._live = Live(console=self.console, refresh_per_second=4,
                          get_renderable=lambda: now, redirect_stdout=True,
                          redirect_stderr=True)

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
