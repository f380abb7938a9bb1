"""``load_model`` and ``get_best_models`` of a tuner that trains a function: what the trial saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rung
from rung.errors import CheckpointMissingError
from rung.validation import ArgumentTypeError


def train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    state = trial.load_checkpoint() or {"x": x, "epochs": []}
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        state["epochs"].append(epoch)
    trial.save_checkpoint(state)
    return {"loss": (x - 0.3) ** 2 + 1.0 / trial.epochs}


def make(tmp_path: Path, run_trial: Any = train, **kwargs: Any) -> rung.Hyperband:
    return rung.Hyperband(run_trial=run_trial, objective="loss", max_epochs=9, factor=3, seed=0,
                          directory=tmp_path, project_name="p", verbose=0, **kwargs)


def test_best_models_are_what_the_best_trials_saved(tmp_path: Path) -> None:
    tuner = make(tmp_path)
    tuner.search()
    best = tuner.oracle.get_best_trials(3)
    models = tuner.get_best_models(3)
    assert [m["x"] for m in models] == [t.hyperparameters.values["x"] for t in best]
    # a promoted trial's model holds its whole training, its parents' epochs included
    assert models[0]["epochs"] == list(range(1, best[0].epochs + 1))
    assert tuner.load_model(best[1]) == models[1]


def test_a_trial_that_saved_nothing_has_no_model(tmp_path: Path) -> None:
    def no_save(trial: rung.Trial) -> dict[str, float]:
        return {"loss": trial.hyperparameters.Float("x", 0.0, 1.0)}

    tuner = make(tmp_path, no_save)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    with pytest.raises(CheckpointMissingError, match=rf"trial {best.trial_id} .*saved none"):
        tuner.load_model(best)


def test_a_model_deleted_by_keep_checkpoints_says_so(tmp_path: Path) -> None:
    tuner = make(tmp_path, keep_checkpoints=1)
    tuner.search()
    assert tuner.get_best_models(1)[0]["x"] == tuner.get_best_hyperparameters(1)[0].values["x"]
    second = tuner.oracle.get_best_trials(2)[1]
    with pytest.raises(CheckpointMissingError, match=r"deleted by keep_checkpoints.*keep_checkpoints=1"):
        tuner.load_model(second)


def test_load_model_wants_a_trial(tmp_path: Path) -> None:
    tuner = make(tmp_path)
    with pytest.raises(ArgumentTypeError, match=r"trial.*rung\.Trial.*'0'"):
        tuner.load_model("0")  # type: ignore[arg-type]
