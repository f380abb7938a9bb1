"""The example of docs/architecture.md ("Searcher contract (what to try)") runs and
passes ``rung.testing.check_searcher``; each of its rules is also a test of its own."""

from __future__ import annotations

import pytest

from rung.hyperparameters import values_key
from rung.searchers import Observation, RandomSearcher
from rung.testing import Rule, check_searcher, searcher_rules


# --- the example, as in the docs ------------------------------------------------------------
class NearBest(RandomSearcher):
    """Half the time, the best configuration seen so far with one value from a random draw."""

    def __init__(self) -> None:
        super().__init__()
        self.best: Observation | None = None  # rebuilt by replay on resume: nothing to save

    def observe(self, observation: Observation) -> None:
        if observation.loss is not None and (self.best is None or observation.loss < self.best.loss):
            self.best = observation

    def suggest(self, space, rng, exclude, stream=""):  # noqa: ANN001, ANN201 - as in the docs
        draw = super().suggest(space, rng, exclude, stream)
        if self.best is None or draw is None or rng.random() < 0.5:
            return draw
        name = sorted(draw)[rng.integers(len(draw))]
        values = space.clone_with_values({**self.best.values, name: draw[name]}).values
        return dict(values) if values_key(values) not in exclude else draw


def test_the_example_passes_check_searcher() -> None:
    check_searcher(NearBest)  # raises AssertionError naming the first broken rule


# --- the same, one test per rule ------------------------------------------------------------
@pytest.mark.parametrize("rule", searcher_rules(), ids=lambda rule: rule.name)
def test_each_rule(rule: Rule) -> None:
    rule.check(NearBest)


def test_the_example_really_uses_its_model() -> None:
    """Not a plain random searcher in disguise: it proposes neighbours of the best result."""
    import numpy as np

    from rung.testing._drive import Run

    plain, near = Run(RandomSearcher(), np.random.default_rng(0)), Run(NearBest(),
                                                                      np.random.default_rng(0))
    plain.step(30)
    near.step(30)
    assert near.suggestions != plain.suggestions
