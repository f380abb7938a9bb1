"""Exceptions in a Keras trial's build, fit and callbacks: that trial fails with its error
recorded, the others complete, the search finishes and the project is intact."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fault_project import assert_intact  # noqa: E402

import rung  # noqa: E402
from rung.trial_record import TrialStatus  # noqa: E402

X = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
Y = (X.sum(axis=1) > 0).astype("float32")


class Model(rung.HyperModel):
    """A tiny model; ``fault`` says where the second trial breaks."""

    def __init__(self, fault: str) -> None:
        super().__init__()
        self.fault = fault
        self.builds = 0

    def build(self, hp: rung.HyperParameters) -> keras.Model:
        self.builds += 1
        if self.fault == "build" and hp.values.get("units") == 4:
            raise ValueError("build failed: no layer for 4 units")
        model = keras.Sequential([keras.layers.Input((4,)),
                                  keras.layers.Dense(hp.Choice("units", [2, 4, 8])),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile("sgd", "binary_crossentropy")
        return model

    def fit(self, hp: rung.HyperParameters, model: keras.Model, *args: Any,
            **kwargs: Any) -> Any:
        if self.fault == "fit" and hp.values["units"] == 4:
            raise RuntimeError("fit failed: out of memory (simulated)")
        return model.fit(*args, **kwargs)


class Breaks(keras.callbacks.Callback):
    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self.model.layers[0].units == 4:
            raise RuntimeError("callback failed at the end of an epoch")


@pytest.mark.parametrize(("fault", "error"), [
    ("build", "ValueError: build failed: no layer for 4 units"),
    ("fit", "RuntimeError: fit failed: out of memory (simulated)"),
    ("callback", "RuntimeError: callback failed at the end of an epoch"),
])
def test_an_exception_in_build_fit_or_a_callback_fails_only_that_trial(
        tmp_path: Path, fault: str, error: str) -> None:
    hp = rung.HyperParameters()
    hp.Choice("units", [2, 4, 8])
    tuner = rung.GridSearch(hypermodel=Model(fault), objective="loss", hyperparameters=hp,
                            directory=tmp_path, project_name="p", verbose=0)
    callbacks = [Breaks()] if fault == "callback" else []
    tuner.search(X, Y, epochs=2, batch_size=16, verbose=0, callbacks=callbacks)
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    assert len(trials) == 3
    by_units = {t.values["units"]: t for t in trials}
    assert by_units[4].status is TrialStatus.FAILED
    assert error in (by_units[4].error or "") and "Traceback" in (by_units[4].error or "")
    assert by_units[2].status is by_units[8].status is TrialStatus.COMPLETED
    assert tuner.get_best_hyperparameters(1)[0].values["units"] in (2, 8)
