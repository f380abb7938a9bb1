"""keras-tuner's guides on tuning ``fit`` (``HyperModel.fit``) and custom training loops."""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402


class MyHyperModel(kt.HyperModel):
    def build(self, hp):
        model = keras.Sequential([
            keras.layers.Input((64,)),
            keras.layers.Dense(hp.Int("units", 16, 64, step=16), activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def fit(self, hp, model, x, y, **kwargs):
        if hp.Boolean("normalize"):
            x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
        return model.fit(x, y, batch_size=hp.Choice("batch_size", [32, 64, 128]),
                         shuffle=hp.Boolean("shuffle"), **kwargs)


class BatchCounter(kt.RandomSearch):
    """Counts training batches per trial with the on_batch_end hook."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: dict[str, int] = {}

    def on_batch_end(self, trial, model, batch, logs=None):
        self.batches[trial.trial_id] = self.batches.get(trial.trial_id, 0) + 1


def test_fit_arguments_are_tuned(tmp_path, digits) -> None:
    hypermodel = MyHyperModel(name="mlp")
    tuner = BatchCounter(hypermodel, objective="val_accuracy", max_trials=4, seed=2,
                         directory=tmp_path, project_name="fit_args", verbose=0)
    # fit's hyperparameters are declared in fit, so the first trial learns them (define-by-run)
    names = {p.name for p in tuner.oracle.hyperparameters.space}
    assert names == {"units"}
    epochs, n = 2, len(digits["x_train"])
    tuner.search(digits["x_train"], digits["y_train"], epochs=epochs,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)

    assert {p.name for p in tuner.oracle.hyperparameters.space} == {
        "units", "normalize", "batch_size", "shuffle"}
    trials = tuner.oracle.trials.values()
    assert len({t.hyperparameters.values["batch_size"] for t in trials}) > 1
    for t in trials:  # the tuned batch size is the one fit used
        bs = t.hyperparameters.values["batch_size"]
        assert tuner.batches[t.trial_id] == epochs * math.ceil(n / bs)


def test_fit_returning_a_float_is_the_objective(tmp_path) -> None:
    class CustomLoop(kt.HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.layers.Input((2,)),
                                      keras.layers.Dense(hp.Int("units", 1, 4))])
            model.compile("sgd", "mse")
            return model

        def fit(self, hp, model, *args, **kwargs):
            x = hp.Float("x", -2.0, 2.0)
            return (x - 0.5) ** 2  # a float: the objective to minimise

    tuner = kt.RandomSearch(CustomLoop(), max_trials=5, seed=0, directory=tmp_path,
                            project_name="loop", verbose=0)
    tuner.search()
    scores = [t.score for t in tuner.oracle.trials.values()]
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score == min(scores)
    assert best.score == pytest.approx((best.hyperparameters["x"] - 0.5) ** 2)


def test_fit_returning_a_dict_with_a_custom_metric(tmp_path, digits) -> None:
    class Evaluated(MyHyperModel):
        def fit(self, hp, model, x, y, validation_data, **kwargs):
            model.fit(x, y, **kwargs)
            x_val, y_val = validation_data
            pred = model.predict(x_val, verbose=0).argmax(axis=1)
            return {"custom_error": float(np.mean(pred != y_val))}

    tuner = kt.RandomSearch(Evaluated(), objective=kt.Objective("custom_error", "min"),
                            max_trials=2, directory=tmp_path, project_name="d", verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    for t in tuner.oracle.trials.values():
        assert 0.0 <= t.score <= 1.0 and set(t.metrics.metrics) == {"custom_error"}


def test_a_dict_without_the_objective_stops_the_search(tmp_path) -> None:
    class Wrong(kt.HyperModel):
        def build(self, hp):
            model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
            model.compile("sgd", "mse")
            return model

        def fit(self, hp, model, *args, **kwargs):
            return {"accuracy": 0.5}

    tuner = kt.RandomSearch(Wrong(), objective="val_loss", max_trials=3, directory=tmp_path,
                            project_name="w", verbose=0)
    with pytest.raises(kt.errors.FatalError, match="val_loss"):
        tuner.search()
