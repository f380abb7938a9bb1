"""Grid search: every combination of the hyperparameters' grid values, in a fixed order."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import TYPE_CHECKING, Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameter, values_key
from rung.hyperparameters.base import MAX_GRID_VALUES
from rung.searchers._space import Grid, space_fingerprint
from rung.searchers.base import Searcher

if TYPE_CHECKING:
    import numpy as np

    from rung.hyperparameters import HyperParameters

__all__ = ["GridSearcher", "check_grid_sizes"]


def check_grid_sizes(space: HyperParameters, who: str = "GridSearcher") -> None:
    """Raise ``ConfigurationError`` for a hyperparameter with more than ``MAX_GRID_VALUES``
    values (``Int("seed", 0, 2**31 - 1)``): a grid cannot list them, let alone try them."""
    for hp in space.space:
        size = hp.grid_size()
        if size is not None and size > MAX_GRID_VALUES:
            raise ConfigurationError(
                f"{who}: hyperparameter {hp.name!r} has {size:,} values, too many grid points "
                f"(at most {MAX_GRID_VALUES:,} per hyperparameter). Give it a larger `step`, "
                f"e.g. {_with_step(hp)}, or use a searcher that samples (random, kde, gp)."
            )


def _with_step(hp: HyperParameter) -> str:
    low, high = getattr(hp, "min_value", "..."), getattr(hp, "max_value", "...")
    return f"hp.{type(hp).__name__}({hp.name!r}, {low!r}, {high!r}, step=...)"


class GridSearcher(Searcher):
    """Enumerates the cartesian product of every hyperparameter's ``grid_values()``.

    The order is ``itertools.product`` over the hyperparameters in definition order: the first
    one changes slowest and the LAST one varies fastest. Each point is reduced to its active
    values (a conditional child is dropped when its condition does not hold), and points that
    reduce to an already produced configuration are skipped, so each configuration comes once.
    Configurations whose ``values_key`` is in ``exclude`` are skipped too.

    Each ``stream`` (a Hyperband bracket, or ``""``) has its own cursor, so successive calls cost
    O(1) amortised. When the space changes (define-by-run adds a hyperparameter), the stream
    starts again from the first point; ``exclude`` keeps it from repeating configurations.
    ``rng`` is not used: the order is deterministic.

    Every hyperparameter needs a finite grid: a ``Float`` without ``step``, or a hyperparameter
    with more than ``MAX_GRID_VALUES`` values (``Int("seed", 0, 2**31 - 1)``), raises
    :class:`~rung.errors.ConfigurationError`.

    Example::

        searcher = GridSearcher()
        hp.Choice("units", [32, 64]); hp.Boolean("dropout")
        searcher.suggest(hp, rng, exclude=set())   # {"units": 32, "dropout": False}
    """

    name = "grid"

    def __init__(self) -> None:
        self._cursors: dict[str, dict[str, Any]] = {}  # stream -> {"cursor", "fingerprint"}
        self._grid_cache: tuple[str, Grid] | None = None

    def check_space(self, space: HyperParameters) -> None:
        for hp in space.space:
            if hp.grid_size() is None:
                raise ConfigurationError(
                    f"GridSearcher: hyperparameter {hp.name!r} is continuous (a Float without "
                    f"`step`), so it has no grid. Give it a `step`, e.g. "
                    f"hp.Float({hp.name!r}, ..., step=0.1), or use hp.Choice({hp.name!r}, "
                    f"[...]) with the values to try."
                )
        check_grid_sizes(space)

    def _grid(self, space: HyperParameters, fingerprint: str) -> Grid:
        if self._grid_cache is not None and self._grid_cache[0] == fingerprint:
            return self._grid_cache[1]
        self.check_space(space)
        hps = list(space.space)
        grid = Grid.from_values(hps, [hp.grid_values() or [] for hp in hps])  # none is None
        self._grid_cache = (fingerprint, grid)
        return grid

    def suggest(
        self,
        space: HyperParameters,
        rng: np.random.Generator,
        exclude: Container[str],
        stream: str = "",
    ) -> dict[str, Any] | None:
        fingerprint = space_fingerprint(space)
        grid = self._grid(space, fingerprint)
        state = self._cursors.get(stream)
        if state is None or state["fingerprint"] != fingerprint:
            state = self._cursors[stream] = {"cursor": 0, "fingerprint": fingerprint}
        for next_index, values in grid.iter_from(state["cursor"]):
            if values_key(values) not in exclude:
                state["cursor"] = next_index
                return values
        state["cursor"] = grid.size
        return None

    def close_stream(self, stream: str) -> None:
        self._cursors.pop(stream, None)

    def state_dict(self) -> dict[str, Any]:
        return {"streams": {stream: dict(state) for stream, state in self._cursors.items()}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        streams = state.get("streams", {})
        if not isinstance(streams, Mapping):
            raise ConfigurationError(
                f"GridSearcher: invalid state, `streams` must be a mapping; received {streams!r}."
            )
        cursors: dict[str, dict[str, Any]] = {}
        for stream, entry in streams.items():
            try:
                cursor, fingerprint = int(entry["cursor"]), str(entry["fingerprint"])
            except (KeyError, TypeError, ValueError) as e:
                raise ConfigurationError(
                    f"GridSearcher: invalid state for stream {stream!r}: expected "
                    f"{{'cursor': int, 'fingerprint': str}}; received {entry!r}."
                ) from e
            cursors[str(stream)] = {"cursor": cursor, "fingerprint": fingerprint}
        self._cursors = cursors
