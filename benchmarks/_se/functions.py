"""Multi-fidelity test functions: Branin, Hartmann-3, Hartmann-6 and a mixed-space variant.

Fidelity (after Kandasamy et al., "Multi-fidelity Bayesian Optimisation with Continuous
Approximations", ICML 2017, who perturb the functions' constants by ``1 - z``): with ``R`` the
largest budget and ``z = log(e) / log(R)`` (0 after one epoch, 1 after ``R``), ``d = 1 - z``,

* Branin's constants become ``b - 0.01 d``, ``c - 0.1 d``, ``t + 0.05 d``;
* Hartmann's weights become ``alpha - 0.1 d``;
* each observation adds Gaussian noise of standard deviation ``sigma0 * d``
  (Branin 1.0, Hartmann 0.1, mixed 1.0): noise-free at ``R``.

So low fidelities are biased (the optimum moves) and noisy, and both vanish at ``R``, where the
function is the textbook one and the optimum is known.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from _se.problem import Problem
from _se.space import Choice, Float, Int

__all__ = ["branin", "hartmann3", "hartmann6", "mixed"]

R = 81
BRANIN_MIN = 0.397887357729738
_H3_A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                         [381, 5743, 8828]])
_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_MIN = -3.86278214782076
_H6_MIN = -3.32236801141551


def _gap(epoch: int) -> float:
    """``d = 1 - log(e) / log(R)``: 1 after one epoch, 0 at ``R``."""
    return 1.0 - math.log(max(epoch, 1)) / math.log(R)


def _branin(x1: float, x2: float, d: float = 0.0) -> float:
    b = 5.1 / (4 * math.pi**2) - 0.01 * d
    c = 5 / math.pi - 0.1 * d
    t = 1 / (8 * math.pi) + 0.05 * d
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def _hartmann(x: np.ndarray, a: np.ndarray, p: np.ndarray, d: float = 0.0) -> float:
    inner = np.sum(a * (x[None, :] - p) ** 2, axis=1)
    return -float(np.sum((_ALPHA - 0.1 * d) * np.exp(-inner)))


def branin() -> Problem:
    space = (Float("x1", -5.0, 10.0), Float("x2", 0.0, 15.0))

    def observe(v: dict[str, Any], epoch: int, rng: np.random.Generator) -> float:
        d = _gap(epoch)
        return _branin(v["x1"], v["x2"], d) + 1.0 * d * rng.standard_normal()

    return Problem("branin", space, R, observe, lambda v: _branin(v["x1"], v["x2"]), BRANIN_MIN,
                   "Branin, 2 continuous")


def _hartmann_problem(name: str, a: np.ndarray, p: np.ndarray, optimum: float) -> Problem:
    dims = a.shape[1]
    space = tuple(Float(f"x{i}", 0.0, 1.0) for i in range(dims))

    def vector(v: dict[str, Any]) -> np.ndarray:
        return np.array([v[f"x{i}"] for i in range(dims)])

    def observe(v: dict[str, Any], epoch: int, rng: np.random.Generator) -> float:
        d = _gap(epoch)
        return _hartmann(vector(v), a, p, d) + 0.1 * d * rng.standard_normal()

    return Problem(name, space, R, observe, lambda v: _hartmann(vector(v), a, p), optimum,
                   f"Hartmann, {dims} continuous")


def hartmann3() -> Problem:
    return _hartmann_problem("hartmann3", _H3_A, _H3_P, _H3_MIN)


def hartmann6() -> Problem:
    return _hartmann_problem("hartmann6", _H6_A, _H6_P, _H6_MIN)


# variant -> (shift of x1, scale, offset, bias at low fidelity); "b" holds the optimum
_VARIANTS = {"a": (0.0, 1.0, 0.3, 0.0), "b": (2.0, 1.0, 0.0, 0.0),
             "c": (-1.5, 0.5, 0.5, -0.8), "d": (1.0, 2.0, 0.1, 0.0)}
_NORM = {"batch": 0.0, "layer": 0.1, "none": 0.4}


def _mixed(v: dict[str, Any], d: float) -> float:
    shift, scale, offset, bias = _VARIANTS[v["variant"]]
    value = scale * _branin(v["x1"] - shift, v["x2"], d) + offset + bias * d
    return value + 0.3 * (math.log2(v["n"]) - 3) ** 2 + _NORM[v["norm"]]


def mixed() -> Problem:
    """Branin in (x1, x2), reshaped by a categorical ``variant`` (shift, scale, offset; variant
    "c" looks best at low fidelity), an integer ``n`` (log scale, best 8) and a categorical
    ``norm``. Optimum: variant "b", n=8, norm "batch": Branin's minimum."""
    space = (Float("x1", -5.0, 10.0), Float("x2", 0.0, 15.0), Choice("variant", tuple(_VARIANTS)),
             Int("n", 1, 64, log=True), Choice("norm", tuple(_NORM)))

    def observe(v: dict[str, Any], epoch: int, rng: np.random.Generator) -> float:
        d = _gap(epoch)
        return _mixed(v, d) + 1.0 * d * rng.standard_normal()

    return Problem("mixed", space, R, observe, lambda v: _mixed(v, 0.0), BRANIN_MIN,
                   "Branin x categorical x log-int, 5 mixed")
