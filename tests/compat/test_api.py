"""The rest of keras-tuner's public surface a Keras user touches, with ``import rung as kt``."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential([keras.layers.Input((64,))])
    kind = hp.Choice("kind", ["narrow", "wide"])
    with hp.conditional_scope("kind", ["narrow"]):
        if kind == "narrow":
            model.add(keras.layers.Dense(hp.Int("narrow_units", 8, 32, step=8), activation="relu"))
    with hp.conditional_scope("kind", ["wide"]):
        if kind == "wide":
            model.add(keras.layers.Dense(hp.Int("wide_units", 64, 128, step=32), activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_tuner_with_an_oracle(tmp_path, digits) -> None:
    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("val_accuracy", "max"),
                                           max_trials=4, seed=0)
    tuner = kt.Tuner(oracle=oracle, hypermodel=build_model, directory=tmp_path,
                     project_name="custom", verbose=0)
    # the dry builds declared both conditional branches before the first trial
    assert {p.name for p in oracle.hyperparameters.space} == {"kind", "narrow_units", "wide_units"}
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)

    assert tuner.project_dir == tmp_path / "custom"
    assert set(tuner.oracle.trials) == {"00000", "00001", "00002", "00003"}
    for trial_id, trial in tuner.oracle.trials.items():
        assert trial.trial_id == trial_id and trial.status == kt.TrialStatus.COMPLETED
        assert tuner.get_trial_dir(trial_id).is_dir()
        values = trial.hyperparameters.values
        assert ("narrow_units" in values) == (values["kind"] == "narrow")
        model = tuner.load_model(trial)
        width = model.layers[0].units
        assert width == values.get("narrow_units", values.get("wide_units"))


def test_build_function_must_return_a_model(tmp_path) -> None:
    with pytest.raises(TypeError, match="hypermodel"):
        kt.RandomSearch(hypermodel=42, objective="val_loss", directory=tmp_path, project_name="x")
    with pytest.raises(TypeError, match="built Keras object"):
        kt.RandomSearch(hypermodel=keras.Sequential(), objective="val_loss",
                        directory=tmp_path, project_name="y")
    tuner = kt.RandomSearch(hypermodel=lambda hp: "not a model", objective="val_loss",
                            directory=tmp_path, project_name="z", verbose=0)
    with pytest.raises(kt.errors.FatalTypeError, match="must return a keras.Model"):
        tuner.search()


def test_failed_trial_error_is_not_retried(tmp_path, digits) -> None:
    attempts = []

    def build(hp):
        attempts.append(hp.Int("units", 8, 64))
        if hp["units"] > 32:
            raise kt.errors.FailedTrialError("too wide for this test")
        return build_model(hp)

    tuner = kt.RandomSearch(build, objective="val_accuracy", max_trials=6, seed=0,
                            max_retries_per_trial=2, max_consecutive_failed_trials=6,
                            directory=tmp_path, project_name="f", verbose=0)
    dry = len(attempts)
    tuner.search(digits["x_train"], digits["y_train"], epochs=1,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert len(attempts) - dry == len(trials) == 6  # one attempt each, no retries
    for t in trials:
        assert (t.status == kt.TrialStatus.FAILED) == (t.hyperparameters["units"] > 32)


def test_get_best_models_checks_its_argument(tmp_path) -> None:
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", directory=tmp_path,
                            project_name="g", verbose=0)
    with pytest.raises(ValueError, match="num_models"):
        tuner.get_best_models(0)
    assert tuner.get_best_models(3) == []  # nothing trained yet


def test_keras_modules_export_what_they_name() -> None:
    import importlib

    for name in ["rung.hypermodel", "rung.integrations.keras", "rung.integrations.keras.api"]:
        module = importlib.import_module(name)
        assert module.__all__ and all(hasattr(module, attr) for attr in module.__all__), name
    assert "HyperModel" in kt.__all__ and kt.HyperModel is importlib.import_module(
        "rung.hypermodel").HyperModel
