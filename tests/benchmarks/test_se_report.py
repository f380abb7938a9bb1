"""The benchmark's aggregation: regret on the budget grid, the time to reach random's final
median, speed-ups and ranks, on hand-made runs."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from _se.registry import Result, Task  # noqa: E402
from _se.report import curve, summarise  # noqa: E402


def _result(optimizer, seed, epochs, regrets, problem="p"):
    return Result(Task(problem, optimizer, seed, 10.0), 10, tuple(epochs), tuple(regrets),
                  len(epochs), 0.0)


def test_curve_holds_the_last_regret_reached_within_each_budget():
    r = _result("a", 0, [5, 10, 40], [3.0, 2.0, 1.0])
    values = curve(r, np.array([0.1, 0.5, 1.0, 3.9, 4.0, 9.0]))
    assert values.tolist() == [math.inf, 3.0, 2.0, 2.0, 1.0, 1.0]


def test_needed_budget_speedup_and_ranks():
    results = []
    for seed in range(3):  # random reaches regret 1 only at the end; "fast" at 1 R
        results.append(_result("rung random", seed, [10, 100], [5.0, 1.0]))
        results.append(_result("fast", seed, [5, 10], [2.0, 0.5]))
        results.append(_result("never", seed, [100], [3.0]))
    s = summarise(results, ["rung random", "fast", "never"], 10.0, (1.0, 10.0))
    assert s.target == {"p": 1.0}
    assert s.needed["p", "fast"] == pytest.approx(1.0)
    assert s.speedup("p", "fast") == pytest.approx(10.0)
    assert s.needed["p", "rung random"] == pytest.approx(10.0)
    assert math.isinf(s.needed["p", "never"]) and s.reached("never") == []
    assert s.geomean_speedup("never", unreached_as_one=True) == 1.0
    assert s.ranks[10.0] == {"fast": 1.0, "rung random": 2.0, "never": 3.0}
    assert s.at("p", "fast", 1.0).tolist() == [0.5, 0.5, 0.5]
