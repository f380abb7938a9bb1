"""The ``Searcher`` base class: the strategy that proposes WHAT configuration to try next."""

from __future__ import annotations

import abc
from collections.abc import Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rung.errors import ConfigurationError
from rung.searchers.observation import Observation

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

    1. ``__init__``. When a search resumes: ``load_state_dict(state)`` once, with what
       ``state_dict()`` returned before; then ``replay(observations)`` once, with every stored
       result in a fixed order (by trial id; for each trial its intermediate reports by epoch,
       then its final observation); then ``on_start`` for each job still pending, by trial id.
    2. ``suggest(space, rng, exclude, stream)`` whenever the oracle needs a new configuration. It
       returns the ACTIVE values of a configuration whose ``values_key`` is not in ``exclude``, or
       ``None`` when it has nothing new to offer for that stream (exhausted).
    3. ``on_start(trial_id, values, budget)`` when the oracle hands out a job (new or promoted):
       until its result arrives the job is *pending*. A model-based searcher counts pending jobs
       (for instance as bad results) so that idle workers are not all sent to the same point.
    4. ``observe(observation)`` for every result: intermediate reports while a job runs
       (``status`` RUNNING, at the epoch reported), and the final result of every job: COMPLETED,
       PRUNED (at the epoch it was stopped) or FAILED (``loss`` None). See ``Observation``.
    5. ``close_stream(stream)`` once the oracle will never ask for that stream again (a finished
       Hyperband bracket), so per-stream state stays bounded by the live streams.
    6. ``state_dict()`` whenever the oracle saves its own state (after any of the above).

    A *stream* is an independent sequence of suggestions: one Hyperband bracket, or ``""`` for the
    whole search of a single-fidelity oracle. ``exclude`` holds the ``values_key`` of every
    configuration already used in that stream.

    Everything the oracle passes is its own and read-only: the ``space``, ``exclude``, the values
    given to ``on_start`` and ``Observation.values`` (the stored trial's dict). Copy before
    changing anything. The dict ``suggest`` returns becomes the job's values: a new one each
    time, never changed afterwards. State lives on the instance, never in a class attribute or
    module global shared by two searchers.

    The state must stay bounded: history comes back through ``replay``, so ``state_dict`` holds
    only what the observations cannot rebuild. A searcher whose model depends only on the
    observations it has seen (not on the order within the replay) proposes, after a resume,
    exactly what it would have proposed without the interruption (``rung.testing.check_searcher``
    checks it).

    Subclasses implement ``suggest``; the other methods are optional hooks that do nothing by
    default. A stateless searcher may keep the default ``state_dict``/``load_state_dict``; a
    stateful one overrides both (the state must be JSON data).
    """

    name: str = ""
    """The short name of the searcher (``searcher="random"``), empty for third-party classes."""

    @abc.abstractmethod
    def suggest(
        self,
        space: HyperParameters,
        rng: np.random.Generator,
        exclude: Container[str],
        stream: str = "",
    ) -> dict[str, Any] | None:
        """New active values for ``space`` not in ``exclude``, or ``None`` when exhausted."""

    def on_start(  # noqa: B027 - optional hook
        self, trial_id: str, values: Mapping[str, Any], budget: int | None
    ) -> None:
        """Hook: a job with these values will train to ``budget`` epochs (None: unknown)."""

    def observe(self, observation: Observation) -> None:  # noqa: B027 - optional hook
        """Hook: a result, intermediate or final (see ``Observation``)."""

    def replay(self, observations: Iterable[Observation]) -> None:
        """Hook: the stored results of a resumed search, in a fixed order (see the class
        docstring). The default observes them one by one."""
        for observation in observations:
            self.observe(observation)

    def close_stream(self, stream: str) -> None:  # noqa: B027 - optional hook
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

    def check_space(self, space: HyperParameters) -> None:  # noqa: B027 - optional hook
        """Raise ``ConfigurationError`` if this searcher cannot search ``space`` (the oracle asks
        when it is given a space up front, before any work starts). Default: any space."""

    def settings(self) -> dict[str, Any]:
        """The options that change what this searcher proposes, as JSON values: a stored search
        resumes only with the same (``Oracle.settings``). A searcher without options: ``{}``."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
