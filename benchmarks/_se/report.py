"""From runs to numbers: regret curves on a budget grid, quantiles over seeds, the budget each
optimiser needs to reach random search's final median regret, speed-ups and ranks.

Pure functions of the results (the plot and the tables only format what they return).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from _se.registry import Result

__all__ = ["Summary", "budget_grid", "curves", "quantiles", "summarise"]

REFERENCE = "rung random"


def budget_grid(max_budget: float, marks: Sequence[float]) -> np.ndarray:
    """Budgets in multiples of R: 200 log-spaced points from 0.1 to ``max_budget``, plus marks."""
    points = np.geomspace(0.1, max_budget, 200)
    return np.unique(np.concatenate([points, [m for m in marks if m <= max_budget]]))


def curve(result: Result, grid: np.ndarray) -> np.ndarray:
    """The incumbent's regret once ``b * R`` epochs are spent, for each ``b`` of ``grid``
    (``inf`` before the first job ends)."""
    spent = np.asarray(result.epochs, dtype=float)
    regrets = np.asarray(result.regrets, dtype=float)
    index = np.searchsorted(spent, grid * result.max_epochs, side="right") - 1
    return np.where(index >= 0, regrets[np.maximum(index, 0)], np.inf)


def curves(results: Iterable[Result], grid: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """(problem, optimiser) -> seeds x budgets regrets."""
    rows: dict[tuple[str, str], list[np.ndarray]] = {}
    for r in sorted(results, key=lambda r: r.task.seed):
        rows.setdefault((r.task.problem, r.task.optimizer), []).append(curve(r, grid))
    return {k: np.stack(v) for k, v in rows.items()}


def quantiles(table: np.ndarray) -> np.ndarray:
    """25th, 50th and 75th percentiles over seeds (axis 0); ``inf`` stays ``inf``."""
    big = np.where(np.isinf(table), 1e300, table)
    q = np.percentile(big, [25, 50, 75], axis=0)
    return np.where(q >= 1e299, np.inf, q)


@dataclass(frozen=True)
class Summary:
    problems: list[str]
    optimizers: list[str]
    grid: np.ndarray
    q: dict[tuple[str, str], np.ndarray]  # 3 x budgets
    target: dict[str, float]  # random search's final median regret
    needed: dict[tuple[str, str], float]  # budget (x R) to reach it; inf if never
    ranks: dict[float, dict[str, float]]  # mark -> optimiser -> mean rank of the median

    def speedup(self, problem: str, optimizer: str) -> float:
        return float(self.grid[-1] / self.needed[problem, optimizer])

    def reached(self, optimizer: str) -> list[str]:
        return [p for p in self.problems if math.isfinite(self.needed[p, optimizer])]

    def geomean_speedup(self, optimizer: str, unreached_as_one: bool = False) -> float:
        values = [self.speedup(p, optimizer) if math.isfinite(self.needed[p, optimizer])
                  else (1.0 if unreached_as_one else math.nan) for p in self.problems]
        values = [v for v in values if not math.isnan(v)]
        return float(np.exp(np.mean(np.log(values)))) if values else math.nan

    def at(self, problem: str, optimizer: str, mark: float) -> np.ndarray:
        """(q25, median, q75) at budget ``mark``."""
        return self.q[problem, optimizer][:, int(np.searchsorted(self.grid, mark))]


def summarise(results: Sequence[Result], optimizers: Sequence[str], max_budget: float,
              marks: Sequence[float]) -> Summary:
    grid = budget_grid(max_budget, marks)
    table = curves(results, grid)
    problems = list(dict.fromkeys(r.task.problem for r in results))
    q = {k: quantiles(v) for k, v in table.items()}
    target = {p: float(q[p, REFERENCE][1, -1]) for p in problems}
    needed = {}
    for p in problems:
        for o in optimizers:
            hit = np.nonzero(q[p, o][1] <= target[p] + 1e-12)[0]
            needed[p, o] = float(grid[hit[0]]) if len(hit) else math.inf
    ranks = {}
    for mark in (m for m in marks if m >= 10 and m <= max_budget):
        column = int(np.searchsorted(grid, mark))
        per_problem = [rankdata([q[p, o][1, column] for o in optimizers]) for p in problems]
        ranks[mark] = dict(zip(optimizers, np.mean(per_problem, axis=0).tolist(), strict=True))
    return Summary(problems, list(optimizers), grid, q, target, needed, ranks)
