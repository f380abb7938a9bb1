"""The ``Searcher`` base class: the strategy that proposes WHAT configuration to try next."""

from __future__ import annotations

import abc
from collections.abc import Container, Mapping
from typing import TYPE_CHECKING, Any

from rung.errors import ConfigurationError

if TYPE_CHECKING:
    import numpy as np

    from rung.hyperparameters import HyperParameters

__all__ = ["Searcher"]


class Searcher(abc.ABC):
    """Proposes hyperparameter values; an oracle decides when and for how long they train.

    A searcher never touches disk, processes or frameworks, and owns no random state: every random
    draw comes from the ``rng`` the oracle passes in, so the oracle's saved state (which holds the
    RNG) is enough to replay a search exactly.

    Call order, as driven by an oracle:

    1. ``__init__``; then, when a search resumes, ``load_state_dict(state)`` once, with what
       ``state_dict()`` returned before.
    2. ``suggest(space, rng, exclude, stream)`` whenever the oracle needs a new configuration. It
       returns the ACTIVE values of a configuration whose ``values_key`` is not in ``exclude``, or
       ``None`` when it has nothing new to offer for that stream (exhausted).
    3. ``observe(values, loss, budget)`` for each job that finished with a finite loss (lower is
       better; ``budget`` is the epochs it trained to). Model-based searchers learn from it.
    4. ``close_stream(stream)`` once the oracle will never ask for that stream again (a finished
       Hyperband bracket), so per-stream state stays bounded by the live streams.
    5. ``state_dict()`` whenever the oracle saves its own state (after any of the above).

    A *stream* is an independent sequence of suggestions: one Hyperband bracket, or ``""`` for the
    whole search of a single-fidelity oracle. ``exclude`` holds the ``values_key`` of every
    configuration already used in that stream.

    Subclasses implement ``suggest``; ``observe`` and ``close_stream`` are optional hooks that do
    nothing by default. A stateless searcher may keep the default ``state_dict``/
    ``load_state_dict``; a stateful one must override both (the state must be JSON data).
    """

    @abc.abstractmethod
    def suggest(
        self,
        space: HyperParameters,
        rng: np.random.Generator,
        exclude: Container[str],
        stream: str = "",
    ) -> dict[str, Any] | None:
        """New active values for ``space`` not in ``exclude``, or ``None`` when exhausted."""

    def observe(self, values: Mapping[str, Any], loss: float, budget: int) -> None:  # noqa: B027
        """Hook: a job with these values reached ``loss`` after ``budget`` epochs."""

    def close_stream(self, stream: str) -> None:  # noqa: B027
        """Hook: ``stream`` will not be asked for again; drop whatever is kept for it."""

    def state_dict(self) -> dict[str, Any]:
        """Everything the searcher keeps between calls, as JSON data (empty when stateless)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned (a stateless searcher accepts only ``{}``)."""
        if state:
            raise ConfigurationError(
                f"{type(self).__name__} keeps no state, but the saved searcher state is "
                f"{dict(state)!r}: the project was probably created with another searcher."
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
