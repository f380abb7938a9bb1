"""``kt.GridSearch`` walks the grid in keras-tuner's order (issue 10: small search spaces)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import rung as kt


def test_int_and_float_without_step(tmp_path: Path) -> None:
    class MyGridSearch(kt.GridSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            hp = trial.hyperparameters
            hp.Int("int", 1, 5)
            hp.Float("float", 1, 2)
            return random.random()

    tuner = MyGridSearch(directory=tmp_path, verbose=0)
    tuner.search()
    # 5 ints times the float's default and its ten values spread over [1, 2]
    assert len(tuner.oracle.trials) == 5 * 11
    floats = {t.hyperparameters["float"] for t in tuner.oracle.trials.values()}
    assert floats == {1.0, *kt.engine.hyperparameters.Float("f", 1, 2).values}


def test_hyperparameters_declared_later_extend_the_grid(tmp_path: Path) -> None:
    class MyGridSearch(kt.GridSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            hp = trial.hyperparameters
            if hp.Boolean("bool"):
                hp.Choice("choice1", [0, 1, 2])
            else:
                hp.Choice("choice2", [3, 4, 5])
            return random.random()

    tuner = MyGridSearch(directory=tmp_path, verbose=0)
    tuner.search(verbose=0)
    assert len(tuner.oracle.trials) == 3 + 3 * 3
    order = [t.hyperparameters.values for t in sorted(tuner.oracle.trials.values(),
                                                       key=lambda t: t.trial_id)]
    assert [(v["bool"], v["choice2"]) for v in order[:3]] == [(False, 3), (False, 4), (False, 5)]
    # the first trial with bool=True declared choice1: from there on the grid includes it
    assert {(v["bool"], v["choice2"], v["choice1"]) for v in order[3:]} == {
        (True, c2, c1) for c2 in (3, 4, 5) for c1 in (0, 1, 2)}


def test_waits_while_running_trials_may_open_values(tmp_path: Path) -> None:
    oracle = kt.oracles.GridSearchOracle(objective=kt.Objective("score", "max"))
    oracle._set_project_dir(tmp_path, "grid")
    hp = oracle.get_space()
    hp.Boolean("bool")
    oracle.update_space(hp)

    first = oracle.create_trial("a")
    second = oracle.create_trial("b")
    assert (first.status, second.status) == ("RUNNING", "RUNNING")
    assert oracle.create_trial("c").status == "IDLE"  # the grid is handed out, not finished

    first.hyperparameters.Boolean("bool2")  # the first trial declares more
    oracle.update_space(first.hyperparameters)
    oracle.update_trial(first.trial_id, {"score": 0.5})
    oracle.end_trial(first)
    third = oracle.create_trial("c")
    assert third.status == "RUNNING"
    assert third.hyperparameters.values == {"bool": False, "bool2": True}
    for trial in (second, third):
        oracle.update_trial(trial.trial_id, {"score": 0.1})
        oracle.end_trial(trial)
    fourth = oracle.create_trial("d")
    assert fourth.hyperparameters.values == {"bool": True, "bool2": True}
    oracle.update_trial(fourth.trial_id, {"score": 0.2})
    oracle.end_trial(fourth)
    assert oracle.create_trial("e").status == "STOPPED"


def test_a_resumed_grid_continues_its_order(tmp_path: Path) -> None:
    def run_trial(trial: Any) -> float:
        hp = trial.hyperparameters
        return hp.Int("a", 0, 2) * 10 + float(hp.Choice("b", ["x", "y"]) == "x")

    def tuner(max_trials: int | None) -> kt.GridSearch:
        return kt.GridSearch(run_trial=run_trial, objective="loss", max_trials=max_trials,
                             directory=tmp_path, project_name="resume", verbose=0)

    tuner(2).search()
    resumed = tuner(None)
    resumed.search()
    values = [(t.hyperparameters["a"], t.hyperparameters["b"])
              for t in sorted(resumed.oracle.trials.values(), key=lambda t: t.trial_id)]
    assert values == [(0, "x"), (0, "y"), (1, "x"), (1, "y"), (2, "x"), (2, "y")]
