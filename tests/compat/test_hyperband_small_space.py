"""Hyperband on a space smaller than a bracket (issue 10: small search spaces)."""

from __future__ import annotations

from pathlib import Path

import rung as kt


def test_waits_for_running_trials_then_promotes_the_best(tmp_path: Path) -> None:
    oracle = kt.oracles.HyperbandOracle(objective=kt.Objective("score", "max"),
                                        hyperband_iterations=1, max_epochs=8, factor=3)
    oracle._set_project_dir(tmp_path, "untitled")
    hp = oracle.get_space()
    hp.Boolean("bool")
    oracle.update_space(hp)

    trial_1 = oracle.create_trial("a")
    trial_2 = oracle.create_trial("b")
    assert (trial_1.status, trial_2.status) == ("RUNNING", "RUNNING")
    # both values are out; the running trials may still declare more: wait, as keras-tuner
    assert oracle.create_trial("c").status == "IDLE"

    for trial, score in ((trial_1, 0.9), (trial_2, 0.1)):
        oracle.update_trial(trial_id=trial.trial_id, metrics={"score": score})
        oracle.end_trial(trial)

    # keras-tuner stops here (its bracket never fills); rung trains the best one further
    promoted = oracle.create_trial("a")
    assert promoted.status == "RUNNING"
    assert promoted.parent_id == trial_1.trial_id
    assert promoted.hyperparameters["bool"] == trial_1.hyperparameters["bool"]
    assert promoted.epochs == 8


def test_a_small_space_search_runs_to_the_end(tmp_path: Path) -> None:
    def run_trial(trial: kt.engine.trial.Trial, **kwargs: object) -> float:
        return float(trial.hyperparameters.Boolean("bool")) + trial.epochs

    tuner = kt.Hyperband(run_trial=run_trial, objective="loss", max_epochs=8, factor=3,
                         hyperband_iterations=1, directory=tmp_path, project_name="small",
                         verbose=0)
    tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert {t.epochs for t in trials} >= {2, 8}  # promoted to max_epochs, not stopped early
    assert tuner.oracle.finished


def test_remaining_trials_counts_the_plans_jobs_still_to_start(tmp_path: Path) -> None:
    def run_trial(trial: kt.engine.trial.Trial, **kwargs: object) -> float:
        return trial.hyperparameters.Float("x", 0.0, 1.0) + 1.0 / trial.epochs

    tuner = kt.Hyperband(run_trial=run_trial, objective="loss", max_epochs=9, factor=3, seed=1,
                         directory=tmp_path, project_name="p", verbose=0)
    assert tuner.remaining_trials == tuner.oracle.remaining_trials() == 22  # keras-tuner: None
    tuner.search()
    assert len(tuner.oracle.trials) == 22
    assert tuner.remaining_trials == 0
