"""Learning-curve problems: parametric loss-against-epoch curves over mixed and conditional
spaces, and a tabular benchmark of real training runs (digits).

Each parametric curve ends, at ``R = 81`` epochs, at a final loss ``L(x)`` whose minimum is known
by construction; how it gets there depends on the configuration:

* power law: ``loss(e) = L(x) + A(x) * (e**-alpha(x) - R**-alpha(x))``;
* exponential: ``loss(e) = L(x) + A(x) * (exp(-e / tau(x)) - exp(-R / tau(x)))``;

plus Gaussian observation noise of standard deviation 0.003 at every epoch (also at ``R``; the
regret uses the noise-free ``L(x)``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from _se.problem import Problem
from _se.space import Choice, Float, Int

__all__ = ["digits", "lc_conditional", "lc_crossing", "lc_diverging", "lc_mixed"]

R = 81
NOISE = 0.003
DIGITS = Path(__file__).resolve().parent.parent / "data" / "digits_mlp.npz"


def _pow(final: float, excess: float, alpha: float, epoch: int) -> float:
    return final + excess * (epoch ** -alpha - R ** -alpha)


def _exp(final: float, excess: float, tau: float, epoch: int) -> float:
    return final + excess * (math.exp(-epoch / tau) - math.exp(-R / tau))


def _noisy(curve: Any) -> Any:
    def observe(v: dict[str, Any], epoch: int, rng: np.random.Generator) -> float:
        return float(curve(v, epoch) + NOISE * rng.standard_normal())
    return observe


# --- mixed space, power-law curves that cross a little --------------------------------------
_OPT = {"sgd": (-1.0, 0.02), "adam": (-3.0, 0.0), "rmsprop": (-2.5, 0.01)}  # best log10 lr, offset


def _lc_mixed(v: dict[str, Any], epoch: int) -> float:
    best, offset = _OPT[v["optimizer"]]
    gap = math.log10(v["lr"]) - best
    final = (0.05 + offset + 0.02 * gap**2 + 0.004 * (math.log2(v["batch"]) - 6) ** 2
             + 0.1 * (v["dropout"] - 0.3) ** 2 + 0.003 * (math.log2(v["units"]) - 8) ** 2)
    alpha = (0.35 + 0.075 * float(np.clip(gap + 1, -2, 2)) - 0.02 * (math.log2(v["units"]) - 8)
             - 0.1 * v["dropout"])
    excess = 0.8 + 0.02 * (math.log2(v["batch"]) - 4)
    return _pow(final, excess, max(alpha, 0.05), epoch)


def lc_mixed() -> Problem:
    """Learning rate (log), batch size and units (log integers), optimiser (categorical),
    dropout; higher rates and less dropout converge faster. Optimum 0.05 (adam, lr 1e-3,
    batch 64, units 256, dropout 0.3)."""
    space = (Float("lr", 1e-5, 1.0, log=True), Int("batch", 16, 512, log=True),
             Choice("optimizer", tuple(_OPT)), Float("dropout", 0.0, 0.8),
             Int("units", 16, 1024, log=True))
    return Problem("lc_mixed", space, R, _noisy(_lc_mixed), lambda v: _lc_mixed(v, R), 0.05,
                   "power-law curves, 5 mixed")


DIVERGED = 1e6
"""The loss a diverged job reports at every epoch in ``lc_diverging``: large and finite, as an
exploded mean squared error or a cross-entropy over saturated logits are."""


def _lc_diverging(v: dict[str, Any], epoch: int) -> float:
    best, _ = _OPT[v["optimizer"]]
    if math.log10(v["lr"]) - best > 1.0:  # ten times the optimiser's best rate and more
        return DIVERGED
    return _lc_mixed(v, epoch)


def lc_diverging() -> Problem:
    """``lc_mixed`` where a learning rate more than ten times its optimiser's best diverges:
    the loss is ``DIVERGED`` (1e6) from the first epoch on (adam above 0.01, rmsprop above
    0.03: 27% of the space). Not in the default suite; ``--problems lc_diverging``."""
    space = (Float("lr", 1e-5, 1.0, log=True), Int("batch", 16, 512, log=True),
             Choice("optimizer", tuple(_OPT)), Float("dropout", 0.0, 0.8),
             Int("units", 16, 1024, log=True))
    return Problem("lc_diverging", space, R, _noisy(_lc_diverging),
                   lambda v: _lc_diverging(v, R), 0.05,
                   "lc_mixed whose upper learning rates diverge to a loss of 1e6, 5 mixed")


# --- conditional space: the model family decides which hyperparameters exist -------------------
_FAMILY = {"linear": (0.3, 0.9), "mlp": (0.6, 0.5), "cnn": (0.9, 0.3)}  # excess, alpha
_KERNEL = {3: 0.01, 5: 0.0, 7: 0.008}


def _lc_conditional(v: dict[str, Any], epoch: int) -> float:
    lr = math.log10(v["lr"])
    if v["optimizer"] == "sgd":
        opt = 0.005 + 0.02 * (lr + 1.5) ** 2 + 0.05 * (v["momentum"] - 0.9) ** 2
    else:
        opt = 0.02 * (lr + 3.0) ** 2 + 0.2 * (v["beta1"] - 0.9) ** 2
    model = v["model"]
    if model == "linear":
        final = 0.12 + opt
    elif model == "mlp":
        final = (0.06 + opt + 0.004 * (math.log2(v["units"]) - 8) ** 2
                 + 0.01 * (v["depth"] - 3) ** 2)
    else:
        final = 0.03 + opt + 0.004 * (math.log2(v["filters"]) - 6) ** 2 + _KERNEL[v["kernel"]]
    excess, alpha = _FAMILY[model]
    return _pow(final, excess, alpha, epoch)


def lc_conditional() -> Problem:
    """A model family (linear / mlp / cnn) with its own hyperparameters, an optimiser (sgd with
    momentum / adam with beta1) and a learning rate: 9 hyperparameters, at most 6 active. The
    linear model converges fastest and ends worst, the cnn slowest and best (they cross near
    27 epochs). Optimum 0.03 (cnn, 64 filters, kernel 5, adam, lr 1e-3, beta1 0.9)."""
    space = (Choice("model", tuple(_FAMILY)),
             Int("units", 16, 1024, log=True, parent="model", parent_values=("mlp",)),
             Int("depth", 1, 6, parent="model", parent_values=("mlp",)),
             Int("filters", 8, 256, log=True, parent="model", parent_values=("cnn",)),
             Choice("kernel", tuple(_KERNEL), parent="model", parent_values=("cnn",)),
             Choice("optimizer", ("sgd", "adam")),
             Float("momentum", 0.0, 0.99, parent="optimizer", parent_values=("sgd",)),
             Float("beta1", 0.5, 0.999, parent="optimizer", parent_values=("adam",)),
             Float("lr", 1e-5, 1.0, log=True))
    return Problem("lc_conditional", space, R, _noisy(_lc_conditional),
                   lambda v: _lc_conditional(v, R), 0.03, "power-law curves, 9 conditional")


# --- curves that cross strongly: slow learners end best ------------------------------------
_SCHEDULE = {"cosine": (0.0, 1.3), "step": (0.005, 1.1), "constant": (0.015, 1.0)}


def _lc_crossing(v: dict[str, Any], epoch: int) -> float:
    lr = math.log10(v["lr"])
    offset, slower = _SCHEDULE[v["schedule"]]
    final = (0.04 + 0.016 * (lr + 3.5) ** 2 + 0.004 * (math.log10(v["wd"]) + 4) ** 2 + offset
             + 0.0005 * (v["warmup"] - 5) ** 2)
    tau = float(np.clip(0.8 * 10 ** (-0.6 * (lr + 1)) * slower, 0.5, 500.0))
    return _exp(final, 0.6, tau, epoch)


def lc_crossing() -> Problem:
    """Learning rate, weight decay (log), schedule, warmup; exponential curves whose time
    constant grows as the rate shrinks: lr 0.1 is best up to ~50 epochs, lr 3e-4 is best at 81
    (every rung below 81 prefers a larger rate). Optimum 0.04 (lr 10**-3.5, wd 1e-4, cosine,
    warmup 5)."""
    space = (Float("lr", 1e-5, 1.0, log=True), Float("wd", 1e-7, 1e-1, log=True),
             Choice("schedule", tuple(_SCHEDULE)), Int("warmup", 0, 10))
    return Problem("lc_crossing", space, R, _noisy(_lc_crossing), lambda v: _lc_crossing(v, R),
                   0.04, "exponential curves that cross, 4 mixed")


# --- tabular: real MLP training runs on digits (benchmarks/make_digits_table.py) -------------
def digits() -> Problem:
    """Held-out error of 360 MLPClassifier configurations on digits after each of 81 epochs,
    looked up in the table; no noise (one training run per configuration). Optimum: the
    table's best error at 81 epochs."""
    with np.load(DIGITS) as data:
        errors = data["errors"].astype(np.float64) / float(data["n_val"])
        names = [str(n) for n in data["names"]]
        grids = [data[f"values_{n}"] for n in names]
    levels = [tuple(dict.fromkeys(g.tolist())) for g in grids]
    radix = [len(x) for x in levels]
    space = tuple(Choice(n, lv) for n, lv in zip(names, levels, strict=True))

    def row(v: dict[str, Any]) -> int:
        index = 0
        for name, level, base in zip(names, levels, radix, strict=True):
            index = index * base + _position(level, v[name])
        return index

    def observe(v: dict[str, Any], epoch: int, rng: np.random.Generator) -> float:
        return float(errors[row(v), epoch - 1])

    return Problem("digits_mlp", space, errors.shape[1], observe,
                   lambda v: float(errors[row(v), -1]), float(errors[:, -1].min()),
                   f"tabular, {len(errors)} MLPs on digits, 6 discrete")


def _position(level: tuple[Any, ...], value: Any) -> int:
    if isinstance(level[0], str):
        return level.index(str(value))
    return int(np.argmin([abs(float(x) - float(value)) for x in level]))
