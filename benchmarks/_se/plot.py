"""The regret-against-budget figure (matplotlib, imported only here)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from _se.report import Summary

__all__ = ["plot"]


def plot(s: Summary, path: Path) -> None:
    """One panel per problem: median regret (line) and interquartile range (band) against the
    budget in multiples of R, log-log."""
    try:
        import matplotlib
    except ImportError as exc:
        raise SystemExit("the plot needs matplotlib: pip install 'rung[bench]' "
                         "(or pass --no-plot)") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(4, len(s.problems))
    rows = math.ceil(len(s.problems) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    table = list(plt.get_cmap("tab20").colors)
    colors = table[::2] + table[1::2]  # the ten strong colours first
    for ax, p in zip(axes.flat, s.problems, strict=False):
        medians = np.concatenate([s.q[p, o][1] for o in s.optimizers])
        positive = medians[np.isfinite(medians) & (medians > 0)]
        floor = 0.5 * float(positive.min()) if len(positive) else 1e-6  # a zero quartile
        for i, o in enumerate(s.optimizers):
            q, color = s.q[p, o], colors[i % len(colors)]
            finite = np.isfinite(q[1]) & (q[1] > 0)
            style = "-" if o.startswith("rung") else "--"
            ax.plot(s.grid[finite], q[1][finite], style, color=color, label=o, lw=1.4)
            band = finite & np.isfinite(q[0]) & np.isfinite(q[2])
            ax.fill_between(s.grid[band], np.maximum(q[0][band], floor), q[2][band],
                            color=color, alpha=0.08)
        ax.axhline(s.target[p], color="grey", lw=0.8, ls=":")
        ax.set(xscale="log", yscale="log", title=p, xlabel="epochs spent / R")
        ax.grid(alpha=0.3, which="both", lw=0.4)
    for ax in axes.flat[len(s.problems):]:
        ax.axis("off")
    axes[0][0].set_ylabel("regret (median, IQR band)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), fontsize=8,
               frameon=False)
    fig.tight_layout(rect=(0, 0.08 if rows > 1 else 0.14, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
