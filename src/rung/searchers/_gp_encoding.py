"""How ``GPSearcher`` turns configurations into points a Gaussian process can compare.

Two spaces are involved:

* the *unit cube* ``[0, 1]^d``, one coordinate per tunable (non-``Fixed``) hyperparameter, where
  the acquisition is optimised; ``decode`` maps a point to valid values with each
  hyperparameter's ``from_unit`` (integers and grids are rounded there);
* the *feature space* the kernel sees, built by ``features``:

  - ``Int``, ``Float`` and ordered (numeric) ``Choice``: one column, the unit coordinate
    (``to_unit`` of the value for an observed configuration; the unrounded coordinate for a
    candidate, so the acquisition stays smooth between grid values);
  - unordered ``Choice`` and ``Boolean``: one-hot columns scaled by ``1/sqrt(2)``, so any two
    different values are at distance exactly 1 whatever their order in the list;
  - an *inactive* conditional hyperparameter (or one a configuration does not define) gets a
    fixed value: 0.5 for a numeric column, all zeros for one-hot columns. Two configurations
    where it is inactive then agree on it (it adds nothing to their distance), and a
    configuration where it is inactive is equally far from every category of an active one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rung.hyperparameters import HyperParameter, HyperParameters
from rung.hyperparameters.discrete import Boolean, Choice, Fixed
from rung.searchers._space import is_active

__all__ = ["Encoding"]

_ONE_HOT = 1.0 / math.sqrt(2.0)
_INACTIVE = 0.5


def _categories(hp: HyperParameter) -> tuple[Any, ...] | None:
    """The values of a categorical hyperparameter, or None for a numeric (ordinal) one."""
    if isinstance(hp, Boolean):
        return (False, True)
    if isinstance(hp, Choice) and not hp.ordered:
        return tuple(hp.values)
    return None


@dataclass(frozen=True)
class _Dim:
    hp: HyperParameter
    unit_index: int  # its coordinate in the unit cube
    start: int  # its first feature column
    categories: tuple[Any, ...] | None  # None: one numeric column

    @property
    def width(self) -> int:
        return 1 if self.categories is None else len(self.categories)


class Encoding:
    """The unit cube and feature space of one search space (see the module docstring)."""

    def __init__(self, space: HyperParameters) -> None:
        self.hps: tuple[HyperParameter, ...] = tuple(space.space)
        dims: list[_Dim] = []
        start = 0
        for hp in self.hps:
            if isinstance(hp, Fixed):
                continue
            dim = _Dim(hp, len(dims), start, _categories(hp))
            dims.append(dim)
            start += dim.width
        self.dims: tuple[_Dim, ...] = tuple(dims)
        self._by_name = {d.hp.name: d for d in dims}
        self.n_features = start
        self.numeric_units = np.array([d.categories is None for d in dims], dtype=bool)
        self._parents = {c.parent_name for hp in self.hps for c in hp.conditions}

    @property
    def n_units(self) -> int:
        """The dimension of the unit cube (tunable hyperparameters)."""
        return len(self.dims)

    def decode(self, u: Sequence[float] | np.ndarray) -> dict[str, Any]:
        """The active values at unit point ``u`` (``Fixed`` entries at their value)."""
        values: dict[str, Any] = {}
        for hp in self.hps:
            if not is_active(hp, values):
                continue
            dim = self._by_name.get(hp.name)
            values[hp.name] = hp.default if dim is None else hp.from_unit(float(u[dim.unit_index]))
        return values

    def active(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The entries of ``values`` that are active (their conditions hold on the active values
        before them) and valid in this space; others count as inactive."""
        active: dict[str, Any] = {}
        for hp in self.hps:
            if hp.name in values and is_active(hp, active):
                value = values[hp.name]
                try:
                    hp.to_unit(value)
                except (ValueError, TypeError):
                    continue  # no longer valid in the space
                active[hp.name] = value
        return active

    def to_unit(self, values: Mapping[str, Any]) -> np.ndarray:
        """The unit point of a configuration (0.5 where a value is inactive or unknown)."""
        values = self.active(values)
        u = np.full(self.n_units, _INACTIVE)
        for dim in self.dims:
            if dim.hp.name in values:
                u[dim.unit_index] = dim.hp.to_unit(values[dim.hp.name])
        return u

    def features(self, values: Mapping[str, Any], u: np.ndarray | None = None) -> np.ndarray:
        """The kernel's feature vector of ``values``; numeric columns take the unrounded
        coordinate from ``u`` when given (a candidate decoded from ``u``)."""
        values = self.active(values)
        row = np.zeros(self.n_features)
        for dim in self.dims:
            name = dim.hp.name
            if dim.categories is None:
                if name not in values:
                    row[dim.start] = _INACTIVE
                else:
                    row[dim.start] = dim.hp.to_unit(values[name]) if u is None \
                        else u[dim.unit_index]
            elif name in values:
                row[dim.start + _index(dim.categories, values[name])] = _ONE_HOT
        return row

    def features_of_units(self, points: np.ndarray) -> np.ndarray:
        """Feature rows of unit points, one per row of ``points``: what ``features(decode(u),
        u)`` gives for each, computed a column at a time."""
        n = len(points)
        rows = np.zeros((n, self.n_features))
        active: dict[str, np.ndarray] = {}
        decoded: dict[str, list[Any]] = {}  # the values of hyperparameters that are parents
        for hp in self.hps:
            mask = np.ones(n, dtype=bool)
            for cond in hp.conditions:
                if cond.parent_name not in decoded:
                    mask[:] = False
                    break
                parent = decoded[cond.parent_name]
                mask &= active[cond.parent_name] & np.array([v in cond.values for v in parent],
                                                            dtype=bool)
            active[hp.name] = mask
            dim = self._by_name.get(hp.name)
            column = None if dim is None else np.clip(points[:, dim.unit_index], 0.0, 1.0)
            if hp.name in self._parents:
                decoded[hp.name] = [hp.default] * n if column is None else \
                    [hp.from_unit(float(u)) for u in column]
            if dim is None or column is None:
                continue
            if dim.categories is None:
                rows[:, dim.start] = np.where(mask, column, _INACTIVE)
            else:
                k = len(dim.categories)
                index = np.minimum((column * k).astype(int), k - 1)
                rows[np.flatnonzero(mask), dim.start + index[mask]] = _ONE_HOT
        return rows

def _index(categories: tuple[Any, ...], value: Any) -> int:
    for i, c in enumerate(categories):
        if c == value and type(c) is type(value):
            return i
    for i, c in enumerate(categories):
        if c == value:
            return i
    raise ValueError(f"{value!r} is not one of {categories!r}")
