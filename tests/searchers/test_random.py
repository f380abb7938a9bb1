from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import RandomSearcher


class Everything:
    """An ``exclude`` that contains every key."""

    def __contains__(self, key: object) -> bool:
        return True


def four_points() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    hp.Boolean("b")
    return hp


def conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", ["mlp"]):
        hp.Int("units", 8, 512, sampling="log")
    with hp.conditional_scope("model", ["cnn"]):
        hp.Choice("kernel", [3, 5])
        with hp.conditional_scope("kernel", [5]):
            hp.Float("dropout", 0.0, 0.5)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    return hp


def run(
    searcher: RandomSearcher, hp: HyperParameters, seed: int, n: int
) -> list[dict[str, Any] | None]:
    rng = np.random.default_rng(seed)
    exclude: set[str] = set()
    out = []
    for _ in range(n):
        values = searcher.suggest(hp, rng, exclude)
        if values is not None:
            exclude.add(values_key(values))
        out.append(values)
    return out


def test_deterministic_given_rng_seed() -> None:
    hp = conditional_space()
    assert run(RandomSearcher(), hp, 7, 30) == run(RandomSearcher(), hp, 7, 30)
    assert run(RandomSearcher(), hp, 7, 30) != run(RandomSearcher(), hp, 8, 30)


def test_randomness_only_from_rng() -> None:
    hp = conditional_space()
    searcher = RandomSearcher()
    np.random.seed(0)
    global_state = np.random.get_state()[1].copy()
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    searcher.suggest(hp, rng, set())
    assert rng.bit_generator.state != before
    assert (np.random.get_state()[1] == global_state).all()
    assert not any(isinstance(v, np.random.Generator) for v in vars(searcher).values())


def test_only_active_values() -> None:
    hp = conditional_space()
    for values in run(RandomSearcher(), hp, 0, 200):
        assert values is not None
        assert values == hp.clone_with_values(values).values
        assert ("units" in values) == (values["model"] == "mlp")
        assert ("kernel" in values) == (values["model"] == "cnn")
        assert ("dropout" in values) == (values.get("kernel") == 5)
        assert "lr" in values


def test_never_returns_excluded() -> None:
    hp = HyperParameters()
    hp.Int("x", 0, 9)
    rng = np.random.default_rng(0)
    exclude = {values_key({"x": x}) for x in range(9)}
    for _ in range(20):
        assert RandomSearcher().suggest(hp, rng, exclude) == {"x": 9}


def test_exhaustion_on_four_point_space() -> None:
    hp = four_points()
    got = run(RandomSearcher(), hp, 0, 6)
    assert [values_key(v) for v in got[:4] if v is not None] == list(
        dict.fromkeys(values_key(v) for v in got[:4] if v is not None)
    )
    assert len({values_key(v) for v in got[:4] if v is not None}) == 4
    assert got[4:] == [None, None]


@pytest.mark.parametrize("seed", range(5))
def test_small_space_explored_to_the_end_despite_collisions(seed: int) -> None:
    hp = HyperParameters()
    hp.Int("x", 0, 49)
    hp.Boolean("y")
    got = run(RandomSearcher(max_collisions=1), hp, seed, 101)
    assert len({values_key(v) for v in got[:100] if v is not None}) == 100
    assert got[100] is None


def test_exhausted_when_everything_excluded() -> None:
    rng = np.random.default_rng(0)
    assert RandomSearcher().suggest(four_points(), rng, Everything()) is None
    # A continuous space cannot be enumerated: the collision count decides.
    assert RandomSearcher(max_collisions=3).suggest(conditional_space(), rng, Everything()) is None


def test_empty_space() -> None:
    assert run(RandomSearcher(), HyperParameters(), 0, 2) == [{}, None]


def test_stateless() -> None:
    searcher = RandomSearcher()
    assert searcher.state_dict() == {}
    searcher.load_state_dict({})
    with pytest.raises(ConfigurationError, match="keeps no state"):
        searcher.load_state_dict({"streams": {}})


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (-1, ValueError), (2.5, TypeError)])
def test_max_collisions_validation(bad: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_collisions"):
        RandomSearcher(max_collisions=bad)


def test_repr() -> None:
    assert repr(RandomSearcher(5)) == "RandomSearcher(max_collisions=5)"
