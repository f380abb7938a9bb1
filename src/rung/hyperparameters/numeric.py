"""Numeric hyperparameters: ``Int`` and ``Float``.

Both take ``min_value`` and ``max_value`` (both inclusive), an optional ``step`` and a ``sampling``:

* ``"linear"``: uniform over the range; ``step`` is the distance between neighbouring values.
* ``"log"``: uniform in log space (``min_value`` must be > 0); ``step`` is a *multiplier* (> 1),
  e.g. ``Int(2, 32, step=2, sampling="log")`` gives 2, 4, 8, 16, 32.
* ``"reverse_log"``: the mirror image of ``"log"`` within ``[min_value, max_value]``, dense near
  ``max_value``; with a step, the values are ``max_value + min_value - v`` for the ``"log"``
  values ``v``, as in keras-tuner: ``max_value`` is always one, and ``min_value`` only when the
  step reaches ``max_value`` (``Int(1, 1000, step=7)`` gives 658, 952, 994, 1000: the mirror of a
  grid that stops at 343 must still be dense near 1000, not near 343). As in keras-tuner,
  ``from_unit``'s bins take them in the order of ``v`` (largest value first).

With a step (``Int`` always has one under linear sampling: 1 by default) the values form a grid
``min_value, min_value + step, ...`` up to ``max_value``; like keras-tuner, a ``max_value`` the
step does not reach is allowed and the last grid value is the largest reachable one (a
``"reverse_log"`` grid is its mirror: it holds ``max_value`` and starts above ``min_value``).
Grid values are drawn with equal probability; ``from_unit`` splits ``[0, 1]`` into equal bins.

Without a step, ``Float`` is continuous and ``from_unit`` applies the sampling's warp, with
``from_unit(0.0) == min_value`` and ``from_unit(1.0) == max_value``; ``random_sample`` draws ``u``
from the *closed* interval ``[0, 1]`` so ``max_value`` can be produced (keras-tuner bug #1001).
``Int`` with log sampling and no step takes every integer, each with the probability of its
``[v - 0.5, v + 0.5]`` cell under the warp.

**Wide ranges.** ``Int`` bounds must fit in int64 (what NumPy samples and SQLite stores). Nothing
here lists a range to use it: sampling, ``to_unit`` and ``from_unit`` work on the index of a grid
value, and ``grid_size()`` counts the values. Only ``grid_values()`` (and keras-tuner's ``values``)
lists them, and it refuses more than ``MAX_GRID_VALUES``: ``Int("seed", 0, 2**31 - 1)`` is cheap
to sample and to model, but not to enumerate. Ranges whose ratio or width overflows a float still
map into ``[0, 1]`` and back (``_warp``).

The arguments are checked in ``_numeric_args``; the unit-interval arithmetic is in ``_warp``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from rung.errors import SearchSpaceError
from rung.hyperparameters._numeric_args import (
    INT64_MAX,
    INT64_MIN,
    SAMPLINGS,
    check_bounds,
    check_number,
    check_sampling,
    check_step,
    count_values,
)
from rung.hyperparameters._warp import (
    EPS,
    clip_unit,
    closed_unit,
    log_point,
    log_ratio,
    unwarp,
    warp,
)
from rung.hyperparameters.base import MAX_GRID_VALUES, Condition, HyperParameter

__all__ = ["INT64_MAX", "INT64_MIN", "SAMPLINGS", "Float", "Int"]

class _Numeric(HyperParameter):
    """Shared logic of ``Int`` and ``Float`` (see the module docstring)."""

    _integer: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str = "linear",
        default: float | None = None,
        conditions: Iterable[Condition] = (),
    ) -> None:
        super().__init__(name, conditions=conditions)
        where, integer = self._where, self._integer
        lo = check_number(min_value, "min_value", where, integer)
        hi = check_number(max_value, "max_value", where, integer)
        check_bounds(lo, hi, where, integer)
        sampling = check_sampling(sampling, lo, where)
        step = check_step(step, sampling, where, integer, type(self).__name__, self.name)
        self._min, self._max, self._step, self._sampling = lo, hi, step, sampling
        self._n = count_values(lo, hi, step, sampling, where, integer)
        value = lo if default is None else check_number(default, "default", where, integer)
        if not lo <= value <= hi:
            raise SearchSpaceError(
                f"{self._where}: default={value!r} is outside the range "
                f"[min_value={lo!r}, max_value={hi!r}]."
            )
        self._default = value

    # --- argument checks (in _numeric_args) -----------------------------------------------
    @property
    def _where(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    # --- public attributes -----------------------------------------------------------------
    @property
    def min_value(self) -> Any:
        """The lower bound (inclusive)."""
        return self._min

    @property
    def max_value(self) -> Any:
        """The upper bound (inclusive)."""
        return self._max

    @property
    def step(self) -> Any:
        """The step (a multiplier under log sampling), or ``None``."""
        return self._step

    @property
    def sampling(self) -> str:
        """``"linear"``, ``"log"`` or ``"reverse_log"``."""
        return self._sampling

    @property
    def default(self) -> Any:
        """The default value (``min_value`` unless given)."""
        return self._default

    def _definition(self) -> dict[str, Any]:
        return {
            "min_value": self._min,
            "max_value": self._max,
            "step": self._step,
            "sampling": self._sampling,
            "default": self._default,
        }

    @property
    def values(self) -> tuple[Any, ...]:
        """keras-tuner's ``values``: every grid value in increasing order, or, for a range
        without a step, ten values spread evenly over the sampling's warp. A grid of more than
        ``MAX_GRID_VALUES`` values raises ``SearchSpaceError`` (see ``grid_values``)."""
        if self._n is not None:
            return tuple(self.grid_values() or ())
        spread = (self.from_unit((i + 0.5) / 10) for i in range(10))
        return tuple(sorted(set(spread)))

    def _check_listable(self, size: int) -> None:
        """Refuse to list more than ``MAX_GRID_VALUES`` values (``grid_values``)."""
        if size > MAX_GRID_VALUES:
            raise SearchSpaceError(
                f"{self._where} has {size} values; grid_values() lists at most "
                f"{MAX_GRID_VALUES:,}. A range this wide can be sampled and modelled (random "
                "search, BOHB, Bayesian optimisation) but not enumerated: give it a larger "
                "step, or search it with another searcher than a grid."
            )

    # --- grid (with a step) ------------------------------------------------------------------
    def _grid_value(self, i: int) -> Any:
        n = self._n
        assert n is not None and self._step is not None
        if self._sampling == "linear":
            v = self._min + i * self._step
        else:  # reverse_log: index i mirrors the log value of index i (keras-tuner's order)
            g = log_point(self._min, self._step, i)
            v = g if self._sampling == "log" else self._max + self._min - g
        if self._integer:
            return int(min(max(v, self._min), self._max))
        return self._tidy(v)

    def _tidy(self, v: float) -> float:
        """Remove float noise (0.30000000000000004 -> 0.3) and snap to the bounds (within a
        tolerance relative to the value on a log grid, whose values span many magnitudes)."""
        scale = abs(v) if self._sampling == "log" else max(abs(self._min), abs(self._max))
        tol = EPS * scale
        if abs(v - self._min) <= tol:
            return float(self._min)
        if abs(v - self._max) <= tol:
            return float(self._max)
        return float(min(max(float(f"{v:.15g}"), self._min), self._max))

    def _grid_index(self, value: float) -> int:
        n = self._n
        assert n is not None and self._step is not None
        v = min(max(float(value), self._min), self._max)
        if self._sampling == "linear":
            x = (v - self._min) / self._step
            if not math.isfinite(x):  # a range wider than the largest float
                x = (v / 2 - self._min / 2) / (self._step / 2)
        elif self._sampling == "log":
            x = log_ratio(v, self._min) / math.log(self._step)
        else:  # max + min - v >= min, but not always in floats
            x = log_ratio(max(self._max + self._min - v, self._min), self._min) / math.log(
                self._step)
        return min(max(int(round(x)), 0), n - 1)

    # --- HyperParameter API ------------------------------------------------------------------
    def _check_value(self, value: Any) -> float:
        if isinstance(value, np.generic):
            value = value.item()
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ValueError(f"{self._where}: to_unit needs a number, got {value!r}.")
        return float(value)

    def to_unit(self, value: Any) -> float:
        """Map a value to ``[0, 1]`` (bin centre on a grid, warped position otherwise)."""
        v = self._check_value(value)
        if self._n is not None:
            return (self._grid_index(v) + 0.5) / self._n
        return self._continuous_to_unit(v)

    def from_unit(self, u: float) -> Any:
        """Map ``u`` (clipped to ``[0, 1]``) to a value."""
        u = clip_unit(u)
        if self._n is not None:
            return self._grid_value(min(int(u * self._n), self._n - 1))
        return self._continuous_from_unit(u)

    def _sample(self, rng: np.random.Generator) -> Any:
        """Draw a value: uniform over the grid, or ``from_unit`` of a closed-interval uniform."""
        if self._n is not None:
            if self._n > 2**63:  # int64's integers() stops there (Int(-2**63, 2**63 - 1))
                return self._grid_value(int(rng.integers(0, self._n - 1, endpoint=True,
                                                         dtype=np.uint64)))
            return self._grid_value(int(rng.integers(self._n)))
        return self.from_unit(closed_unit(rng))

    def grid_size(self) -> int | None:
        """How many values ``grid_values()`` holds (None: continuous), without listing them."""
        if self._n is not None:
            return self._n
        if self._integer:
            return int(self._max) - int(self._min) + 1
        return None

    def _continuous_to_unit(self, v: float) -> float:
        raise NotImplementedError

    def _continuous_from_unit(self, u: float) -> Any:
        raise NotImplementedError


class Int(_Numeric):
    """An integer in ``[min_value, max_value]`` (both inclusive).

    Example:
        >>> Int("units", 32, 128, step=32).grid_values()
        [32, 64, 96, 128]
        >>> Int("batch", 2, 32, step=2, sampling="log").grid_values()
        [2, 4, 8, 16, 32]
    """

    _integer = True

    def grid_values(self) -> list[Any]:
        """Every value in increasing order; more than ``MAX_GRID_VALUES`` raise
        ``SearchSpaceError`` (``grid_size()`` counts them)."""
        self._check_listable(self.grid_size() or 0)
        if self._n is not None:
            return sorted(self._grid_value(i) for i in range(self._n))
        return list(range(self._min, self._max + 1))

    # Log or reverse_log sampling without a step: warp over [min - 0.5, max + 0.5] and round.
    def _continuous_to_unit(self, v: float) -> float:
        v = min(max(v, self._min), self._max)
        return unwarp(v, self._min - 0.5, self._max + 0.5, self._sampling)

    def _continuous_from_unit(self, u: float) -> int:
        x = warp(u, self._min - 0.5, self._max + 0.5, self._sampling)
        return int(min(max(math.floor(x + 0.5), self._min), self._max))


class Float(_Numeric):
    """A float in ``[min_value, max_value]`` (both inclusive), continuous unless ``step`` is set.

    Example:
        >>> Float("dropout", 0.0, 0.5, step=0.1).grid_values()
        [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
        >>> Float("lr", 1e-4, 1e-1, sampling="log").from_unit(1.0)
        0.1
    """

    def grid_values(self) -> list[Any] | None:
        """The grid values in increasing order, or ``None`` without a step; more than
        ``MAX_GRID_VALUES`` raise ``SearchSpaceError`` (``grid_size()`` counts them)."""
        if self._n is None:
            return None
        self._check_listable(self._n)
        return sorted(self._grid_value(i) for i in range(self._n))

    def _continuous_to_unit(self, v: float) -> float:
        return unwarp(v, self._min, self._max, self._sampling)

    def _continuous_from_unit(self, u: float) -> float:
        if u <= 0.0:
            return float(self._min)
        if u >= 1.0:
            return float(self._max)
        return float(min(max(warp(u, self._min, self._max, self._sampling), self._min), self._max))
