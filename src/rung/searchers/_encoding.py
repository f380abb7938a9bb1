"""The unit-cube encoding the KDE searcher models a search space in.

Each tunable hyperparameter is one dimension with its own kernel (``rung.searchers._kernels``):

* ``Choice`` without order and ``Boolean``: the category's index (Aitchison-Aitken kernel);
* a grid of at most ``ORDINAL_LEVELS`` ordered values (``Int``, stepped ``Float``, ordered
  ``Choice``): the value's index, with distances measured between the values' ``to_unit``
  positions (so a log-sampled grid is modelled in log space);
* anything else (continuous ``Float``, ``Int`` with many values): ``to_unit(value)``, modelled by
  a Gaussian truncated to ``[0, 1]``; a draw is turned back into a value by ``from_unit``.

``Fixed`` hyperparameters and one-value grids are not dimensions. The kind of a dimension is
decided from ``grid_size()``: only a grid short enough for a categorical or ordinal kernel is
listed, so ``Int("seed", 0, 2**31 - 1)`` costs what ``Float("x", 0, 1)`` does.

**Inactive values.** A conditional hyperparameter that is inactive (or missing: a configuration
from before a define-by-run hyperparameter existed, or a value the space no longer accepts) is
encoded as NaN, a dedicated "inactive" value outside the domain. Each kernel is then a mixture
over ``{inactive} + domain``: a centre that is active keeps ``1 - INACTIVE_MASS`` of its mass on its
kernel and puts ``INACTIVE_MASS`` on "inactive"; an inactive centre keeps ``1 - INACTIVE_MASS`` on
"inactive" and spreads ``INACTIVE_MASS`` uniformly over the domain. Every kernel still has total
mass 1, so densities of configurations with different active sets compare fairly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError
from rung.hyperparameters import Boolean, Choice, Fixed, HyperParameter, HyperParameters
from rung.searchers._kernels import CategoricalKernel, GaussianKernel, Kernel, OrdinalKernel
from rung.searchers._space import is_active

__all__ = ["INACTIVE_MASS", "ORDINAL_LEVELS", "Encoding"]

ORDINAL_LEVELS = 32
"""Grids with more values than this are modelled as continuous on ``[0, 1]``."""

INACTIVE_MASS = 0.05
"""The share of a kernel's mass on the other side of the active/inactive divide."""

_LOG_KEEP = math.log1p(-INACTIVE_MASS)
_LOG_MOVE = math.log(INACTIVE_MASS)


@dataclass(frozen=True)
class Dimension:
    """One tunable hyperparameter: its kernel and, for discrete kinds, its values in order."""

    hp: HyperParameter
    kernel: Kernel
    grid: tuple[Any, ...] | None  # None: continuous (to_unit / from_unit)

    def encode(self, values: Mapping[str, Any]) -> float:
        if self.hp.name not in values:
            return math.nan
        try:
            u = self.hp.to_unit(values[self.hp.name])
        except (SearchSpaceError, ValueError, TypeError):
            return math.nan  # a value the space no longer holds: treated as inactive
        if self.grid is None:
            return float(u)
        kernel = self.kernel
        positions = kernel.positions if isinstance(kernel, OrdinalKernel) else None
        if positions is None:
            return float(min(int(u * len(self.grid)), len(self.grid) - 1))
        return float(np.argmin(np.abs(np.asarray(positions) - u)))

    def decode(self, x: float) -> Any:
        if self.grid is None:
            return self.hp.from_unit(float(x))
        return self.grid[int(x)]


class Encoding:
    """The dimensions of a search space, in definition order (see the module docstring)."""

    def __init__(self, space: HyperParameters) -> None:
        self.space = space
        self.dims: list[Dimension] = []
        self._dim_of: dict[str, Dimension] = {}
        for hp in space.space:
            dim = _dimension(hp)
            if dim is not None:
                self.dims.append(dim)
                self._dim_of[hp.name] = dim

    def __len__(self) -> int:
        return len(self.dims)

    def encode(self, values: Mapping[str, Any]) -> np.ndarray:
        """The row of a configuration (NaN where a hyperparameter is inactive)."""
        return np.array([dim.encode(values) for dim in self.dims], dtype=float)

    def decode(self, row: np.ndarray) -> dict[str, Any]:
        """The active values of an encoded point, taken in definition order (a value drawn
        for a hyperparameter that the drawn parents make inactive is dropped)."""
        values: dict[str, Any] = {}
        index = {dim.hp.name: k for k, dim in enumerate(self.dims)}
        for hp in self.space.space:
            if not is_active(hp, values):
                continue
            if hp.name in index:
                values[hp.name] = self.dims[index[hp.name]].decode(row[index[hp.name]])
            else:
                values[hp.name] = hp.default if isinstance(hp, Fixed) else (hp.grid_values() or [hp.default])[0]
        return values

    def log_kernels(self, x: np.ndarray, centres: np.ndarray, bandwidths: np.ndarray) -> np.ndarray:
        """``(len(x), len(centres))``: the log of the product kernel between each point of ``x``
        and each centre, with the inactive mixture of the module docstring."""
        total = np.zeros((len(x), len(centres)))
        for k, dim in enumerate(self.dims):
            total += _mixed(dim.kernel, x[:, k], centres[:, k], float(bandwidths[k]))
        return total

    def sample(self, centres: np.ndarray, bandwidths: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One draw around each centre (row), dimension by dimension, from uniforms ``u`` of the
        same shape. Around an inactive coordinate the draw is uniform over the domain (used only
        if the drawn parents make the hyperparameter active)."""
        out = np.empty_like(u)
        for k, dim in enumerate(self.dims):
            col = centres[:, k]
            inactive = np.isnan(col)
            drawn = dim.kernel.sample(np.where(inactive, 0.0, col), float(bandwidths[k]), u[:, k])
            out[:, k] = np.where(inactive, dim.kernel.uniform(u[:, k]), drawn)
        return out


def _mixed(kernel: Kernel, x: np.ndarray, centres: np.ndarray, h: float) -> np.ndarray:
    x_off, c_off = np.isnan(x), np.isnan(centres)
    inner = kernel.log_kernel(np.where(x_off, 0.0, x), np.where(c_off, 0.0, centres), h)
    both_on = ~x_off[:, None] & ~c_off[None, :]
    both_off = x_off[:, None] & c_off[None, :]
    only_centre_off = ~x_off[:, None] & c_off[None, :]
    return np.where(both_on, _LOG_KEEP + inner,
                    np.where(both_off, _LOG_KEEP,
                             np.where(only_centre_off, _LOG_MOVE + kernel.log_uniform_density,
                                      _LOG_MOVE)))


def _dimension(hp: HyperParameter) -> Dimension | None:
    if isinstance(hp, Fixed):
        return None
    size = hp.grid_size()  # counted, not listed: an Int may hold 2**64 values
    if size is not None and size < 2:
        return None
    unordered = isinstance(hp, Boolean) or (isinstance(hp, Choice) and not hp.ordered)
    if size is not None and (unordered or size <= ORDINAL_LEVELS or isinstance(hp, Choice)):
        grid = tuple(hp.grid_values() or ())
        if unordered:
            return Dimension(hp, CategoricalKernel(len(grid)), grid)
        positions = tuple(float(hp.to_unit(v)) for v in grid)
        return Dimension(hp, OrdinalKernel(positions), grid)
    return Dimension(hp, GaussianKernel(), None)
