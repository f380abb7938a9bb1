"""Reloading a project with ``overwrite=False``: a finished search re-runs nothing, an interrupted
one continues, and best models load in a new tuner (keras-tuner's reload workflow)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402

BUILDS = {"count": 0, "explode_at": None}


def build_model(hp: kt.HyperParameters) -> keras.Model:
    BUILDS["count"] += 1
    if BUILDS["explode_at"] is not None and BUILDS["count"] >= BUILDS["explode_at"]:
        raise kt.errors.FatalError("simulated crash of the process")
    model = keras.Sequential([
        keras.layers.Input((64,)),
        keras.layers.Dense(hp.Int("units", 16, 128, step=16), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(hp.Choice("lr", [1e-2, 3e-3, 1e-3])),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class Counting(kt.Hyperband):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.begun: list[str] = []

    def on_trial_begin(self, trial):
        self.begun.append(trial.trial_id)


def make(tmp_path, **kwargs) -> Counting:
    return Counting(build_model, objective="val_accuracy", max_epochs=3, factor=3, seed=0,
                    directory=tmp_path, project_name="reload", verbose=0, **kwargs)


def search(tuner, digits) -> None:
    tuner.search(digits["x_train"][:480], digits["y_train"][:480], batch_size=64,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)


@pytest.fixture(autouse=True)
def _reset_builds():
    BUILDS.update(count=0, explode_at=None)


def test_finished_project_reruns_nothing(tmp_path, digits) -> None:
    first = make(tmp_path)
    search(first, digits)
    planned = first.oracle.budget().jobs
    assert len(first.begun) == planned == 6  # brackets 3x1 -> 1x3 and 2x3
    best = first.oracle.get_best_trials(1)[0]

    again = make(tmp_path)  # overwrite=False is the default
    search(again, digits)
    assert again.begun == []  # nothing re-run
    assert again.remaining_trials == 0
    assert len(again.oracle.trials) == planned
    reloaded_best = again.oracle.get_best_trials(1)[0]
    assert (reloaded_best.trial_id, reloaded_best.score) == (best.trial_id, best.score)
    model = again.get_best_models(1)[0]  # a new tuner loads the stored checkpoint
    _, val_acc = model.evaluate(digits["x_val"], digits["y_val"], verbose=0)
    assert val_acc == pytest.approx(best.score, abs=1e-6)

    fresh = make(tmp_path, overwrite=True)
    assert fresh.oracle.trials == {} and fresh.remaining_trials == planned


def test_interrupted_search_continues(tmp_path, digits) -> None:
    first = make(tmp_path)
    BUILDS["explode_at"] = BUILDS["count"] + 4  # the 4th job's build crashes the search: the
    with pytest.raises(kt.errors.FatalError):  # promotion continuing a rung-0 checkpoint
        search(first, digits)
    done = dict(first.oracle.trials)
    assert len(done) == 3

    BUILDS["explode_at"] = None
    second = make(tmp_path)
    search(second, digits)
    assert len(second.oracle.trials) == 6
    assert second.begun[0] == first.begun[-1]  # the interrupted job is re-run first...
    assert second.oracle.trials[second.begun[0]].parent_id in done  # (a promotion)
    assert not set(second.begun) & set(done)  # ...and no finished one
    for trial_id, trial in done.items():
        assert second.oracle.trials[trial_id].score == trial.score


def test_changed_settings_are_an_error_not_ignored(tmp_path, digits) -> None:
    make(tmp_path)
    with pytest.raises(ValueError, match="max_epochs"):
        Counting(build_model, objective="val_accuracy", max_epochs=27, factor=3,
                 directory=tmp_path, project_name="reload", verbose=0)
