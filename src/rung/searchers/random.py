"""Random search: each configuration drawn independently from the hyperparameters' priors."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

from rung.hyperparameters import values_key
from rung.searchers._space import Grid, sample_active
from rung.searchers.base import Searcher
from rung.validation import check_int

if TYPE_CHECKING:
    import numpy as np

    from rung.hyperparameters import HyperParameters

__all__ = ["RandomSearcher"]

# Above this many grid points, the exhaustion check gives up and trusts the collision count.
_ENUMERATION_LIMIT = 10_000


class RandomSearcher(Searcher):
    """Samples every active hyperparameter at random, in definition order.

    Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 2012.

    A child hyperparameter is sampled only when its condition holds for the values sampled so far,
    so only active values are returned. A draw whose ``values_key`` is in ``exclude`` is a
    collision and is redrawn. After ``max_collisions`` collisions in a row, a space with at most
    10,000 grid points (no continuous ``Float``) is enumerated: if configurations remain, one of
    them is picked uniformly with ``rng``, so a small space is always explored to the end (unlike
    keras-tuner, which stops after 20 collisions however much is left). Otherwise ``suggest``
    returns ``None``: the space is (very likely) exhausted.

    The searcher keeps no state: the same ``rng`` state, space and ``exclude`` give the same
    suggestion.

    Args:
        max_collisions: consecutive collisions after which the space is deemed exhausted.

    Example::

        searcher = RandomSearcher()
        values = searcher.suggest(hp, np.random.default_rng(0), exclude=set())
    """

    name = "random"

    def __init__(self, max_collisions: int = 100) -> None:
        self.max_collisions = check_int("RandomSearcher max_collisions", max_collisions, 1)

    def suggest(
        self,
        space: HyperParameters,
        rng: np.random.Generator,
        exclude: Container[str],
        stream: str = "",
    ) -> dict[str, Any] | None:
        for _ in range(self.max_collisions):
            values = sample_active(space, rng)
            if values_key(values) not in exclude:
                return values
        return self._pick_remaining(space, rng, exclude)

    @staticmethod
    def _pick_remaining(
        space: HyperParameters, rng: np.random.Generator, exclude: Container[str]
    ) -> dict[str, Any] | None:
        grid = Grid.from_space(space, limit=_ENUMERATION_LIMIT)  # a wide Int is never listed
        if grid is None:
            return None
        remaining = [v for _, v in grid.iter_from(0) if values_key(v) not in exclude]
        if not remaining:
            return None
        return remaining[int(rng.integers(len(remaining)))]

    def settings(self) -> dict[str, Any]:
        return {"max_collisions": self.max_collisions}

    def __repr__(self) -> str:
        return f"RandomSearcher(max_collisions={self.max_collisions})"
