"""``tuner.save()``, ``tuner.reload()``, ``get_state()``/``set_state()``, and loading models whose
checkpoints ``keep_checkpoints`` deleted."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import pytest

import rung as kt
from rung.errors import CheckpointMissingError


def objective(trial: kt.Trial) -> float:
    return (trial.hyperparameters.Float("x", -1.0, 1.0) - 0.25) ** 2


def random_search(tmp_path: Path, max_trials: int = 4, **kwargs: object) -> kt.RandomSearch:
    return kt.RandomSearch(run_trial=objective, objective="loss", max_trials=max_trials, seed=0,
                           directory=tmp_path, project_name="p", verbose=0, **kwargs)


def test_reload_reads_what_another_tuner_added(tmp_path: Path) -> None:
    watcher = random_search(tmp_path)  # opened before anything ran
    random_search(tmp_path).search()
    assert watcher.oracle.trials == {}
    watcher.reload()
    assert len(watcher.oracle.trials) == 4
    assert watcher.get_best_hyperparameters()[0].values == \
        random_search(tmp_path).get_best_hyperparameters()[0].values
    assert watcher.remaining_trials == 0


def test_save_keeps_changes_made_between_trials(tmp_path: Path) -> None:
    tuner = random_search(tmp_path, max_trials=2)
    tuner.search()
    space = tuner.oracle.get_space()
    space.Int("units", 8, 64)
    tuner.oracle.update_space(space)
    tuner.save()
    reopened = random_search(tmp_path, max_trials=2)
    assert [p.name for p in reopened.oracle.get_space().space] == ["x", "units"]


def test_tuner_state_round_trip(tmp_path: Path) -> None:
    tuner = random_search(tmp_path / "a", max_trials=2)
    tuner.search()
    state = tuner.get_state()
    assert json.loads(json.dumps(state)) == state  # JSON data
    other = random_search(tmp_path / "b", max_trials=2)
    other.set_state(state)
    assert other.oracle.get_state() == tuner.oracle.get_state()
    with pytest.raises(TypeError, match="tuner.get_state"):
        other.set_state({"something": 1})


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential([
        keras.layers.Input((64,)),
        keras.layers.Dense(hp.Int("units", 8, 32, step=8), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_a_deleted_checkpoint_is_explained(tmp_path: Path, digits: dict) -> None:
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=3, seed=1,
                            directory=tmp_path, project_name="keep", keep_checkpoints="best")
    tuner.search(digits["x_train"], digits["y_train"], epochs=1, verbose=0,
                 validation_data=(digits["x_val"], digits["y_val"]))
    assert len(tuner.get_best_models(1)) == 1  # the best one is kept
    with pytest.raises(CheckpointMissingError) as caught:
        tuner.get_best_models(2)
    message = str(caught.value)
    assert "deleted by keep_checkpoints" in message
    assert "keep_checkpoints='all'" in message and "get_best_models(num_models=1)" in message
    second = tuner.oracle.get_best_trials(2)[1]
    with pytest.raises(CheckpointMissingError, match=f"checkpoint of trial {second.trial_id}"):
        tuner.load_model(second)
    assert isinstance(caught.value, FileNotFoundError)  # still caught by `except OSError` code
    model = build_model(second.hyperparameters)  # what the message says to do instead
    assert model.count_params() > 0


def test_all_checkpoints_kept_when_asked(tmp_path: Path, digits: dict) -> None:
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=2, seed=1,
                            directory=tmp_path, project_name="all", keep_checkpoints="all")
    tuner.search(digits["x_train"], digits["y_train"], epochs=1, verbose=0,
                 validation_data=(digits["x_val"], digits["y_val"]))
    assert len(tuner.get_best_models(2)) == 2
