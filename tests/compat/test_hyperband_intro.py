"""keras-tuner's "Introduction to the Keras Tuner" (Hyperband) tutorial, with ``import rung as kt``."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402
from rung.integrations.keras import EpochsNotice  # noqa: E402


def model_builder(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential()
    model.add(keras.layers.Input((64,)))
    hp_units = hp.Int("units", min_value=16, max_value=128, step=16)
    model.add(keras.layers.Dense(units=hp_units, activation="relu"))
    model.add(keras.layers.Dense(10))
    hp_learning_rate = hp.Choice("learning_rate", values=[1e-2, 3e-3, 1e-3])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=hp_learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def test_hyperband_tutorial(tmp_path, digits, capsys) -> None:
    tuner = kt.Hyperband(model_builder, objective="val_accuracy", max_epochs=9, factor=3,
                         seed=0, directory=tmp_path, project_name="intro_to_kt")
    stop_early = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
    with pytest.warns(EpochsNotice, match="max_epochs=9") as notices:
        tuner.search(digits["x_train"], digits["y_train"], epochs=50, validation_split=0.2,
                     callbacks=[stop_early], verbose=0)
    # explained once, not once per trial
    assert len([w for w in notices if issubclass(w.category, EpochsNotice)]) == 1

    assert capsys.readouterr().out == ""  # search(verbose=0) prints nothing, as in keras-tuner
    assert "planned: 22 jobs, 69 epochs" in tuner.oracle.budget().describe()

    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 22
    plan = tuner.oracle.budget()
    assert sum(t.epochs - t.initial_epoch for t in trials) == plan.epochs
    promoted = [t for t in trials if t.parent_id is not None]
    assert promoted and all(t.initial_epoch > 0 for t in promoted)
    for child in promoted:  # a promotion keeps its configuration and continues its parent
        parent = tuner.oracle.trials[child.parent_id]
        assert parent.epochs == child.initial_epoch
        assert parent.hyperparameters.values == child.hyperparameters.values
    # what each job trained is in storage: the Keras epochs initial_epoch+1 .. epochs
    for t in trials:
        epochs = [e for e, _ in tuner.storage.epoch_metrics(t.trial_id)]
        assert epochs == list(range(t.initial_epoch + 1, t.epochs + 1))

    best_hps = tuner.get_best_hyperparameters(num_trials=1)[0]
    assert best_hps.get("units") in range(16, 129, 16)
    assert best_hps.get("learning_rate") in (1e-2, 3e-3, 1e-3)

    best_model = tuner.get_best_models(1)[0]
    _, test_acc = best_model.evaluate(digits["x_test"], digits["y_test"], verbose=0)
    assert test_acc > 0.9

    # the tutorial then retrains the best configuration to find the best epoch
    model = tuner.hypermodel.build(best_hps)
    history = model.fit(digits["x_train"], digits["y_train"], epochs=6, validation_split=0.2,
                        verbose=0)
    val_acc_per_epoch = history.history["val_accuracy"]
    best_epoch = val_acc_per_epoch.index(max(val_acc_per_epoch)) + 1
    assert 1 <= best_epoch <= 6


def test_hyperband_rejects_max_trials(tmp_path) -> None:
    with pytest.raises(ValueError, match="max_trials"):
        kt.Hyperband(model_builder, objective="val_accuracy", max_trials=5,
                     directory=tmp_path, project_name="p")


def test_factor_below_two_is_an_error(tmp_path) -> None:
    with pytest.raises(ValueError, match="factor"):
        kt.Hyperband(model_builder, objective="val_accuracy", max_epochs=9, factor=1,
                     directory=tmp_path, project_name="p")
