"""Hand-made trials assigned to ``oracle.trials``, as keras-tuner code does (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung as kt


def _trial(a: int, score: float, status: str = "COMPLETED") -> kt.engine.trial.Trial:
    hp = kt.HyperParameters()
    hp.Fixed("a", a)
    trial = kt.engine.trial.Trial(hyperparameters=hp)
    trial.status = status
    trial.score = score
    return trial


def _run_trial(trial: kt.engine.trial.Trial) -> float:
    return trial.hyperparameters.Float("x", 0.0, 1.0)


def _tuner(path: Path, max_trials: int = 2) -> kt.Tuner:
    return kt.RandomSearch(run_trial=_run_trial, objective="val_accuracy", max_trials=max_trials,
                           seed=0, directory=path, project_name="assigned", verbose=0)


def test_assigned_trials_are_ranked(tmp_path: Path) -> None:
    trial1, trial2 = _trial(1, 10), _trial(2, 9)
    tuner = _tuner(tmp_path)
    tuner.oracle.trials = {trial1.trial_id: trial1, trial2.trial_id: trial2}

    assert tuner.get_best_hyperparameters()[0]["a"] == 1  # val_accuracy: higher is better
    assert [t.trial_id for t in tuner.oracle.get_best_trials(2)] == [trial1.trial_id,
                                                                     trial2.trial_id]
    assert set(tuner.oracle.trials) == {trial1.trial_id, trial2.trial_id}


def test_only_completed_trials_can_be_best(tmp_path: Path) -> None:
    good, invalid = _trial(1, 5), _trial(2, 99, status="INVALID")
    tuner = _tuner(tmp_path)
    tuner.oracle.trials = {good.trial_id: good, invalid.trial_id: invalid}
    assert [t.trial_id for t in tuner.oracle.get_best_trials(2)] == [good.trial_id]
    assert tuner.oracle.trials[invalid.trial_id].status == "INVALID"


def test_assigned_trials_are_stored_and_count(tmp_path: Path) -> None:
    trial1 = _trial(1, 0.5)
    tuner = _tuner(tmp_path)
    tuner.oracle.trials = {trial1.trial_id: trial1}

    again = _tuner(tmp_path)  # the project, reopened: the assigned trial is in its store
    assert [t.trial_id for t in again.oracle.get_best_trials(1)] == [trial1.trial_id]
    again.search()
    assert len(again.oracle.trials) == 2  # max_trials=2 counts the assigned trial


def test_a_running_trial_cannot_be_assigned(tmp_path: Path) -> None:
    hp = kt.HyperParameters()
    hp.Fixed("a", 1)
    running = kt.engine.trial.Trial(hyperparameters=hp)
    tuner = _tuner(tmp_path)
    with pytest.raises(ValueError, match="RUNNING"):
        tuner.oracle.trials = {running.trial_id: running}
    with pytest.raises(TypeError, match="oracle.trials"):
        tuner.oracle.trials = [running]


def test_a_stored_trial_cannot_be_changed(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, max_trials=1)
    tuner.search()
    trials = tuner.oracle.trials
    tuner.oracle.trials = trials  # unchanged: accepted
    (trial,) = trials.values()
    trial.score = 123.0
    with pytest.raises(ValueError, match="stored already"):
        tuner.oracle.trials = trials


def test_trials_set_one_by_one_guide_the_bayesian_oracle(tmp_path: Path) -> None:
    hps = kt.HyperParameters()
    hps.Int("a", -100, 100)
    oracle = kt.oracles.BayesianOptimizationOracle(
        objective=kt.Objective("score", direction="max"), max_trials=20, hyperparameters=hps,
        num_initial_points=2, seed=0)
    oracle._set_project_dir(tmp_path, "untitled")
    for i in range(5):  # high `a`, high score; low `a`, low score
        for sign in (1, -1):
            trial = kt.engine.trial.Trial(hyperparameters=hps.copy())
            trial.hyperparameters.values["a"] = sign * 10 * i
            trial.score = sign * i
            trial.status = "COMPLETED"
            oracle.trials[trial.trial_id] = trial

    assert len(oracle.trials) == 10
    trial = oracle.create_trial("tuner0")
    assert trial.status == "RUNNING"
    assert trial.hyperparameters.get("a") > 0
