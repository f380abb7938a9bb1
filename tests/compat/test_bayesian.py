"""keras-tuner's ``BayesianOptimization`` on a small Keras model: a script written for keras-tuner
runs unchanged with ``import rung as kt``."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential()
    model.add(keras.layers.Input((64,)))
    model.add(keras.layers.Dense(units=hp.Int("units", min_value=16, max_value=64, step=16),
                                 activation=hp.Choice("activation", ["relu", "tanh"])))
    if hp.Boolean("dropout"):
        model.add(keras.layers.Dropout(rate=0.25))
    model.add(keras.layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-1, sampling="log")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit_args(digits: dict) -> tuple[tuple, dict]:
    return (digits["x_train"], digits["y_train"]), {
        "epochs": 1, "validation_data": (digits["x_val"], digits["y_val"]), "verbose": 0}


def test_the_keras_tuner_call_constructs_and_searches(tmp_path, monkeypatch, digits) -> None:
    monkeypatch.chdir(tmp_path)  # keras-tuner's default directory is the working directory
    tuner = kt.BayesianOptimization(build_model, objective="val_accuracy", max_trials=5)
    args, kwargs = fit_args(digits)
    tuner.search(*args, **kwargs)
    trials = tuner.oracle.trials
    assert len(trials) == 5
    assert all(t.status == "COMPLETED" for t in trials.values())
    assert (tmp_path / "untitled_project").is_dir()
    best = tuner.get_best_hyperparameters()[0]
    assert best.values["units"] in (16, 32, 48, 64) and 1e-4 <= best.values["lr"] <= 1e-1
    model = tuner.get_best_models(1)[0]
    assert model.predict(digits["x_val"][:3], verbose=0).shape == (3, 10)


def test_the_gaussian_process_proposes_after_the_initial_points(tmp_path, digits) -> None:
    tuner = kt.BayesianOptimization(build_model, objective="val_accuracy", max_trials=5,
                                    num_initial_points=2, alpha=1e-3, beta=2.0, seed=1,
                                    max_retries_per_trial=1, max_consecutive_failed_trials=2,
                                    directory=tmp_path, project_name="bo", verbose=0)
    assert isinstance(tuner.oracle, kt.oracles.BayesianOptimizationOracle)
    assert type(tuner.oracle.searcher).__name__ == "GPSearcher"
    assert (tuner.oracle.searcher.alpha, tuner.oracle.searcher.beta) == (1e-3, 2.0)
    assert (tuner.max_retries_per_trial, tuner.max_consecutive_failed_trials) == (1, 2)
    args, kwargs = fit_args(digits)
    tuner.search(*args, **kwargs)
    values = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert len({kt.hyperparameters.values_key(v) for v in values}) == 5  # all distinct
    space = tuner.oracle.hyperparameters
    for v in values:  # every value valid for its hyperparameter
        assert space.clone_with_values(v).values == v
        assert v["units"] in (16, 32, 48, 64) and v["activation"] in ("relu", "tanh")


def test_bad_arguments_fail_before_any_work(tmp_path) -> None:
    with pytest.raises(ValueError, match="beta"):
        kt.BayesianOptimization(build_model, objective="val_accuracy", beta=-1.0,
                                directory=tmp_path)
    with pytest.raises(TypeError, match="num_initial_points"):
        kt.BayesianOptimization(build_model, objective="val_accuracy", num_initial_points=2.5,
                                directory=tmp_path)
    assert not list(tmp_path.iterdir())


def test_the_oracle_inside_a_tuner_resumes(tmp_path, digits) -> None:
    """keras-tuner's other spelling: ``kt.Tuner(oracle=kt.oracles.BayesianOptimizationOracle(...))``
    (also from ``kt.tuners.bayesian``); a second tuner on the project with a larger
    ``max_trials`` goes on from the stored trials instead of starting over."""
    from rung.tuners.bayesian import BayesianOptimizationOracle

    def make(max_trials: int) -> kt.Tuner:
        oracle = BayesianOptimizationOracle(
            objective=kt.Objective("val_accuracy", "max"), max_trials=max_trials,
            num_initial_points=2, seed=4, max_retries_per_trial=1)
        return kt.Tuner(oracle=oracle, hypermodel=build_model, directory=tmp_path,
                        project_name="bo_oracle", verbose=0)

    args, kwargs = fit_args(digits)
    tuner = make(3)
    assert tuner.max_retries_per_trial == 1  # the oracle's setting, as in keras-tuner
    tuner.search(*args, **kwargs)
    first = {k: t.hyperparameters.values for k, t in tuner.oracle.trials.items()}
    assert len(first) == 3
    more = make(5)
    assert more.remaining_trials == 2
    more.search(*args, **kwargs)
    trials = more.oracle.trials
    assert len(trials) == 5
    assert {k: trials[k].hyperparameters.values for k in first} == first  # nothing re-run
    assert more.get_best_models(1)[0].predict(digits["x_val"][:2], verbose=0).shape == (2, 10)
