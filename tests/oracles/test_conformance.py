"""Every oracle through the same ask/tell contract."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pytest

import rung
from rung.oracles import (
    ASHAOracle,
    GridSearchOracle,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
    SuccessiveHalvingOracle,
)


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
}
# ASHA's promotions depend on the order results arrive: its budget does not count jobs ahead
UNPLANNED = {"asha-promotion"}


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


@pytest.fixture(params=sorted(FACTORIES))
def factory(request: pytest.FixtureRequest) -> Callable[[], Oracle]:
    factory = FACTORIES[request.param]
    factory.name = request.param  # type: ignore[attr-defined]
    return factory


def test_runs_to_completion_with_unique_ids_and_the_planned_jobs(factory) -> None:
    oracle = factory()
    jobs = drive(oracle)
    assert oracle.finished and oracle.stop_reason
    assert oracle.ask() is None
    assert len({j.trial_id for j in jobs}) == len(jobs)
    if factory.name in UNPLANNED:
        assert oracle.budget().jobs == 0  # "not known in advance"
    else:
        assert len(jobs) == oracle.budget().jobs


def test_same_seed_same_jobs(factory) -> None:
    assert drive(factory()) == drive(factory())


def test_state_round_trip_mid_search_continues_identically(factory) -> None:
    reference = drive(factory())
    oracle = factory()
    first = drive(oracle, stop_after=7)
    pending = oracle.ask()  # a job in flight when the process dies
    state = json.loads(json.dumps(oracle.state_dict()))
    history = oracle.records
    resumed = factory()
    resumed.load_state_dict(state, history)
    assert set(resumed.pending) == {pending.trial_id}
    resumed.tell(pending.trial_id, {"loss": f(pending.values, pending.epochs)})
    rest = drive(resumed)
    assert first + [pending] + rest == reference


def test_state_is_bounded_by_live_work_not_history() -> None:
    oracle = RandomSearchOracle(objective="loss", max_trials=2000, seed=0, hyperparameters=space())
    drive(oracle, stop_after=10)
    small = len(json.dumps(oracle.state_dict()))
    drive(oracle, stop_after=1000)
    assert len(json.dumps(oracle.state_dict())) < small + 200


def test_best_trials_are_sorted_by_loss(factory) -> None:
    oracle = factory()
    drive(oracle)
    best = oracle.get_best_trials(5)
    losses = [t.record.loss for t in best]
    assert losses == sorted(losses)
    all_losses = [t.loss for t in oracle.records if t.loss is not None]
    assert losses[0] == min(all_losses)
    assert best[0].score == pytest.approx(losses[0])


def test_nan_and_failures_are_never_best_nor_promoted(factory) -> None:
    oracle = factory()
    rng = np.random.default_rng(0)
    bad: set[str] = set()
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append(s)
        roll = rng.random()
        if roll < 0.2:
            bad.add(s.trial_id)
            oracle.tell(s.trial_id, {"loss": math.nan})
        elif roll < 0.3:
            bad.add(s.trial_id)
            oracle.tell_failed(s.trial_id, "boom")
        else:
            oracle.tell(s.trial_id, {"loss": f(s.values, s.epochs)})
    assert oracle.finished
    assert not any(j.parent_id in bad for j in jobs)
    assert all(t.trial_id not in bad for t in oracle.get_best_trials(100))


def test_tell_unknown_trial_raises(factory) -> None:
    oracle = factory()
    with pytest.raises(KeyError, match="not pending"):
        oracle.tell("nope", 1.0)


def test_maximised_objective_prefers_high_values() -> None:
    oracle = RandomSearchOracle(objective="val_accuracy", max_trials=10, seed=0,
                                hyperparameters=space())
    while (s := oracle.ask()) is not None:
        oracle.tell(s.trial_id, {"val_accuracy": s.values["x"]})
    best = oracle.get_best_trials(1)[0]
    assert best.score == max(t.metrics["val_accuracy"] for t in oracle.trials.values())


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
        ({"factor": 1}, "factor must be an integer >= 2, got 1"),
        ({"factor": 2.5}, "factor must be an integer >= 2, got 2.5"),
        ({"hyperband_iterations": 0}, "hyperband_iterations must be None or an integer >= 1"),
        ({"seed": -1}, "seed must be an integer >= 0"),
    ],
)
def test_bad_arguments_are_rejected_before_any_work(kwargs: dict, message: str) -> None:
    args = {"objective": "loss", "max_epochs": 27, "factor": 3, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        HyperbandOracle(**args)


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
