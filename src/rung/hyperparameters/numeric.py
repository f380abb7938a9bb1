"""Numeric hyperparameters: ``Int`` and ``Float``.

Both take ``min_value`` and ``max_value`` (both inclusive), an optional ``step`` and a ``sampling``:

* ``"linear"``: uniform over the range; ``step`` is the distance between neighbouring values.
* ``"log"``: uniform in log space (``min_value`` must be > 0); ``step`` is a *multiplier* (> 1),
  e.g. ``Int(2, 32, step=2, sampling="log")`` gives 2, 4, 8, 16, 32.
* ``"reverse_log"``: the mirror image of ``"log"``, dense near ``max_value``; with a step, the
  values are ``top + min_value - v`` for the ``"log"`` values ``v`` (``top`` is the largest of
  them, ``max_value`` when the step reaches it), so both grids start at ``min_value``. As in
  keras-tuner, ``from_unit``'s bins take them in the order of ``v`` (largest value first).

With a step (``Int`` always has one under linear sampling: 1 by default) the values form a grid
``min_value, min_value + step, ...`` up to ``max_value``; like keras-tuner, a ``max_value`` the
step does not reach is allowed and the last grid value is the largest reachable one. Grid values
are drawn with equal probability, and ``from_unit`` splits ``[0, 1]`` into equal-width bins.

Without a step, ``Float`` is continuous and ``from_unit`` applies the sampling's warp, with
``from_unit(0.0) == min_value`` and ``from_unit(1.0) == max_value``; ``random_sample`` draws ``u``
from the *closed* interval ``[0, 1]`` so ``max_value`` can be produced (keras-tuner bug #1001).
``Int`` with log sampling and no step takes every integer, each with the probability of its
``[v - 0.5, v + 0.5]`` cell under the warp.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from rung.errors import SearchSpaceError
from rung.hyperparameters.base import Condition, HyperParameter

__all__ = ["Float", "Int", "SAMPLINGS"]

SAMPLINGS: tuple[str, ...] = ("linear", "log", "reverse_log")
_EPS = 1e-9
_TWO_53 = 2**53


def _closed_unit(rng: np.random.Generator) -> float:
    """A uniform draw from the closed interval ``[0, 1]`` (both ends possible)."""
    return int(rng.integers(0, _TWO_53, endpoint=True)) / _TWO_53


def _clip_unit(u: float) -> float:
    u = float(u)
    if math.isnan(u):
        raise ValueError("from_unit: u must be a number in [0, 1], got nan.")
    return min(max(u, 0.0), 1.0)


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
        lo = self._number(min_value, "min_value")
        hi = self._number(max_value, "max_value")
        if lo > hi:
            raise SearchSpaceError(
                f"{self._where}: the min_value {lo!r} is greater than the max_value {hi!r}; "
                "expected min_value <= max_value."
            )
        sampling = self._check_sampling(sampling, lo)
        step = self._check_step(step, sampling)
        self._min, self._max, self._step, self._sampling = lo, hi, step, sampling
        self._n = self._grid_size(lo, hi, step, sampling)
        # The largest value a log grid reaches; reverse_log mirrors the grid inside [min, top].
        self._top = lo * step ** ((self._n or 1) - 1) if step and sampling != "linear" else hi
        value = lo if default is None else self._number(default, "default")
        if not lo <= value <= hi:
            raise SearchSpaceError(
                f"{self._where}: default={value!r} is outside the range "
                f"[min_value={lo!r}, max_value={hi!r}]."
            )
        self._default = value

    def _check_sampling(self, sampling: object, lo: float) -> str:
        if sampling is None:  # keras-tuner's older spelling of "linear"
            sampling = "linear"
        if not isinstance(sampling, str) or sampling.lower() not in SAMPLINGS:
            raise SearchSpaceError(
                f"{self._where}: sampling must be one of {list(SAMPLINGS)}, got sampling={sampling!r}."
            )
        sampling = sampling.lower()
        if sampling != "linear" and lo <= 0:
            raise SearchSpaceError(
                f"{self._where}: sampling={sampling!r} does not support negative values or zero: "
                f"it needs min_value > 0, got min_value={lo!r}. Use a positive min_value or "
                "sampling='linear'."
            )
        return sampling

    def _check_step(self, step: float | None, sampling: str) -> Any:
        if step is None:
            return 1 if self._integer and sampling == "linear" else None
        step = self._number(step, "step")
        if sampling == "linear" and step <= 0:
            raise SearchSpaceError(
                f"{self._where}: step={step!r} must be > 0 (the distance between values)."
            )
        if sampling != "linear" and step <= 1:
            raise SearchSpaceError(
                f"For HyperParameters.{type(self).__name__}(name={self.name!r}), expected "
                f"step > 1 with sampling={sampling!r} (the step is a multiplier between "
                f"neighbouring values), got step={step!r}."
            )
        return step

    def _grid_size(self, lo: float, hi: float, step: float | None, sampling: str) -> int | None:
        """How many values a stepped range holds (None: continuous)."""
        if step is None:
            return None
        span = (hi - lo) / step if sampling == "linear" else math.log(hi / lo) / math.log(step)
        n = int(math.floor(span + _EPS)) + 1
        if n == 1 and hi > lo:
            kind = "distance" if sampling == "linear" else "multiplier"
            raise SearchSpaceError(
                f"{self._where}: step={step!r} does not fit in [{lo!r}, {hi!r}]: the only "
                f"value would be {lo!r}. Use a smaller step ({kind} between values), or "
                f"Fixed({self._where.split(' ')[-1]}, {lo!r}) for a single value."
            )
        return n

    # --- argument checks -------------------------------------------------------------------
    @property
    def _where(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    def _number(self, value: Any, arg: str) -> Any:
        """Validate and convert one numeric argument (int for ``Int``, float for ``Float``)."""
        if isinstance(value, np.generic):
            value = value.item()
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if ok and not math.isfinite(value):
            ok = False
        if self._integer:
            if ok and isinstance(value, numbers.Integral):
                return int(value)
            if ok and float(value).is_integer():
                return int(value)
            raise SearchSpaceError(f"{self._where}: {arg} must be an int, got {value!r}.")
        if ok:
            return float(value)
        raise SearchSpaceError(f"{self._where}: {arg} must be a finite number, got {value!r}.")

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
        without a step, ten values spread evenly over the sampling's warp."""
        grid = self.grid_values()
        if grid is not None and (self._n is not None or self._sampling == "linear"):
            return tuple(grid)
        spread = (self.from_unit((i + 0.5) / 10) for i in range(10))
        return tuple(sorted(set(spread)))

    # --- grid (with a step) ------------------------------------------------------------------
    def _grid_value(self, i: int) -> Any:
        n = self._n
        assert n is not None and self._step is not None
        if self._sampling == "linear":
            v = self._min + i * self._step
        else:  # reverse_log: index i mirrors the log value of index i (keras-tuner's order)
            g = self._min * self._step**i
            v = g if self._sampling == "log" else self._top + self._min - g
        if self._integer:
            return int(min(max(v, self._min), self._max))
        return self._tidy(v)

    def _tidy(self, v: float) -> float:
        """Remove float noise (0.30000000000000004 -> 0.3) and snap to the bounds."""
        tol = _EPS * max(abs(self._min), abs(self._max))
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
        elif self._sampling == "log":
            x = math.log(v / self._min) / math.log(self._step)
        else:
            v = min(v, self._top)
            x = math.log((self._top + self._min - v) / self._min) / math.log(self._step)
        return min(max(int(round(x)), 0), n - 1)

    # --- warp (without a step) ---------------------------------------------------------------
    def _warp(self, u: float, a: float, b: float) -> float:
        if a == b:
            return a
        if self._sampling == "linear":
            return a + u * (b - a)
        r = math.log(b / a)
        if self._sampling == "log":
            return a * math.exp(u * r)
        return b + a - a * math.exp((1.0 - u) * r)

    def _unwarp(self, x: float, a: float, b: float) -> float:
        if a == b:
            return 0.5
        x = min(max(float(x), a), b)
        if self._sampling == "linear":
            u = (x - a) / (b - a)
        elif self._sampling == "log":
            u = math.log(x / a) / math.log(b / a)
        else:
            u = 1.0 - math.log((b + a - x) / a) / math.log(b / a)
        return min(max(u, 0.0), 1.0)

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
        u = _clip_unit(u)
        if self._n is not None:
            return self._grid_value(min(int(u * self._n), self._n - 1))
        return self._continuous_from_unit(u)

    def _sample(self, rng: np.random.Generator) -> Any:
        """Draw a value: uniform over the grid, or ``from_unit`` of a closed-interval uniform."""
        if self._n is not None:
            return self._grid_value(int(rng.integers(self._n)))
        return self.from_unit(_closed_unit(rng))

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
        """Every value in increasing order."""
        if self._n is not None:
            return sorted(self._grid_value(i) for i in range(self._n))
        return list(range(self._min, self._max + 1))

    # Log or reverse_log sampling without a step: warp over [min - 0.5, max + 0.5] and round.
    def _continuous_to_unit(self, v: float) -> float:
        v = min(max(v, self._min), self._max)
        return self._unwarp(v, self._min - 0.5, self._max + 0.5)

    def _continuous_from_unit(self, u: float) -> int:
        x = self._warp(u, self._min - 0.5, self._max + 0.5)
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
        """The grid values in increasing order, or ``None`` without a step."""
        if self._n is None:
            return None
        return sorted(self._grid_value(i) for i in range(self._n))

    def _continuous_to_unit(self, v: float) -> float:
        return self._unwarp(v, self._min, self._max)

    def _continuous_from_unit(self, u: float) -> float:
        if u <= 0.0:
            return float(self._min)
        if u >= 1.0:
            return float(self._max)
        return float(min(max(self._warp(u, self._min, self._max), self._min), self._max))
