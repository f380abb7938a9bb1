"""The benchmark's problems and bookkeeping: optima, fidelity, the epoch budget, the incumbent."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from _se.problem import Run  # noqa: E402
from _se.registry import ALL_PROBLEMS, PROBLEMS  # noqa: E402

# configurations that reach each problem's optimum (by construction)
BEST = {
    "branin": {"x1": np.pi, "x2": 2.275},
    "hartmann3": {"x0": 0.114614, "x1": 0.555649, "x2": 0.852547},
    "hartmann6": dict(zip([f"x{i}" for i in range(6)],
                          [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573], strict=True)),
    "mixed": {"x1": np.pi + 2, "x2": 2.275, "variant": "b", "n": 8, "norm": "batch"},
    "lc_mixed": {"lr": 1e-3, "batch": 64, "optimizer": "adam", "dropout": 0.3, "units": 256},
    "lc_diverging": {"lr": 1e-3, "batch": 64, "optimizer": "adam", "dropout": 0.3, "units": 256},
    "lc_conditional": {"model": "cnn", "filters": 64, "kernel": 5, "optimizer": "adam",
                       "beta1": 0.9, "lr": 1e-3},
    "lc_crossing": {"lr": 10**-3.5, "wd": 1e-4, "schedule": "cosine", "warmup": 5},
}


def _sample(problem, rng):
    values = {}
    for p in problem.space:
        if not p.active(values):
            continue
        if p.kind == "choice":
            values[p.name] = p.values[rng.integers(len(p.values))]
        else:
            lo, hi = (np.log(p.low), np.log(p.high)) if p.log else (p.low, p.high)
            x = rng.uniform(lo, hi)
            x = float(np.exp(x)) if p.log else float(x)
            values[p.name] = int(round(x)) if p.kind == "int" else x
    return values


@pytest.mark.parametrize("name", sorted(ALL_PROBLEMS))
def test_no_configuration_beats_the_optimum(name):
    problem = ALL_PROBLEMS[name]()
    rng = np.random.default_rng(0)
    finals = [problem.final(_sample(problem, rng)) for _ in range(300)]
    assert min(finals) >= problem.optimum - 1e-9
    assert max(finals) > problem.optimum + 1e-3  # not a flat function


@pytest.mark.parametrize("name", sorted(BEST))
def test_the_documented_optimum_is_reached(name):
    problem = ALL_PROBLEMS[name]()
    assert problem.final(BEST[name]) == pytest.approx(problem.optimum, abs=1e-5)


@pytest.mark.parametrize("name", ["branin", "hartmann6", "mixed"])
def test_low_fidelity_is_biased_and_full_fidelity_is_exact(name):
    problem = PROBLEMS[name]()
    rng = np.random.default_rng(1)
    values = _sample(problem, rng)
    at_r = [problem.observe(values, problem.max_epochs, rng) for _ in range(3)]
    assert at_r == pytest.approx([problem.final(values)] * 3)
    at_one = [problem.observe(values, 1, rng) for _ in range(3)]
    assert len(set(at_one)) == 3  # noisy at one epoch


def test_crossing_curves_rank_the_winner_last_early_and_first_at_r():
    problem = PROBLEMS["lc_crossing"]()
    fast = {"lr": 0.1, "wd": 1e-4, "schedule": "cosine", "warmup": 5}
    slow = BEST["lc_crossing"]
    rng = np.random.default_rng(0)
    assert problem.observe(slow, 27, rng) > problem.observe(fast, 27, rng) + 0.05
    assert problem.final(slow) < problem.final(fast) - 0.05


def test_a_continued_job_pays_its_extra_epochs_only():
    run = Run(PROBLEMS["branin"](), budget=100, seed=0)
    values = {"x1": 0.0, "x2": 0.0}
    run.train(values, 0, 3)
    run.train(values, 3, 9)
    assert run.spent == 9 and run.epochs == [3, 9]


def test_the_incumbent_is_the_best_at_the_highest_fidelity_seen():
    problem = PROBLEMS["branin"]()
    run = Run(problem, budget=10**6, seed=0)
    good, bad = {"x1": np.pi, "x2": 2.275}, {"x1": -5.0, "x2": 0.0}
    run.record(good, 1, -100.0)  # looks excellent at one epoch
    assert run.regrets[-1] == pytest.approx(0.0, abs=1e-5)
    run.record(bad, 3, 1e6)  # a higher fidelity replaces it, however bad it looks
    assert run.regrets[-1] == pytest.approx(problem.final(bad) - problem.optimum)
    run.record(good, 1, -1e9)  # a lower fidelity never does
    assert run.regrets[-1] == pytest.approx(problem.final(bad) - problem.optimum)


def test_lc_diverging_is_lc_mixed_but_where_the_rate_is_ten_times_too_high():
    diverging, mixed = ALL_PROBLEMS["lc_diverging"](), PROBLEMS["lc_mixed"]()
    rng = np.random.default_rng(3)
    for _ in range(200):
        values = _sample(diverging, rng)
        best = {"sgd": 0.1, "adam": 1e-3, "rmsprop": 10**-2.5}[values["optimizer"]]
        if values["lr"] > 10 * best:
            assert diverging.final(values) == 1e6
        else:
            assert diverging.final(values) == mixed.final(values)
