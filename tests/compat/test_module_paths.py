"""The module paths keras-tuner scripts import from resolve in rung, to the same classes."""

from __future__ import annotations

import importlib

import pytest

import rung as kt

ENGINE = {
    "hyperparameters": ["HyperParameters", "HyperParameter", "Int", "Float", "Choice", "Boolean",
                        "Fixed"],
    "hypermodel": ["HyperModel"],
    "trial": ["Trial", "TrialStatus"],
    "tuner": ["Tuner"],
    "base_tuner": ["BaseTuner"],
    "oracle": ["Oracle", "Objective", "synchronized"],
    "objective": ["Objective", "MultiObjective"],
    "metrics_tracking": ["infer_metric_direction"],
}


@pytest.mark.parametrize("module", sorted(ENGINE))
def test_engine_submodules(module: str) -> None:
    imported = importlib.import_module(f"rung.engine.{module}")
    for name in ENGINE[module]:
        assert hasattr(imported, name), f"rung.engine.{module}.{name}"
    assert getattr(kt.engine, module) is imported


def test_engine_names_are_rungs_own() -> None:
    from rung.engine import base_tuner, hypermodel, hyperparameters, oracle, trial, tuner

    assert hyperparameters.HyperParameters is kt.HyperParameters
    assert hypermodel.HyperModel is kt.HyperModel
    assert trial.Trial is kt.Trial and trial.TrialStatus is kt.TrialStatus
    assert tuner.Tuner is kt.Tuner and issubclass(kt.Tuner, base_tuner.BaseTuner)
    assert oracle.Oracle is kt.Oracle and oracle.Objective is kt.Objective
    assert oracle.synchronized is kt.synchronized


def test_infer_metric_direction() -> None:
    from rung.engine.metrics_tracking import infer_metric_direction

    assert infer_metric_direction("val_loss") == "min"
    assert infer_metric_direction("val_accuracy") == "max"


@pytest.mark.parametrize("module, tuner, oracle", [
    ("randomsearch", "RandomSearch", "RandomSearchOracle"),
    ("hyperband", "Hyperband", "HyperbandOracle"),
    ("gridsearch", "GridSearch", "GridSearchOracle"),
    ("bayesian", "BayesianOptimization", "BayesianOptimizationOracle"),
])
def test_tuners_submodules(module: str, tuner: str, oracle: str) -> None:
    imported = importlib.import_module(f"rung.tuners.{module}")
    assert getattr(imported, tuner) is getattr(kt, tuner) is getattr(kt.tuners, tuner)
    assert getattr(imported, oracle) is getattr(kt.oracles, oracle)


def test_sklearn_tuner_path() -> None:
    from rung.tuners.sklearn_tuner import SklearnTuner

    assert SklearnTuner is kt.tuners.SklearnTuner is kt.SklearnTuner
    assert kt.tuners.Tuner is kt.Tuner


@pytest.mark.parametrize("make", [
    lambda **kw: kt.oracles.RandomSearchOracle(objective="val_loss", max_trials=5, **kw),
    lambda **kw: kt.oracles.GridSearchOracle(objective="val_loss", **kw),
    lambda **kw: kt.oracles.HyperbandOracle(objective="val_loss", max_epochs=9, **kw),
    lambda **kw: kt.oracles.BayesianOptimizationOracle(objective="val_loss", max_trials=5, **kw),
    lambda **kw: kt.Oracle(objective="val_loss", max_trials=5, **kw),
])
def test_oracles_take_keras_tuners_failure_arguments(make) -> None:
    oracle = make(max_retries_per_trial=2, max_consecutive_failed_trials=4, seed=1,
                  tune_new_entries=True, allow_new_entries=True)
    assert oracle.max_retries_per_trial == 2
    assert oracle.max_consecutive_failed_trials == 4
    with pytest.raises(ValueError, match="max_retries_per_trial"):
        make(max_retries_per_trial=-1)


def test_a_tuner_takes_the_retries_of_its_oracle(tmp_path) -> None:
    oracle = kt.oracles.RandomSearchOracle(objective="loss", max_trials=2,
                                           max_retries_per_trial=2,
                                           max_consecutive_failed_trials=5)
    attempts: list[str] = []

    def flaky(trial: kt.Trial) -> float:
        attempts.append(trial.trial_id)
        if attempts.count(trial.trial_id) < 3:
            raise RuntimeError("transient")
        return trial.hyperparameters.Float("x", 0, 1)

    tuner = kt.Tuner(oracle, run_trial=flaky, directory=tmp_path, project_name="p", verbose=0)
    assert (tuner.max_retries_per_trial, tuner.max_consecutive_failed_trials) == (2, 5)
    tuner.search()
    assert sorted(attempts) == ["00000"] * 3 + ["00001"] * 3
    assert all(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
