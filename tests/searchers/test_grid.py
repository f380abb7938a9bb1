from __future__ import annotations

import itertools
import json
import time
from typing import Any

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import GridSearcher, _space


def drain(
    searcher: GridSearcher,
    hp: HyperParameters,
    exclude: set[str] | None = None,
    stream: str = "",
    limit: int = 100_000,
) -> list[dict[str, Any]]:
    """Suggest until exhausted, recording each suggestion in ``exclude`` as an oracle does."""
    exclude = set() if exclude is None else exclude
    rng = np.random.default_rng(0)
    out = []
    for _ in range(limit):
        values = searcher.suggest(hp, rng, exclude, stream=stream)
        if values is None:
            return out
        exclude.add(values_key(values))
        out.append(values)
    raise AssertionError("the grid never ran out")


def conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn", "linear"])
    with hp.conditional_scope("model", ["mlp"]):
        hp.Int("units", 1, 3)
        hp.Boolean("dropout")
    with hp.conditional_scope("model", ["cnn"]):
        hp.Choice("kernel", [3, 5])
        with hp.conditional_scope("kernel", [5]):
            hp.Choice("stride", [1, 2])
    hp.Choice("lr", [0.1, 0.01])
    return hp


def test_order_is_itertools_product_last_varies_fastest() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    hp.Choice("b", ["x", "y", "z"])
    got = drain(GridSearcher(), hp)
    expected = [{"a": a, "b": b} for a, b in itertools.product([1, 2], ["x", "y", "z"])]
    assert got == expected


def test_full_coverage_of_small_grid() -> None:
    hp = HyperParameters()
    hp.Int("units", 16, 64, step=16)
    hp.Float("lr", 0.1, 0.3, step=0.1)
    hp.Boolean("bn")
    hp.Fixed("opt", "adam")
    got = drain(GridSearcher(), hp)
    grids = [p.grid_values() for p in hp.space]
    expected = {
        values_key(dict(zip(["units", "lr", "bn", "opt"], point, strict=True)))
        for point in itertools.product(*grids)
    }
    assert len(got) == 4 * 3 * 2 * 1
    assert {values_key(v) for v in got} == expected


def test_conditional_space_only_active_values_without_duplicates() -> None:
    hp = conditional_space()
    got = drain(GridSearcher(), hp)
    keys = [values_key(v) for v in got]
    assert len(keys) == len(set(keys))
    # mlp: 3 units x 2 dropout; cnn: kernel 3, or kernel 5 x 2 strides; linear: 1; all x 2 lr
    assert len(got) == (6 + 3 + 1) * 2
    for values in got:
        clone = hp.clone_with_values(values)
        assert values == clone.values
    assert got[0] == {"model": "mlp", "units": 1, "dropout": False, "lr": 0.1}
    assert {"model": "linear", "lr": 0.01} in got
    assert {"model": "cnn", "kernel": 5, "stride": 2, "lr": 0.01} in got


def test_duplicates_skipped_even_without_exclude() -> None:
    hp = conditional_space()
    searcher = GridSearcher()
    rng = np.random.default_rng(0)
    got = []
    while (values := searcher.suggest(hp, rng, exclude=())) is not None:
        got.append(values_key(values))
    assert len(got) == len(set(got)) == 20


def test_inactive_children_are_skipped_block_wise(monkeypatch: pytest.MonkeyPatch) -> None:
    hp = HyperParameters()
    hp.Choice("p", ["a", "b"])
    with hp.conditional_scope("p", ["b"]):
        hp.Int("big", 0, 99_999)
    calls = 0
    real_is_active = _space.is_active

    def counting_is_active(*args: Any) -> bool:
        nonlocal calls
        calls += 1
        return real_is_active(*args)

    monkeypatch.setattr(_space, "is_active", counting_is_active)
    searcher = GridSearcher()
    rng = np.random.default_rng(0)
    assert searcher.suggest(hp, rng, set()) == {"p": "a"}
    assert searcher.suggest(hp, rng, set()) == {"p": "b", "big": 0}
    assert searcher.suggest(hp, rng, set()) == {"p": "b", "big": 1}
    assert calls < 20  # not one call per skipped point (99,999 of them)


def test_exclude_is_skipped_and_everything_excluded_is_exhausted() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3])
    exclude = {values_key({"a": 1}), values_key({"a": 3})}
    assert drain(GridSearcher(), hp, exclude) == [{"a": 2}]
    everything = {values_key({"a": a}) for a in (1, 2, 3)}
    assert GridSearcher().suggest(hp, np.random.default_rng(0), everything) is None


def test_exhaustion_returns_none_repeatedly() -> None:
    hp = HyperParameters()
    hp.Boolean("flag")
    searcher = GridSearcher()
    assert len(drain(searcher, hp)) == 2
    rng = np.random.default_rng(0)
    assert searcher.suggest(hp, rng, set()) is None
    assert searcher.suggest(hp, rng, set()) is None


def test_streams_are_independent() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3])
    searcher = GridSearcher()
    rng = np.random.default_rng(0)
    assert searcher.suggest(hp, rng, set(), stream="b0") == {"a": 1}
    assert searcher.suggest(hp, rng, set(), stream="b0") == {"a": 2}
    assert searcher.suggest(hp, rng, set(), stream="b1") == {"a": 1}
    assert searcher.suggest(hp, rng, set(), stream="b0") == {"a": 3}
    assert searcher.suggest(hp, rng, set(), stream="b0") is None
    assert drain(searcher, hp, stream="b1") == [{"a": 2}, {"a": 3}]
    assert drain(searcher, hp) == [{"a": 1}, {"a": 2}, {"a": 3}]
    searcher.close_stream("b0")
    assert set(searcher.state_dict()["streams"]) == {"b1", ""}


def test_space_change_restarts_cursor_and_exclude_prevents_repeats() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    searcher = GridSearcher()
    exclude: set[str] = set()
    first = drain(searcher, hp, exclude)
    assert first == [{"a": 1}, {"a": 2}]
    hp.Boolean("b")  # define-by-run: a trial declared a new hyperparameter
    second = drain(searcher, hp, exclude)
    assert second == [
        {"a": 1, "b": False},
        {"a": 1, "b": True},
        {"a": 2, "b": False},
        {"a": 2, "b": True},
    ]


def test_float_without_step_raises_configuration_error() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    hp.Float("learning_rate", 1e-4, 1e-1, sampling="log")
    with pytest.raises(ConfigurationError, match="'learning_rate'") as info:
        GridSearcher().suggest(hp, np.random.default_rng(0), set())
    assert isinstance(info.value, ValueError)
    assert "step" in str(info.value)
    assert "Choice" in str(info.value)


def test_state_round_trip_resumes_cursor() -> None:
    hp = conditional_space()
    everything = drain(GridSearcher(), hp)
    searcher = GridSearcher()
    rng = np.random.default_rng(0)
    head = [searcher.suggest(hp, rng, set()) for _ in range(7)]
    state = json.loads(json.dumps(searcher.state_dict()))
    resumed = GridSearcher()
    resumed.load_state_dict(state)
    # Without any exclude, the cursor alone makes it carry on where it stopped.
    tail = drain(resumed, hp)
    assert head + tail == everything
    assert resumed.state_dict()["streams"][""]["cursor"] > state["streams"][""]["cursor"]


def test_state_with_other_space_restarts() -> None:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3])
    searcher = GridSearcher()
    rng = np.random.default_rng(0)
    searcher.suggest(hp, rng, set())
    searcher.suggest(hp, rng, set())
    other = HyperParameters()
    other.Choice("a", [1, 2, 3, 4])
    resumed = GridSearcher()
    resumed.load_state_dict(searcher.state_dict())
    assert resumed.suggest(other, rng, set()) == {"a": 1}


@pytest.mark.parametrize(
    "state",
    [{"streams": []}, {"streams": {"": {"cursor": 1}}}, {"streams": {"": {"cursor": "x"}}}],
)
def test_invalid_state_raises(state: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="invalid state"):
        GridSearcher().load_state_dict(state)


def test_empty_space_gives_one_empty_configuration() -> None:
    assert drain(GridSearcher(), HyperParameters()) == [{}]


def test_grid_ignores_rng() -> None:
    hp = conditional_space()
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    drain(GridSearcher(), hp)
    GridSearcher().suggest(hp, rng, set())
    assert rng.bit_generator.state == before


def test_many_suggestions_are_fast() -> None:
    hp = HyperParameters()
    for name in "abcd":
        hp.Int(name, 0, 9)
    start = time.perf_counter()
    got = drain(GridSearcher(), hp)
    assert len(got) == 10_000
    assert time.perf_counter() - start < 10.0


def test_a_continuous_float_has_no_grid_and_the_oracle_says_so_before_any_work(
        tmp_path: Any) -> None:
    import rung
    from rung.oracles import BOHBOracle

    space = HyperParameters()
    space.Int("units", 8, 32, step=8)
    space.Float("lr", 1e-4, 1e-1, sampling="log")  # no step: no grid
    with pytest.raises(ConfigurationError, match="'lr' is continuous.*step"):
        GridSearcher().suggest(space, np.random.default_rng(0), set())
    with pytest.raises(ConfigurationError, match="'lr' is continuous"):
        BOHBOracle(objective="loss", max_epochs=9, searcher="grid", hyperparameters=space)
    with pytest.raises(ConfigurationError, match="'lr' is continuous"):
        rung.Hyperband(run_trial=lambda trial: None, objective="loss", max_epochs=3,
                       searcher="grid", hyperparameters=space, directory=tmp_path,
                       project_name="grid")
    assert not (tmp_path / "grid").exists()  # refused before the project was created

    def picky_later(trial: rung.Trial) -> float:  # the same Float, declared by the trial
        trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
        return 1.0

    later = rung.Hyperband(run_trial=picky_later, objective="loss", max_epochs=3,
                           searcher="grid", directory=tmp_path, project_name="later", verbose=0)
    with pytest.raises(ConfigurationError, match="'lr' is continuous"):
        later.search()
    assert later.storage.count_trials() == 1  # the first trial declared it; no second one ran
    discrete = HyperParameters()
    discrete.Int("units", 8, 32, step=8)
    discrete.Float("dropout", 0.0, 0.5, step=0.25)
    assert GridSearcher().suggest(discrete, np.random.default_rng(0), set()) is not None


def test_grid_search_takes_a_float_without_step_however_it_is_declared(tmp_path: Any) -> None:
    """keras-tuner's GridSearch (and rung's, in its own order): a Float without step takes its
    default, then ten values over its range, whether declared up front or by the trial."""
    import rung

    def train(trial: rung.Trial) -> float:
        return trial.hyperparameters.Float("z", 0.0, 1.0)

    space = HyperParameters()
    space.Float("z", 0.0, 1.0)
    runs = {}
    for name, declared in (("up_front", space), ("by_the_trial", None)):
        tuner = rung.GridSearch(run_trial=train, objective="loss", hyperparameters=declared,
                                directory=tmp_path, project_name=name, verbose=0)
        tuner.search()
        runs[name] = [t.values["z"] for t in tuner.storage.trials()]
    assert runs["up_front"] == runs["by_the_trial"]
    assert len(runs["up_front"]) == 11 and runs["up_front"][0] == 0.0
