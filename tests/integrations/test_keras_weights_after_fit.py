"""The weights rung keeps are those of the epochs it scored, whatever ``fit`` leaves in the model.

Keras replaces a model's weights after its last epoch was logged: ``EarlyStopping(
restore_best_weights=True)`` in ``on_train_end`` (by its own monitor, which need not be the
tuner's objective), and an optimizer built with ``use_ema=True`` when ``fit`` ends (the moving
average). keras-tuner saves the best epoch's weights from inside the epoch, so its
``get_best_models`` reproduce the score; rung must too, and a promoted trial must continue from its
parent's last epoch as trained (3 epochs + promotion to 9 == 9 epochs in one go).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import rung  # noqa: E402
from rung.integrations.keras import restore_state  # noqa: E402
from rung.oracles import SuccessiveHalvingOracle  # noqa: E402

BATCH = 32


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    x = (x / 16).astype("float32")
    return x[:320], y[:320], x[320:480], y[320:480]


def _model(units: int, ema: bool) -> keras.Model:
    keras.utils.set_random_seed(7)  # the same initial weights for the same configuration
    model = keras.Sequential([
        keras.layers.Input((64,)),
        keras.layers.Dense(units, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    optimizer = keras.optimizers.Adam(3e-3, use_ema=ema, ema_momentum=0.9)
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_ema(hp: rung.HyperParameters) -> keras.Model:
    return _model(hp.Choice("units", [8, 12, 16, 20, 24]), ema=True)


def build_plain(hp: rung.HyperParameters) -> keras.Model:
    return _model(hp.Choice("units", [8, 12, 16, 20, 24]), ema=False)


def _restore_first_epoch() -> keras.callbacks.Callback:
    # training loss falls every epoch, so "best" by mode="max" is epoch 1, restored at the end
    return keras.callbacks.EarlyStopping(monitor="loss", mode="max", patience=100,
                                         restore_best_weights=True)


@pytest.mark.parametrize("case", ["use_ema", "restore_best_weights"])
def test_best_models_reproduce_the_score(tmp_path, data, case: str) -> None:
    x, y, xv, yv = data
    build = build_ema if case == "use_ema" else build_plain
    callbacks = [_restore_first_epoch()] if case == "restore_best_weights" else []
    tuner = rung.RandomSearch(build, objective="val_loss", max_trials=2, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    tuner.search(x, y, epochs=3, validation_data=(xv, yv), batch_size=BATCH, shuffle=False,
                 callbacks=callbacks, verbose=0)
    trials = tuner.oracle.get_best_trials(2)
    assert [t.best_step for t in trials] == [2, 2]  # 0-based: the last epoch is the best
    for trial, model in zip(trials, tuner.get_best_models(2), strict=True):
        loss = model.evaluate(xv, yv, batch_size=BATCH, verbose=0)[0]
        assert loss == pytest.approx(trial.score, rel=1e-5)


def _raw_weights_after(hp: rung.HyperParameters, x: np.ndarray, y: np.ndarray,
                       epochs: int) -> list[np.ndarray]:
    """The weights at the end of the last epoch of an uninterrupted fit (before use_ema's
    finalisation replaces them with their moving average)."""
    seen: list[list[np.ndarray]] = []
    grab = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(
        [np.array(w, copy=True) for w in model.get_weights()]))
    model = build_ema(hp)
    model.fit(x, y, epochs=epochs, batch_size=BATCH, shuffle=False, callbacks=[grab], verbose=0)
    return seen[-1]


def test_a_promoted_trial_continues_from_the_trained_weights_not_the_average(
        tmp_path, data) -> None:
    x, y, _, _ = data
    oracle = SuccessiveHalvingOracle(objective="accuracy", max_epochs=9, factor=3, bracket=1,
                                     seed=0)  # rungs: 5 configurations x 3 epochs, best to 9
    tuner = rung.Tuner(oracle, hypermodel=build_ema, directory=tmp_path, project_name="p",
                       verbose=0)
    tuner.search(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    child = next(t for t in oracle.trials.values() if t.parent_id is not None)
    assert (child.initial_epoch, child.epochs) == (3, 9)

    continued = build_ema(child.hyperparameters)
    restore_state(continued, tuner.get_trial_dir(child.trial_id))
    reference = _raw_weights_after(child.hyperparameters, x, y, epochs=9)
    for got, want in zip(continued.get_weights(), reference, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
