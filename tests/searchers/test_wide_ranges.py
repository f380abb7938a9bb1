"""Searchers over ranges at the edges: an Int too wide to list (bad-input review, B2), a log
range whose ratio overflows a float (B4), and a model that fails (B4: a searcher failure does
not stop the search)."""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import BOHBOracle, GridSearchOracle
from rung.searchers import GPSearcher, GridSearcher, KDESearcher, Observation, RandomSearcher
from rung.searchers import _gp_model as model
from rung.searchers._encoding import ORDINAL_LEVELS, Encoding
from rung.searchers._kernels import GaussianKernel, OrdinalKernel
from rung.searchers._space import Grid
from rung.trial_record import TrialStatus

WIDE = 2**62  # list(range(WIDE)) is a MemoryError at once: a test that lists it fails fast


def wide_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Int("seed", 0, WIDE)
    hp.Int("n", 1, WIDE, sampling="log")
    hp.Float("x", 0.0, 1.0)
    return hp


def loss_of(values: dict[str, Any]) -> float:
    return (values["x"] - 0.3) ** 2 + (values["seed"] / WIDE - 0.7) ** 2


def feed(searcher: Any, space: HyperParameters, n: int, loss: Any = loss_of) -> set[str]:
    rng = np.random.default_rng(0)
    seen: set[str] = set()
    for i in range(n):
        values = RandomSearcher().suggest(space, rng, seen)
        assert values is not None
        seen.add(values_key(values))
        searcher.observe(Observation(f"{i:05d}", values, 1, loss(values), TrialStatus.COMPLETED))
    return seen


# --- B2: the KDE searcher models a wide Int without listing it --------------------------------
def test_a_wide_int_is_a_continuous_dimension_of_the_kde_encoding() -> None:
    encoding = Encoding(wide_space())
    kinds = {dim.hp.name: (type(dim.kernel), dim.grid) for dim in encoding.dims}
    assert kinds == {"seed": (GaussianKernel, None), "n": (GaussianKernel, None),
                     "x": (GaussianKernel, None)}


@pytest.mark.parametrize(("high", "kernel"), [(ORDINAL_LEVELS, OrdinalKernel),
                                              (ORDINAL_LEVELS + 1, GaussianKernel)])
def test_short_int_grids_keep_their_ordinal_kernel(high: int, kernel: type) -> None:
    """Unchanged for small ranges: up to ORDINAL_LEVELS values an Int is ordinal, with its
    values' positions; above, continuous."""
    hp = HyperParameters()
    hp.Int("k", 1, high)
    (dim,) = Encoding(hp).dims
    assert type(dim.kernel) is kernel
    if kernel is OrdinalKernel:
        assert dim.grid == tuple(range(1, high + 1))
        assert dim.kernel.positions == tuple((i + 0.5) / high for i in range(high))


def test_the_kde_searcher_proposes_values_of_a_wide_int_quickly() -> None:
    space = wide_space()
    searcher = KDESearcher(random_fraction=0.0)
    seen = feed(searcher, space, 20)
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    for _ in range(10):
        values = searcher.suggest(space, rng, seen)
        assert values is not None and values_key(values) not in seen
        assert isinstance(values["seed"], int) and 0 <= values["seed"] <= WIDE
        assert isinstance(values["n"], int) and 1 <= values["n"] <= WIDE
    assert time.perf_counter() - start < 5.0


def test_bohb_searches_a_wide_int_to_the_end() -> None:
    hp = HyperParameters()
    hp.Int("seed", 0, 2**31 - 1)
    hp.Float("x", 0.0, 1.0)
    oracle = BOHBOracle(objective="loss", max_epochs=9, hyperparameters=hp, seed=0)
    told = 0
    while (s := oracle.ask()) is not None:
        assert 0 <= s.values["seed"] <= 2**31 - 1
        oracle.tell(s.trial_id, {"loss": (s.values["x"] - 0.3) ** 2})
        told += 1
    assert told == oracle.budget().jobs


# --- B2: grid search refuses a wide Int; nothing else lists it ----------------------------------
def test_the_grid_searcher_refuses_too_many_grid_points() -> None:
    hp = HyperParameters()
    hp.Boolean("b")
    hp.Int("seed", 0, WIDE)
    with pytest.raises(ConfigurationError) as info:
        GridSearcher().check_space(hp)
    message = str(info.value)
    for fragment in ("'seed'", f"{WIDE + 1:,}", "too many grid points", "step"):
        assert fragment in message


def test_grid_search_refuses_a_wide_int_before_any_trial() -> None:
    hp = HyperParameters()
    hp.Int("seed", 0, 2**31 - 1)
    with pytest.raises(ConfigurationError, match=r"GridSearchOracle.*'seed'.*2,147,483,648"):
        GridSearchOracle(objective="loss", hyperparameters=hp)


def test_the_grid_size_of_a_wide_space_is_counted_not_listed() -> None:
    oracle = GridSearchOracle(objective="loss", hyperparameters=wide_space(), max_trials=5,
                              searcher="random")
    assert oracle.grid_size() is None  # past the limit
    assert oracle.budget().jobs == 5
    assert Grid.from_space(wide_space(), limit=10_000) is None


class _Everything:
    def __contains__(self, key: object) -> bool:
        return True


def test_random_search_gives_up_on_a_wide_space_without_listing_it() -> None:
    hp = HyperParameters()
    hp.Int("seed", 0, WIDE)
    hp.Boolean("b")
    assert RandomSearcher(max_collisions=2).suggest(hp, np.random.default_rng(0),
                                                    _Everything()) is None


# --- B4: a log range whose ratio overflows a float ----------------------------------------------
def extreme_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("b", 1e-300, 1e300, sampling="log")
    hp.Float("x", 0.0, 1.0)
    return hp


def extreme_loss(values: dict[str, Any]) -> float:
    return (math.log10(values["b"]) - 7) ** 2 / 1e4 + (values["x"] - 0.3) ** 2


@pytest.mark.parametrize("make", [lambda: GPSearcher(num_initial_points=3, num_candidates=50),
                                  lambda: KDESearcher(random_fraction=0.0)])
def test_model_based_searchers_handle_an_extreme_log_range(make: Any) -> None:
    space = extreme_space()
    searcher = make()
    seen = feed(searcher, space, 10, extreme_loss)
    rng = np.random.default_rng(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback: the model itself works
        for _ in range(3):
            values = searcher.suggest(space, rng, seen)
            assert values is not None
            assert 1e-300 <= values["b"] <= 1e300 and math.isfinite(values["b"])
            seen.add(values_key(values))


def _gp_fed_six_results() -> tuple[HyperParameters, GPSearcher, set[str]]:
    space = extreme_space()
    searcher = GPSearcher(num_initial_points=3, num_candidates=50)
    return space, searcher, feed(searcher, space, 6, extreme_loss)


def test_a_failing_gaussian_process_makes_one_random_proposal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    space, searcher, seen = _gp_fed_six_results()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("Input X contains NaN.")

    monkeypatch.setattr(model, "propose", broken)
    with pytest.warns(RuntimeWarning, match=r"GPSearcher: the Gaussian process failed "
                                            r"\(ValueError: Input X contains NaN.\).*at random"):
        values = searcher.suggest(space, np.random.default_rng(3), seen)
    assert values is not None and values_key(values) not in seen


def test_a_rung_error_from_the_model_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    space, searcher, seen = _gp_fed_six_results()

    def refused(*args: Any, **kwargs: Any) -> None:
        raise ConfigurationError("a real configuration error")

    monkeypatch.setattr(model, "propose", refused)
    with pytest.raises(ConfigurationError, match="a real configuration error"):
        searcher.suggest(space, np.random.default_rng(3), seen)
