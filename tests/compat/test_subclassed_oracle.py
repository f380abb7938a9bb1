"""Subclassing a built-in oracle and overriding ``populate_space``, keras-tuner's way to adjust
an algorithm (``randomsearch_test.py::test_update_space`` in keras-tuner's suite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt


def build_model(hp: Any) -> keras.Model:
    model = keras.Sequential([keras.layers.Input((10,))])
    for i in range(hp.Int("layers", 0, 2)):
        model.add(keras.layers.Dense(hp.Int(f"units_{i}", 2, 4, 2), activation="relu"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile("adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


class TwoLayers(kt.oracles.RandomSearchOracle):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.asked: list[str] = []

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        self.asked.append(trial_id)
        result = super().populate_space(trial_id)
        if result["values"] is not None:
            result["values"]["layers"] = 2
        return result


def test_an_overridden_populate_space_decides_the_trials(tmp_path: Path) -> None:
    oracle = TwoLayers(objective="accuracy", max_trials=3, seed=1)
    tuner = kt.Tuner(oracle=oracle, hypermodel=build_model, directory=tmp_path, verbose=0)
    assert {hp.name for hp in tuner.oracle.get_space().space} == {"layers"}
    x, y = np.ones((10, 10)), np.ones((10, 1))
    tuner.search(x, y, epochs=1, verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 3 and oracle.asked == sorted(t.trial_id for t in trials)
    assert all(t.hyperparameters["layers"] == 2 for t in trials)
    assert {hp.name for hp in tuner.oracle.get_space().space} == {"layers", "units_0", "units_1"}


class Stopper(kt.oracles.RandomSearchOracle):
    def populate_space(self, trial_id: str) -> dict[str, Any]:
        if len(self.trials) >= 2:
            return {"status": "STOPPED"}
        return super().populate_space(trial_id)


def test_an_overridden_populate_space_can_stop_the_search(tmp_path: Path) -> None:
    tuner = kt.Tuner(oracle=Stopper(objective="loss", max_trials=10, seed=0),
                     run_trial=lambda trial: trial.hyperparameters.Float("x", 0, 1),
                     directory=tmp_path, verbose=0)
    tuner.search()
    assert len(tuner.oracle.trials) == 2


class Ordered(kt.Oracle):
    """Reads keras-tuner's ``start_order``/``end_order`` to decide."""

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        self.seen = (list(self.start_order), list(self.end_order))
        return {"status": "RUNNING", "values": {"x": float(len(self.end_order))}}


def test_start_and_end_order_list_the_trial_ids(tmp_path: Path) -> None:
    oracle = Ordered(objective="loss", max_trials=3)
    oracle.hyperparameters.Float("x", 0, 10)
    first = oracle.create_trial("a")
    second = oracle.create_trial("b")
    assert oracle.start_order == [first.trial_id, second.trial_id] and oracle.end_order == []
    oracle.update_trial(second.trial_id, {"loss": 1.0})
    oracle.end_trial(second)
    third = oracle.create_trial("b")
    assert oracle.seen == ([first.trial_id, second.trial_id], [second.trial_id])
    assert third.hyperparameters["x"] == 1.0
    assert oracle.start_order == [first.trial_id, second.trial_id, third.trial_id]


def test_hyperband_factor_error_has_keras_tuners_words() -> None:
    with pytest.raises(ValueError, match="factor needs"):
        kt.oracles.HyperbandOracle(objective=kt.Objective("score", "max"), max_epochs=8,
                                   factor=1)
