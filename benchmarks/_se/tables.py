"""Markdown tables of a ``Summary`` (printed, and pasted into docs/sample-efficiency.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from _se.report import REFERENCE, Summary

__all__ = ["ranks_table", "regret_tables", "speedup_table"]


def _num(x: float) -> str:
    if math.isinf(x):
        return "-"
    if x == 0:
        return "0"
    return f"{x:.3g}" if abs(x) >= 1e-3 else f"{x:.1e}"


def regret_tables(s: Summary, marks: Sequence[float]) -> str:
    """Per problem: median regret (25th-75th percentile) at each mark."""
    shown = [m for m in marks if m <= s.grid[-1] + 1e-9]
    out = []
    for p in s.problems:
        out.append(f"**{p}** (random search's final median regret: {_num(s.target[p])})\n")
        out.append("| optimizer | " + " | ".join(f"{m:g}x R" for m in shown) + " |")
        out.append("| --- |" + " ---: |" * len(shown))
        for o in s.optimizers:
            cells = []
            for m in shown:
                lo, med, hi = s.at(p, o, m)
                cells.append(f"{_num(med)} ({_num(lo)}-{_num(hi)})")
            out.append(f"| {o} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def speedup_table(s: Summary) -> str:
    """The budget (and speed-up over random search) to reach random's final median regret."""
    head = "| optimizer | " + " | ".join(s.problems) + " | reached | geo-mean | geo-mean* |"
    out = [f"Budget at which the median regret first reaches {REFERENCE}'s median at "
           f"{s.grid[-1]:g} R, and the speed-up {s.grid[-1]:g} R / budget ('-': never "
           "within the budget). "
           "geo-mean: over the problems reached; geo-mean*: unreached problems counted as 1x.\n",
           head, "| --- |" + " ---: |" * (len(s.problems) + 3)]
    for o in s.optimizers:
        cells = [f"{s.needed[p, o]:.2g} R, {s.speedup(p, o):.1f}x"
                 if math.isfinite(s.needed[p, o]) else "-" for p in s.problems]
        reached = len(s.reached(o))
        out.append(f"| {o} | " + " | ".join(cells)
                   + f" | {reached}/{len(s.problems)} | {_times(s.geomean_speedup(o))}"
                   + f" | {s.geomean_speedup(o, unreached_as_one=True):.1f}x |")
    return "\n".join(out) + "\n"


def ranks_table(s: Summary) -> str:
    """Mean rank (1 = best) of each optimiser's median regret over the problems."""
    marks = sorted(s.ranks)
    out = ["| optimizer | " + " | ".join(f"mean rank at {m:g}x R" for m in marks) + " |",
           "| --- |" + " ---: |" * len(marks)]
    order = sorted(s.optimizers, key=lambda o: s.ranks[marks[-1]][o] if marks else 0)
    for o in order:
        out.append(f"| {o} | " + " | ".join(f"{s.ranks[m][o]:.2f}" for m in marks) + " |")
    return "\n".join(out) + "\n"


def _times(speedup: float) -> str:
    """A speed-up as ``12.3x``; ``-`` where there is none (no problem reached)."""
    return "-" if speedup != speedup else f"{speedup:.1f}x"
