"""Every searcher, through the same contract (see ``rung.searchers.base.Searcher``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest

import rung.searchers
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import GPSearcher, GridSearcher, Observation, RandomSearcher, Searcher
from rung.trial_record import TrialStatus

FACTORIES: list[Callable[[], Searcher]] = [RandomSearcher, GridSearcher, GPSearcher]


def finite_conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("optimizer", ["sgd", "adam"])
    with hp.conditional_scope("optimizer", ["sgd"]):
        hp.Float("momentum", 0.0, 0.9, step=0.3)
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2, 3]):
        hp.Boolean("residual")
    return hp


def expected_size() -> int:
    # (sgd x 4 momenta + adam) x (1 layer + 2 layers x 2 residual)
    return (4 + 1) * (1 + 2 * 2)


@pytest.fixture(params=FACTORIES, ids=lambda f: f.__name__)
def searcher(request: pytest.FixtureRequest) -> Searcher:
    return request.param()


def test_is_a_searcher(searcher: Searcher) -> None:
    assert isinstance(searcher, Searcher)


def test_enumerates_finite_space_exactly_once_then_exhausts(searcher: Searcher) -> None:
    hp = finite_conditional_space()
    rng = np.random.default_rng(0)
    exclude: set[str] = set()
    seen = []
    for _ in range(expected_size()):
        values = searcher.suggest(hp, rng, exclude, stream="s")
        assert values is not None
        assert values == hp.clone_with_values(values).values  # only active values
        key = values_key(values)
        assert key not in exclude
        exclude.add(key)
        seen.append(key)
        searcher.observe(Observation(trial_id=str(len(seen)), values=values, budget=1, loss=0.5,
                                         status=TrialStatus.COMPLETED))
    assert len(set(seen)) == expected_size()
    assert searcher.suggest(hp, rng, exclude, stream="s") is None


def test_state_is_json_and_round_trips(searcher: Searcher) -> None:
    hp = finite_conditional_space()
    rng = np.random.default_rng(0)
    searcher.suggest(hp, rng, set())
    state = searcher.state_dict()
    assert json.loads(json.dumps(state)) == state
    fresh = type(searcher)()
    fresh.load_state_dict(json.loads(json.dumps(state)))
    assert fresh.state_dict() == state


def test_same_rng_state_same_suggestions(searcher: Searcher) -> None:
    hp = finite_conditional_space()
    first = [searcher.suggest(hp, np.random.default_rng(s), set(), stream=str(s)) for s in range(5)]
    other = type(searcher)()
    second = [other.suggest(hp, np.random.default_rng(s), set(), stream=str(s)) for s in range(5)]
    assert first == second


def test_public_all_is_complete() -> None:
    public = {
        name
        for name, obj in vars(rung.searchers).items()
        if isinstance(obj, type) and issubclass(obj, Searcher)
    }
    assert public <= set(rung.searchers.__all__)
