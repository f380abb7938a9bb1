"""Helpers the searchers share: conditional activity, sampling, and grid enumeration."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from rung.hyperparameters import HyperParameter, HyperParameters

__all__ = ["Grid", "is_active", "sample_active", "space_fingerprint"]


def is_active(hp: HyperParameter, values: dict[str, Any]) -> bool:
    """Whether ``hp`` is active given the values of the hyperparameters defined before it."""
    return all(cond.is_active(values) for cond in hp.conditions)


def sample_active(space: HyperParameters, rng: np.random.Generator) -> dict[str, Any]:
    """One random configuration: each active hyperparameter sampled in definition order."""
    values: dict[str, Any] = {}
    for hp in space.space:
        if is_active(hp, values):
            values[hp.name] = hp.random_sample(rng)
    return values


def space_fingerprint(space: HyperParameters) -> str:
    """A short digest of the space's definition (names, ranges, conditions, order)."""
    config = [{"class": type(hp).__name__, **hp.get_config()} for hp in space.space]  # stable
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Grid:
    """The cartesian product of the hyperparameters' grid values, in ``itertools.product`` order.

    Point ``i`` is ``i`` written in mixed radix (the first hyperparameter is the most significant
    digit, so the LAST one varies fastest). A point whose inactive hyperparameters do not all sit
    at their first grid value duplicates another point's active values; ``iter_from`` skips such
    points, whole blocks at a time, so every active configuration is produced exactly once.
    """

    hps: tuple[HyperParameter, ...]
    values: tuple[tuple[Any, ...], ...]
    weights: tuple[int, ...]  # weights[k]: how many points one step of hyperparameter k spans
    size: int

    @classmethod
    def from_space(cls, space: HyperParameters, limit: int | None = None) -> Grid | None:
        """The grid of ``space``, or ``None`` if some hyperparameter is continuous or, with a
        ``limit``, if the grid has more points than that (counted before anything is listed)."""
        hps = tuple(space.space)
        sizes = [hp.grid_size() for hp in hps]
        if any(size is None for size in sizes):
            return None
        if limit is not None and math.prod(sizes) > limit:  # type: ignore[arg-type]
            return None
        values: list[tuple[Any, ...]] = []
        for hp in hps:
            grid = hp.grid_values()
            if grid is None:
                return None
            values.append(tuple(grid))
        return cls.from_values(hps, values)

    @classmethod
    def from_values(cls, hps: Sequence[HyperParameter], values: Sequence[Sequence[Any]]) -> Grid:
        weights = [1] * len(values)
        for k in range(len(values) - 2, -1, -1):
            weights[k] = weights[k + 1] * len(values[k + 1])
        size = math.prod(len(v) for v in values)
        return cls(tuple(hps), tuple(tuple(v) for v in values), tuple(weights), size)

    def iter_from(self, start: int) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(next_index, active_values)`` for every distinct point at or after ``start``."""
        index = max(start, 0)
        while index < self.size:
            point: dict[str, Any] = {}
            rest = index
            block_start = 0
            skip_to = None
            for hp, grid, weight in zip(self.hps, self.values, self.weights, strict=True):
                digit, rest = divmod(rest, weight)
                block_start += digit * weight
                if is_active(hp, point):
                    point[hp.name] = grid[digit]
                elif digit:
                    # Every point up to the next step of this hyperparameter (same leading
                    # digits) repeats an earlier point, and so does the rest of its digit range.
                    skip_to = block_start - digit * weight + len(grid) * weight
                    break
            if skip_to is not None:
                index = skip_to
                continue
            index += 1
            yield index, point
