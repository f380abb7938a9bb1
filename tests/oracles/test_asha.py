"""ASHA (Li et al., MLSys 2020, Algorithm 2): rung arithmetic, promotions, stopping decisions."""

from __future__ import annotations

import json
import math
import random

import pytest

import rung
from rung.executors import SimulatedExecutor
from rung.oracles import ASHAOracle
from rung.storage import InMemoryStorage


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def asha(**kwargs) -> ASHAOracle:
    args = {"objective": "loss", "max_epochs": 27, "factor": 3, "seed": 0, "max_trials": 30,
            "hyperparameters": space(), **kwargs}
    return ASHAOracle(**args)


@pytest.mark.parametrize(
    ("max_epochs", "factor", "min_epochs", "milestones"),
    [(27, 3, 1, (1, 3, 9, 27)), (243, 3, 1, (1, 3, 9, 27, 81, 243)), (100, 3, 4, (11, 33, 100)),
     (9, 3, 9, (9,)), (8, 2, 1, (1, 2, 4, 8))],
)
def test_rung_epochs_use_exact_integer_arithmetic(max_epochs, factor, min_epochs, milestones):
    assert asha(max_epochs=max_epochs, factor=factor, min_epochs=min_epochs).milestones == milestones


def test_promotes_the_best_unpromoted_of_the_top_third_as_soon_as_it_exists() -> None:
    oracle = asha()
    first = [oracle.ask() for _ in range(3)]
    assert [s.rung for s in first] == [0, 0, 0] and all(s.epochs == 1 for s in first)
    for s, loss in zip(first, [0.5, 0.2, 0.9], strict=True):
        oracle.tell(s.trial_id, loss)
    promoted = oracle.ask()  # floor(3 / 3) = 1: the best of rung 0 goes to rung 1
    assert (promoted.parent_id, promoted.rung) == (first[1].trial_id, 1)
    assert (promoted.initial_epoch, promoted.epochs) == (1, 3)
    assert promoted.values == first[1].values
    nxt = oracle.ask()  # nothing else is promotable: a new configuration
    assert nxt.rung == 0 and nxt.parent_id is None


def test_never_waits_while_configurations_remain() -> None:
    oracle = asha(max_trials=50)
    in_flight = [oracle.ask() for _ in range(40)]
    assert all(s is not None for s in in_flight)  # no rung to fill, no waiting


def test_runs_to_the_top_rung_and_never_promotes_failures() -> None:
    oracle = asha(max_trials=80)
    jobs = []
    while (s := oracle.ask()) is not None:
        jobs.append(s)
        loss = math.nan if s.values["x"] > 0.8 else s.values["x"] + 1 / s.epochs
        oracle.tell(s.trial_id, loss)
    assert oracle.finished and "max_trials=80" in oracle.stop_reason
    bad = {j.trial_id for j in jobs if j.values["x"] > 0.8}
    assert not any(j.parent_id in bad for j in jobs)
    assert max(j.epochs for j in jobs) == 27
    assert sum(j.rung == 0 for j in jobs) == 80


def test_stopping_mode_keeps_the_top_third_at_each_milestone() -> None:
    oracle = asha(mode="stopping", max_epochs=9)
    a, b, c, d = (oracle.ask() for _ in range(4))
    assert a.epochs == 9 and a.initial_epoch == 0
    assert oracle.on_report(a.trial_id, 1, {"loss": 0.5})  # first arrival: continues
    assert oracle.on_report(a.trial_id, 2, {"loss": 9.0})  # not a milestone
    assert not oracle.on_report(b.trial_id, 1, {"loss": 0.7})  # 2 results: top 1 only
    assert oracle.on_report(c.trial_id, 1, {"loss": 0.1})  # the new best
    rule = oracle.stop_rule(d.trial_id)  # the same decisions, as a picklable snapshot
    assert rule(1, {"loss": 0.45}) and not rule(1, {"loss": 0.6}) and rule(2, {"loss": 99})
    assert oracle.on_report(d.trial_id, 1, {"loss": 0.45})
    assert json.loads(json.dumps(rule.cutoffs)) == list(rule.cutoffs) or math.inf in rule.cutoffs


def test_state_round_trip_keeps_rungs_and_promotions() -> None:
    reference = asha()
    oracle = asha()
    for o in (reference, oracle):
        for _ in range(12):
            s = o.ask()
            o.tell(s.trial_id, s.values["x"] + 1 / s.epochs)
    state = json.loads(json.dumps(oracle.state_dict()))
    resumed = asha()
    resumed.load_state_dict(state, oracle.records)
    assert [resumed.ask() for _ in range(5)] == [reference.ask() for _ in range(5)]


def test_results_no_promotion_can_reach_are_retired_for_good() -> None:
    # with max_trials=9 and eta=3 a rung never holds more than 9 results, so only its top 3 can
    # ever be promoted: the rest are released at once (their checkpoints may be deleted) and
    # stay unpromoted even when a resume raises max_trials
    oracle = asha(max_trials=9)
    jobs = [oracle.ask() for _ in range(9)]
    for s in jobs:
        oracle.tell(s.trial_id, s.values["x"])
    ranked = sorted(jobs, key=lambda s: s.values["x"])
    rung0 = {s.trial_id for s in ranked[3:]}
    assert not rung0 & oracle.checkpoints_in_use()
    state = json.loads(json.dumps(oracle.state_dict()))
    resumed = asha(max_trials=100)
    resumed.load_state_dict(state, oracle.records)
    while (s := resumed.ask()) is not None and len(resumed.records) < 150:
        assert s.parent_id not in rung0
        resumed.tell(s.trial_id, s.values["x"] + 1 / s.epochs)
    assert resumed.finished and not resumed.checkpoints_in_use()


def test_a_finished_search_holds_no_checkpoint_in_use_whatever_the_order() -> None:
    rnd = random.Random(0)
    for max_trials, factor, workers in [(30, 3, 4), (17, 2, 3), (50, 4, 8)]:
        oracle = asha(max_trials=max_trials, factor=factor)
        running = []
        while True:
            while len(running) < workers and (s := oracle.ask()) is not None:
                running.append(s)
            if not running:
                break
            s = running.pop(rnd.randrange(len(running)))
            if rnd.random() < 0.1:
                oracle.tell_failed(s.trial_id)
            else:
                oracle.tell(s.trial_id, s.values["x"] + rnd.random() / s.epochs)
        assert oracle.finished and oracle.checkpoints_in_use() == set()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"mode": "pause"}, "mode must be one of"), ({"min_epochs": 30}, "min_epochs must be <="),
     ({"max_trials": 0}, "max_trials must be None or an integer >= 1"), ({"factor": 1}, "factor")],
)
def test_bad_arguments_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        asha(**kwargs)


def test_asha_keeps_a_simulated_cluster_busy(tmp_path) -> None:
    def curve(values: dict, epoch: int) -> float:
        return (values["x"] - 0.3) ** 2 + 1.0 / epoch

    sim = SimulatedExecutor(16, curve=curve, epoch_seconds=lambda v: 0.5 + v["x"])
    tuner = rung.ASHA(run_trial=lambda trial: None, objective="loss", max_epochs=27, factor=3,
                      max_trials=300, seed=0, hyperparameters=space(), directory=tmp_path,
                      storage=InMemoryStorage(), verbose=0)
    tuner.search(executor=sim)
    assert tuner.oracle.finished
    starts = {trial_id: start for start, _, trial_id, _ in sim.trace}
    last_new = max(starts[t.trial_id] for t in tuner.storage.trials() if t.rung == 0)
    assert sim.utilisation(until=last_new) > 0.97  # busy while configurations remain
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.record.epochs == 27 and abs(best.hyperparameters["x"] - 0.3) < 0.05
