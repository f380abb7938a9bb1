"""keras-tuner's "Tailor the search space" guide: restricting the space, overriding compile."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential()
    model.add(keras.layers.Input((64,)))
    model.add(keras.layers.Dense(units=hp.Int("units", min_value=32, max_value=128, step=32),
                                 activation=hp.Choice("activation", ["relu", "tanh"])))
    if hp.Boolean("dropout"):
        model.add(keras.layers.Dropout(rate=0.25))
    model.add(keras.layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_tune_only_the_learning_rate(tmp_path, digits) -> None:
    hp = kt.HyperParameters()
    hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    tuner = kt.RandomSearch(build_model, hyperparameters=hp, tune_new_entries=False,
                            objective="val_accuracy", max_trials=3, seed=0,
                            directory=tmp_path, project_name="lr_only", verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    values = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert len({v["lr"] for v in values}) == 3  # the declared one is tuned
    for v in values:  # the others stay at their defaults
        assert (v["units"], v["activation"], v["dropout"]) == (32, "relu", False)


def test_fix_a_hyperparameter(tmp_path, digits) -> None:
    hp = kt.HyperParameters()
    hp.Fixed("units", value=64)
    tuner = kt.RandomSearch(build_model, hyperparameters=hp, objective="val_accuracy",
                            max_trials=3, seed=0, directory=tmp_path, project_name="fixed",
                            verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    values = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert {v["units"] for v in values} == {64}
    assert len({v["lr"] for v in values}) == 3  # the rest is tuned


def test_new_entries_not_allowed(tmp_path) -> None:
    hp = kt.HyperParameters()
    hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    with pytest.raises(ValueError, match="allow_new_entries"):
        kt.RandomSearch(build_model, hyperparameters=hp, allow_new_entries=False,
                        objective="val_accuracy", max_trials=1, directory=tmp_path,
                        project_name="strict", verbose=0)


def test_override_compilation_arguments(tmp_path, digits) -> None:
    used = []

    class Spy(kt.RandomSearch):
        def on_epoch_end(self, trial, model, epoch, logs=None):
            used.append((type(model.optimizer).__name__,
                         float(model.optimizer.learning_rate), sorted(logs)))

    tuner = Spy(build_model, optimizer=keras.optimizers.SGD(learning_rate=0.05),
                loss="sparse_categorical_crossentropy",
                metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")],
                objective="val_acc", max_trials=2, directory=tmp_path, project_name="override",
                verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert len(used) == 2
    for name, lr, logs in used:
        assert (name, lr) == ("SGD", pytest.approx(0.05))
        assert "val_acc" in logs and "val_accuracy" not in logs
    assert all(0.0 < t.score <= 1.0 for t in tuner.oracle.trials.values())


def test_max_model_size_fails_big_models(tmp_path, digits) -> None:
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=8, seed=0,
                            max_model_size=3000, max_consecutive_failed_trials=10,  # units=32: 2410
                            directory=tmp_path, project_name="size", verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    units = {t.hyperparameters.values["units"] for t in tuner.oracle.trials.values()}
    assert 32 in units and len(units) > 1  # both small and oversized models were tried
    for t in tuner.oracle.trials.values():
        small = t.hyperparameters.values["units"] == 32
        assert (t.status == kt.TrialStatus.COMPLETED) == small
        assert tuner.storage.get_trial(t.trial_id).attempts <= 1  # FailedTrialError: no retry


def test_new_entries_not_allowed_is_keras_tuners_runtime_error(tmp_path) -> None:
    hp = kt.HyperParameters()
    hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    with pytest.raises(RuntimeError, match="`allow_new_entries` is `False`"):
        kt.RandomSearch(build_model, hyperparameters=hp, allow_new_entries=False,
                        objective="val_accuracy", max_trials=1, directory=tmp_path,
                        project_name="strict_runtime", verbose=0)


def test_static_space_is_the_given_one(tmp_path, digits) -> None:
    def build_static(hp: kt.HyperParameters) -> keras.Model:
        model = keras.Sequential([keras.layers.Input((64,)),
                                  keras.layers.Dense(hp.get("units"), activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.Adam(hp.get("lr")),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    hp = kt.HyperParameters()
    hp.Int("units", 8, 16, step=8)
    hp.Choice("lr", [0.01, 0.001])
    tuner = kt.RandomSearch(build_static, hyperparameters=hp, allow_new_entries=False,
                            objective="val_accuracy", max_trials=3, seed=0,
                            directory=tmp_path, project_name="static", verbose=0)
    assert tuner.oracle.hyperparameters == hp
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert len(tuner.oracle.trials) == 3
    assert tuner.oracle.hyperparameters == hp  # nothing was added


def test_untuned_new_entries_stay_out_of_the_space(tmp_path, digits) -> None:
    hp = kt.HyperParameters()
    hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    tuner = kt.RandomSearch(build_model, hyperparameters=hp, tune_new_entries=False,
                            objective="val_accuracy", max_trials=2, seed=0,
                            directory=tmp_path, project_name="lr_space", verbose=0)
    assert [p.name for p in tuner.oracle.hyperparameters.space] == ["lr"]
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert [p.name for p in tuner.oracle.hyperparameters.space] == ["lr"]
    for trial in tuner.oracle.trials.values():  # each trial still records what it used
        assert {"lr", "units", "activation", "dropout"} <= set(trial.hyperparameters.values)


class Untunable(kt.HyperModel):
    def build(self, hp: kt.HyperParameters) -> keras.Model:
        return build_model(hp)


def test_an_untunable_hypermodel_adds_nothing_to_the_space(tmp_path, digits) -> None:
    """keras-tuner's ``HyperModel(tunable=False)``: its build works on a copy of ``hp``, so
    only hyperparameters declared in advance are tuned and the rest keep their defaults (with
    none declared, the space is empty and one trial runs, as keras-tuner does)."""
    hp = kt.HyperParameters()
    assert isinstance(Untunable(tunable=False).build(hp), keras.Model) and hp.values == {}
    hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log")
    tuner = kt.RandomSearch(Untunable(tunable=False), hyperparameters=hp,
                            objective="val_accuracy", max_trials=3, seed=0,
                            directory=tmp_path, project_name="untunable", verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert [p.name for p in tuner.oracle.hyperparameters.space] == ["lr"]
    values = [t.hyperparameters.values for t in tuner.oracle.trials.values()]
    assert len({v["lr"] for v in values}) == 3 and all(set(v) == {"lr"} for v in values)
    alone = kt.RandomSearch(Untunable(tunable=False), objective="val_accuracy", max_trials=3,
                            directory=tmp_path, project_name="untunable_alone", verbose=0)
    alone.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert len(alone.oracle.trials) == 1 and not alone.oracle.hyperparameters.space
