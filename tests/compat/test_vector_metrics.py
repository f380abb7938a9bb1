"""A model that logs a metric with a value per class (``keras.metrics.F1Score()``, whose default
``average=None``): the trial is scored as usual and the metric counts as its mean, as in
keras-tuner (before, every trial failed on ``float()`` of the vector)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt
from rung.integrations.keras.results import best_epoch_metrics, metric_value
from rung.objective import create_objective


def _build(hp: Any) -> keras.Model:
    model = keras.Sequential([keras.Input((8,)),
                              keras.layers.Dense(hp.Int("units", 4, 8, step=4), activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.F1Score()])
    return model


@pytest.mark.parametrize("objective", ["val_accuracy", "val_f1_score"])
def test_a_per_class_metric_does_not_fail_the_trials(tmp_path: Path, objective: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 60), 3)
    tuner = kt.RandomSearch(_build, objective=objective, max_trials=2, seed=0,
                            directory=tmp_path, project_name="f1", verbose=0)
    tuner.search(x[:40], y[:40], epochs=2, validation_data=(x[40:], y[40:]), verbose=0)
    trials = list(tuner.oracle.trials.values())
    assert [t.status for t in trials] == ["COMPLETED", "COMPLETED"]
    for t in trials:
        f1 = t.metrics.get_last_value("val_f1_score")
        assert 0.0 <= f1 <= 1.0


def test_a_vector_counts_as_its_mean() -> None:
    assert metric_value(np.array([0.2, 0.4, 0.9])) == pytest.approx(0.5)
    assert metric_value(np.float32(0.25)) == 0.25
    history = {"val_loss": [0.5, 0.3], "f1": [np.array([0.1, 0.3]), np.array([0.5, 0.7])]}
    assert best_epoch_metrics(history, [0, 1], create_objective("val_loss")) == {
        "val_loss": 0.3, "f1": pytest.approx(0.6), "epoch": 2.0}
    with pytest.raises(TypeError):
        metric_value(np.array([]))
