"""``save_model(trial_id, model, step=0)`` (keras-tuner's ``BaseTuner`` method) in a
``run_trial`` that trains its own model: ``get_best_models`` / ``load_model`` return it.

keras-tuner 1.4.8 implements it for ``SklearnTuner`` only (a pickle); its Keras ``Tuner``
inherits ``BaseTuner``'s ``NotImplementedError``. rung saves the model as the trial's checkpoint
in both, and in a ``Tuner`` without a hypermodel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt
from rung.errors import ArgumentTypeError


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential([keras.Input((64,)),
                              keras.layers.Dense(hp.Int("units", 4, 8, step=4), activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class OwnLoop(kt.RandomSearch):
    """A keras-tuner subclass that builds, trains and saves the model itself."""

    def run_trial(self, trial: Any, x: Any, y: Any, x_val: Any, y_val: Any) -> dict[str, float]:
        model = self.hypermodel.build(trial.hyperparameters)
        model.fit(x, y, epochs=1, batch_size=64, verbose=0)
        self.save_model(trial.trial_id, model)
        loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
        return {"val_loss": loss, "val_accuracy": accuracy}


def test_a_keras_model_saved_in_run_trial_is_the_best_model(
        tmp_path: Path, digits: dict[str, np.ndarray]) -> None:
    tuner = OwnLoop(build_model, objective="val_accuracy", max_trials=2, seed=0,
                    directory=tmp_path, project_name="own", verbose=0)
    x_val, y_val = digits["x_val"], digits["y_val"]
    tuner.search(digits["x_train"], digits["y_train"], x_val, y_val)
    best_trial = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    assert model.evaluate(x_val, y_val, verbose=0)[1] == pytest.approx(best_trial.score)
    with pytest.raises(ArgumentTypeError, match="step"):
        tuner.save_model(best_trial.trial_id, model, step="last")


def test_without_a_hypermodel_the_object_itself_is_saved(tmp_path: Path) -> None:
    class Plain(kt.Tuner):
        def run_trial(self, trial: Any) -> float:
            x = trial.hyperparameters.Float("x", 0.0, 1.0)
            self.save_model(trial.trial_id, {"x": x})
            return x

    tuner = Plain(oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=2, seed=0),
                  directory=tmp_path, project_name="plain", verbose=0)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    assert tuner.load_model(best) == {"x": best.hyperparameters["x"]}


def test_sklearn_tuner_save_model(tmp_path: Path) -> None:
    from sklearn import linear_model

    def build(hp: kt.HyperParameters) -> Any:
        return linear_model.Ridge(alpha=hp.Float("alpha", 0.1, 10.0, sampling="log"))

    class Holdout(kt.SklearnTuner):  # keras-tuner's run_trial, reduced to one split
        def run_trial(self, trial: Any, X: Any, y: Any, **kwargs: Any) -> dict[str, float]:
            model = self.hypermodel.build(trial.hyperparameters).fit(X[:30], y[:30])
            self.save_model(trial.trial_id, model)
            return {"score": float(model.score(X[30:], y[30:]))}

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"), max_trials=2,
                                           seed=0)
    tuner = Holdout(oracle, build, directory=tmp_path, project_name="sk", verbose=0)
    tuner.search(X, y)
    best = tuner.oracle.get_best_trials(1)[0]
    model = tuner.get_best_models(1)[0]
    assert model.alpha == best.hyperparameters["alpha"]
    assert model.score(X[30:], y[30:]) == pytest.approx(best.score)
