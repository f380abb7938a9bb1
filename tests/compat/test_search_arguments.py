"""Arguments of ``search`` that cannot work fail before any trial, with keras-tuner's errors."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import linear_model, metrics, model_selection  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential([keras.layers.Input((3,)),
                              keras.layers.Dense(hp.Int("units", 2, 4)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_callback_that_cannot_be_copied_is_fatal(tmp_path: Path) -> None:
    tuner = kt.RandomSearch(build_model, objective="loss", max_trials=2, directory=tmp_path,
                            project_name="callbacks", verbose=0)
    x = np.zeros((4, 3), dtype="float32")
    with pytest.raises(kt.errors.FatalValueError, match="should be deep-copyable"):
        tuner.search(x, x[:, :1], epochs=1, callbacks=[kt], verbose=0)  # a module
    assert len(tuner.oracle.trials) == 0  # refused before any trial ran


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"epoch": 1}, ValueError, r"search\(\) got epoch=1, which keras.Model.fit does not take "
                               r"\(it takes x, .*\); epoch=: did you mean epochs=\? Arguments of "
                               r"search\(\) other than its own go to fit\.$"),
    ({"epoch": 1, "validaton_data": np.zeros((40, 3))}, ValueError,
     r"search\(\) got epoch=1, validaton_data=<ndarray>, which .*; epoch=: did you mean "
     r"epochs=\?; validaton_data=: did you mean validation_data=\? Arguments"),
    ({"epochs": "2"}, TypeError, r"epochs must be an integer \(Keras' fit epochs\), got '2'"),
    ({"callbacks": [keras.callbacks.EarlyStopping]}, TypeError,
     r"callbacks must be callback objects, got the class EarlyStopping"),
])
def test_fit_arguments_keras_would_refuse_are_refused_before_any_trial(
        tmp_path: Path, kwargs: dict, error: type, message: str) -> None:
    """keras-tuner lets every trial fail on them (three failed trials, then an error); with the
    default ``HyperModel.fit`` (``model.fit(**kwargs)``) rung checks them against
    ``keras.Model.fit`` first. A hypermodel with its own ``fit`` may take other names."""
    tuner = kt.RandomSearch(build_model, objective="loss", max_trials=2, directory=tmp_path,
                            project_name="fit_args", verbose=0)
    x = np.zeros((4, 3), dtype="float32")
    with pytest.raises(error, match=message):
        tuner.search(x, x[:, :1], verbose=0, **kwargs)
    assert tuner.storage.count_trials() == 0

    class OwnFit(kt.HyperModel):
        def build(self, hp: kt.HyperParameters) -> keras.Model:
            return build_model(hp)

        def fit(self, hp, model, *args, epoch: int = 1, **rest):  # its own argument
            return model.fit(*args, epochs=epoch, **rest)

    own = kt.RandomSearch(OwnFit(), objective="loss", max_trials=2, directory=tmp_path,
                          project_name="own_fit", verbose=0)
    own.search(x, x[:, :1], epoch=1, verbose=0)
    assert len(own.oracle.trials) == 2


def test_copyable_callbacks_are_copied_for_each_execution(tmp_path: Path) -> None:
    seen: list[int] = []

    class Count(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict | None = None) -> None:
            seen.append(id(self))

    callback = Count()
    tuner = kt.RandomSearch(build_model, objective="loss", max_trials=1, directory=tmp_path,
                            project_name="copies", executions_per_trial=2, verbose=0)
    x = np.zeros((4, 3), dtype="float32")
    tuner.search(x, x[:, :1], epochs=1, callbacks=[callback], verbose=0)
    assert len(seen) == 2 and len(set(seen)) == 2 and id(callback) not in seen


def _sklearn_tuner(path: Path) -> kt.SklearnTuner:
    def build(hp: kt.HyperParameters) -> linear_model.LogisticRegression:
        return linear_model.LogisticRegression(C=hp.Float("C", 0.1, 1.0))

    return kt.SklearnTuner(
        oracle=kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"),
                                             max_trials=2),
        hypermodel=build, scoring=metrics.make_scorer(metrics.accuracy_score),
        cv=model_selection.StratifiedKFold(3), directory=path, project_name="sk", verbose=0)


def test_sklearn_one_dimensional_data_is_refused_up_front(tmp_path: Path) -> None:
    tuner = _sklearn_tuner(tmp_path)
    with pytest.raises(RuntimeError, match="Expected the data to be numpy"):
        tuner.search([1, 2, 3, 4, 5, 6], [1, 1, 1, 2, 2, 2])
    assert len(tuner.oracle.trials) == 0


def test_sklearn_takes_lists_of_rows(tmp_path: Path) -> None:
    tuner = _sklearn_tuner(tmp_path)
    tuner.search([[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]], [0, 0, 0, 1, 1, 1])
    assert len(tuner.oracle.trials) == 2
