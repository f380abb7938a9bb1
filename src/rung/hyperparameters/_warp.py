"""The arithmetic of numeric ranges on the unit interval: the sampling's warp, log grids and a
closed-interval uniform draw (for ``rung.hyperparameters.numeric``).

Log ranges whose ratio overflows a float (``Float(1e-300, 1e300, sampling="log")``) are warped
through ``log(b) - log(a)`` instead of ``log(b / a)``, and linear ranges wider than the largest
float through halves, so every value maps into ``[0, 1]`` and back; ranges that do not overflow
use the plain formulas (the same bits as always).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EPS", "clip_unit", "closed_unit", "log_point", "log_ratio", "unwarp", "warp"]

EPS = 1e-9
"""The tolerance of grid arithmetic: a span's floor, a value's snap to a bound."""
_TWO_53 = 2**53


def log_ratio(x: float, a: float) -> float:
    """``log(x / a)`` for ``x, a > 0``; through ``log(x) - log(a)`` when ``x / a`` overflows."""
    ratio = x / a
    if math.isfinite(ratio):
        return math.log(ratio)
    return math.log(x) - math.log(a)


def log_point(a: float, step: float, i: int) -> float:
    """``a * step ** i`` (a log grid's ``i``-th value); through logs when ``step ** i``
    overflows although the value does not (``a`` tiny)."""
    try:
        return a * step**i
    except OverflowError:
        return math.exp(math.log(a) + i * math.log(step))


def closed_unit(rng: np.random.Generator) -> float:
    """A uniform draw from the closed interval ``[0, 1]`` (both ends possible)."""
    return int(rng.integers(0, _TWO_53, endpoint=True)) / _TWO_53


def clip_unit(u: float) -> float:
    """``u`` clipped to ``[0, 1]``; NaN or what is not a number (a str, None) is a
    ``ValueError`` naming it (``from_unit``, keras-tuner's ``prob_to_value``)."""
    try:
        x = float(u)
    except (TypeError, ValueError):
        x = math.nan
    if math.isnan(x) or isinstance(u, (str, bytes)):
        raise ValueError(
            f"from_unit: u must be a number in [0, 1], got {u!r} of type {type(u).__name__}.")
    return min(max(x, 0.0), 1.0)


def warp(u: float, a: float, b: float, sampling: str) -> float:
    """The point of ``[a, b]`` at ``u`` under ``sampling`` (``"linear"``, ``"log"`` or
    ``"reverse_log"``)."""
    if a == b:
        return a
    if sampling == "linear":
        if math.isfinite(b - a):
            return a + u * (b - a)
        return a * (1.0 - u) + b * u  # wider than the largest float
    if math.isfinite(b / a):
        r = math.log(b / a)
        if sampling == "log":
            return a * math.exp(u * r)
        return b + a - a * math.exp((1.0 - u) * r)
    r = math.log(b) - math.log(a)  # the ratio overflows: stay in log space
    if sampling == "log":
        return math.exp(math.log(a) + u * r)
    return b + a - math.exp(math.log(a) + (1.0 - u) * r)


def unwarp(x: float, a: float, b: float, sampling: str) -> float:
    """The inverse of ``warp``: the position in ``[0, 1]`` of ``x`` (clipped to ``[a, b]``)."""
    if a == b:
        return 0.5
    x = min(max(float(x), a), b)
    if sampling == "linear":
        wide = not math.isfinite(b - a)  # wider than the largest float: halves
        u = (x / 2 - a / 2) / (b / 2 - a / 2) if wide else (x - a) / (b - a)
    elif sampling == "log":
        u = log_ratio(x, a) / log_ratio(b, a)
    else:  # b + a - x >= a, but not always in floats (a far below b)
        u = 1.0 - log_ratio(max(b + a - x, a), a) / log_ratio(b, a)
    return min(max(u, 0.0), 1.0)
