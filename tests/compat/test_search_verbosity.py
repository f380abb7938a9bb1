"""``search(verbose=0)`` prints nothing at all, as in keras-tuner (issue 10, point 11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt


def build_model(hp: Any) -> keras.Model:
    model = keras.Sequential([
        keras.layers.Input((4,)),
        keras.layers.Dense(hp.Int("units", 2, 8, step=2), activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.SGD(hp.Float("lr", 1e-3, 1e-1, sampling="log")),
                  loss="mse", metrics=["mae"])
    return model


def test_search_verbose_0_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.RandomSearch(build_model, objective="val_mae", max_trials=2,
                            executions_per_trial=2, directory=tmp_path, project_name="quiet")
    tuner.search(x, y, epochs=2, validation_data=(x, y), verbose=0)
    assert capsys.readouterr().out == ""
    assert len(tuner.oracle.trials) == 2


def test_search_verbose_0_with_failing_trials_prints_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    attempts: list[int] = []

    class Flaky(kt.Tuner):
        def run_trial(self, trial: kt.engine.trial.Trial, *args: Any, **kwargs: Any) -> float:
            attempts.append(1)
            if len(attempts) == 1:
                raise ValueError("first attempt fails")
            return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = Flaky(oracle=kt.oracles.RandomSearchOracle(objective="loss", max_trials=2, seed=0,
                                                    max_retries_per_trial=1),
                  directory=tmp_path, project_name="flaky")
    tuner.search(verbose=0)
    assert capsys.readouterr().out == ""
    assert len(attempts) == 3  # the failed attempt was retried, silently
