"""Keras integration: train keras-tuner hypermodels with rung (``import rung as kt``).

Importing this package imports Keras (install it with ``pip install "rung[keras]"``). The tuner
calls it for you when it is given a ``hypermodel``; see ``runner`` for what a trial does.

Example::

    import rung as kt

    def build_model(hp):
        model = keras.Sequential([
            keras.layers.Input((64,)),
            keras.layers.Dense(hp.Int("units", 32, 256, step=32), activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    tuner = kt.Hyperband(build_model, objective="val_accuracy", max_epochs=27, factor=3)
    tuner.search(x, y, validation_split=0.2)
    best = tuner.get_best_models(1)[0]
"""

from __future__ import annotations

from rung.integrations.keras._imports import import_keras
from rung.integrations.keras.callback import TrialCallback
from rung.integrations.keras.checkpoint import CheckpointMismatchError, restore_state, save_state
from rung.integrations.keras.results import (
    average_metrics,
    best_epoch_metrics,
    fit_result_metrics,
)
from rung.integrations.keras.runner import (
    EpochsNotice,
    build_model,
    load_model,
    populate_initial_space,
    release_keras_state,
    run_keras_trial,
)

__all__ = [
    "CheckpointMismatchError",
    "EpochsNotice",
    "TrialCallback",
    "average_metrics",
    "best_epoch_metrics",
    "build_model",
    "fit_result_metrics",
    "import_keras",
    "load_model",
    "populate_initial_space",
    "release_keras_state",
    "restore_state",
    "run_keras_trial",
    "save_state",
]
