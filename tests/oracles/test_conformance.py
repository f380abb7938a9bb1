"""Every oracle through ``rung.testing.check_oracle`` (the ask/tell contract), and behaviour\nparticular to some oracles."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

import rung
from rung.oracles import (
    ASHAOracle,
    BayesianOptimizationOracle,
    BOHBOracle,
    GridSearchOracle,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
    SuccessiveHalvingOracle,
)
from rung.testing import Rule, oracle_rules


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0, step=0.05)
    hp.Choice("c", ["a", "b", "c"])
    return hp


FACTORIES: dict[str, Callable[[], Oracle]] = {
    "random": lambda: RandomSearchOracle(objective="loss", max_trials=20, seed=1,
                                         hyperparameters=space()),
    "grid": lambda: GridSearchOracle(objective="loss", max_trials=30, seed=1,
                                     hyperparameters=space()),
    "hyperband": lambda: HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=1,
                                         hyperparameters=space()),
    "hyperband-2it": lambda: HyperbandOracle(objective="loss", max_epochs=8, factor=2, seed=1,
                                             hyperband_iterations=2, hyperparameters=space()),
    "sh": lambda: SuccessiveHalvingOracle(objective="loss", max_epochs=27, factor=3, seed=1,
                                          hyperparameters=space()),
    "asha-promotion": lambda: ASHAOracle(objective="loss", max_epochs=27, factor=3, seed=1,
                                         max_trials=30, hyperparameters=space()),
    "asha-stopping": lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3, seed=1,
                                        max_trials=12, mode="stopping", hyperparameters=space()),
    "asha-kde": lambda: ASHAOracle(objective="loss", max_epochs=27, factor=3, seed=1,
                                   max_trials=30, hyperparameters=space(), searcher="kde"),
    "bohb": lambda: BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=1,
                               hyperparameters=space()),
    "bayesian": lambda: BayesianOptimizationOracle(objective="loss", max_trials=12, seed=1,
                                                   hyperparameters=space()),
}
# each oracle with the rules that apply to it (ASHA does not declare a bounded state)
CASES = [
    pytest.param(FACTORIES[name], rule, id=f"{name}-{rule.name}")
    for name in sorted(FACTORIES)
    for rule in oracle_rules(FACTORIES[name])
]


def f(values: dict, epochs: int | None) -> float:
    return (values["x"] - 0.3) ** 2 + (0.1 if values["c"] == "b" else 0.0) + 1.0 / (epochs or 1)


def drive(oracle: Oracle, stop_after: int | None = None, loss=f) -> list[rung.oracles.Suggestion]:
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append(s)
        oracle.tell(s.trial_id, {"loss": loss(s.values, s.epochs)})
        if stop_after is not None and len(jobs) >= stop_after:
            break
    return jobs


@pytest.mark.parametrize(("factory", "rule"), CASES)
def test_oracle_rule(factory: Callable[[], Oracle], rule: Rule) -> None:
    rule.check(factory)


def test_only_asha_is_exempt_from_the_bounded_state_rule() -> None:
    exempt = {name for name, make in FACTORIES.items()
              if "state_is_bounded" not in {r.name for r in oracle_rules(make)}}
    assert exempt == {"asha-promotion", "asha-stopping", "asha-kde"}


def test_state_is_bounded_by_live_work_not_history() -> None:
    oracle = RandomSearchOracle(objective="loss", max_trials=2000, seed=0, hyperparameters=space())
    drive(oracle, stop_after=10)
    small = len(json.dumps(oracle.state_dict()))
    drive(oracle, stop_after=1000)
    assert len(json.dumps(oracle.state_dict())) < small + 200


def test_maximised_objective_prefers_high_values() -> None:
    oracle = RandomSearchOracle(objective="val_accuracy", max_trials=10, seed=0,
                                hyperparameters=space())
    while (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, {"val_accuracy": s.values["x"]})
    best = oracle.get_best_trials(1)[0]
    assert best.score == max(t.metrics.get_last_value("val_accuracy") for t in oracle.trials.values())


def test_exhausted_small_grid_under_hyperband_ends_cleanly_and_says_why() -> None:
    hp = rung.HyperParameters()
    hp.Choice("a", [1, 2])
    hp.Boolean("b")
    oracle = HyperbandOracle(objective="loss", max_epochs=27, factor=3, seed=0,
                             hyperparameters=hp, searcher=rung.searchers.GridSearcher())
    jobs = drive(oracle, loss=lambda v, e: v["a"] + v["b"] + 1 / e)
    assert oracle.finished
    assert "ran out" in oracle.stop_reason and "4 of 27" in oracle.stop_reason
    per_bracket = {}
    for j in jobs:
        if j.rung == 0:
            per_bracket.setdefault(j.bracket, set()).add(json.dumps(j.values, sort_keys=True))
    assert all(len(v) == 4 for v in per_bracket.values())
    assert set(per_bracket) == {3, 2, 1, 0}
    # the best configuration still reaches max_epochs in every bracket
    finals = {j.bracket for j in jobs if j.epochs == 27}
    assert finals == {3, 2, 1, 0}


def test_exhausted_random_search_stops_with_a_reason() -> None:
    hp = rung.HyperParameters()
    hp.Choice("a", [1, 2, 3])
    oracle = RandomSearchOracle(objective="loss", max_trials=50, seed=0, hyperparameters=hp)
    jobs = drive(oracle, loss=lambda v, e: v["a"])
    assert len(jobs) == 3
    assert oracle.finished and "exhausted" in oracle.stop_reason


def test_parallel_asks_fill_workers_across_brackets() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                             hyperparameters=space())
    first = [oracle.ask() for _ in range(12)]
    assert all(s is not None for s in first)
    # bracket s=2 has 9 first-rung jobs; the next 3 come from bracket s=1
    assert [s.bracket for s in first] == [2] * 9 + [1] * 3
    sequential = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                                 hyperparameters=space(), parallel_brackets=False)
    got = [sequential.ask() for _ in range(10)]
    assert got[9] is None and not sequential.finished  # waiting on the rung


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_epochs": 0}, "max_epochs must be an integer >= 1, got 0"),
        ({"max_epochs": 2**63}, "max_epochs must be an integer <= 2**63 - 1, the largest number "
                                "of epochs a project stores, got 9223372036854775808"),
        ({"factor": 1}, "factor must be an integer >= 2, got 1"),
        ({"factor": 2.5}, "factor must be an integer >= 2, got 2.5"),
        ({"hyperband_iterations": 0}, "hyperband_iterations must be None or an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
    ],
)
def test_bad_arguments_are_rejected_before_any_work(kwargs: dict, message: str) -> None:
    args = {"objective": "loss", "max_epochs": 27, "factor": 3, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        HyperbandOracle(**args)


@pytest.mark.parametrize("make", [
    lambda: ASHAOracle(objective="loss", max_epochs=2**63),
    lambda: SuccessiveHalvingOracle(objective="loss", max_epochs=2**63),
    lambda: RandomSearchOracle(objective="loss", epochs=2**63),
])
def test_an_epoch_count_sqlite_cannot_store_is_refused_up_front(make: Callable[[], Oracle]) -> None:
    # else the plan's later rungs ask for epochs that no project can record, found mid-search
    with pytest.raises(ValueError, match=r"epochs must be an integer <= 2\*\*63 - 1"):
        make()


def _define_by_run(oracle: Oracle, stop_after: int | None = None) -> list[tuple]:
    """Drive ``oracle`` as a tuner does for a function that declares its space when it runs:
    the first job gets ``{}`` and uses the defaults; ``tell`` gets the values it really used."""
    used = []
    while (s := oracle.ask()) is not None:
        hp = oracle.hyperparameters.clone_with_values(s.values)
        values = (hp.Choice("c", [1, 2, 3]), hp.Boolean("b"))
        if s.rung in (None, 0):
            used.append((s.bracket, values))
        oracle.update_space(hp)
        oracle.tell(s.trial_id, {"loss": float(values[0])}, values=hp.values)
        if stop_after is not None and len(used) >= stop_after:
            break
    return used


def test_define_by_run_first_trial_is_not_repeated_in_its_bracket() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0)
    used = _define_by_run(oracle)
    assert {b for b, _ in used} == {0, 1, 2}
    for bracket in {b for b, _ in used}:
        configs = [v for b, v in used if b == bracket]
        assert len(configs) == len(set(configs)) == min(6, oracle.budget().brackets[2 - bracket].n)


def test_define_by_run_random_search_resumed_repeats_nothing() -> None:
    oracle = RandomSearchOracle(objective="loss", max_trials=6, seed=0)
    first = _define_by_run(oracle, stop_after=2)
    resumed = RandomSearchOracle(objective="loss", max_trials=6, seed=0)
    # a store keeps the values each job was given: {} for the first define-by-run job
    history = [r.replace(values={}) if r.trial_id == "00000" else r for r in oracle.records]
    resumed.load_state_dict(json.loads(json.dumps(oracle.state_dict())), history)
    rest = _define_by_run(resumed)
    configs = [v for _, v in first + rest]
    assert len(configs) == len(set(configs)) == 6


def test_grid_budget_counts_distinct_points_conditional_entries_once() -> None:
    hp = rung.HyperParameters()
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", ["mlp"]):
        hp.Int("units", 8, 32, step=8)
    hp.Boolean("bias")
    oracle = GridSearchOracle(objective="loss", hyperparameters=hp)
    assert oracle.budget().jobs == (1 + 4) * 2
    assert GridSearchOracle(objective="loss", max_trials=3, hyperparameters=hp).budget().jobs == 3
    jobs = drive(oracle, loss=lambda v, e: 1.0)
    assert len(jobs) == 10 and oracle.finished


SEEDED: dict[str, Callable[[int, rung.HyperParameters], Oracle]] = {
    "random": lambda seed, hp: RandomSearchOracle(objective="loss", max_trials=6, seed=seed,
                                                  hyperparameters=hp),
    "hyperband": lambda seed, hp: HyperbandOracle(objective="loss", max_epochs=9, seed=seed,
                                                  hyperparameters=hp),
    "bohb": lambda seed, hp: BOHBOracle(objective="loss", max_epochs=9, seed=seed,
                                        hyperparameters=hp),
    "asha": lambda seed, hp: ASHAOracle(objective="loss", max_epochs=9, max_trials=6, seed=seed,
                                        hyperparameters=hp),
    "bayesian": lambda seed, hp: BayesianOptimizationOracle(objective="loss", max_trials=6,
                                                            seed=seed, hyperparameters=hp),
}


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_seeds_are_independent_streams_and_zero_is_a_seed(name: str) -> None:
    """keras-tuner draws its n-th value from ``random.Random(seed + n)`` and takes ``seed=0`` for
    no seed, so its seeds s and s + 1 share their values shifted by one draw
    (docs/keras-tuner.md). Here every seed is a stream of its own: eight seeds, six
    configurations each, no value shared; and seed 0 repeats itself."""
    def first(seed: int) -> list[float]:
        hp = rung.HyperParameters()
        hp.Float("x", 0.0, 1.0)
        hp.Float("y", 1e-4, 1.0, sampling="log")
        oracle = SEEDED[name](seed, hp)
        asked = [oracle.ask() for _ in range(6)]
        return [float(s.values[k]) for s in asked if s is not None for k in ("x", "y")]

    draws = {seed: first(seed) for seed in range(8)}
    values = [v for d in draws.values() for v in d]
    assert len(values) == 8 * 6 * 2
    assert len(set(values)) == len(values)
    assert first(0) == draws[0]
