"""Keras integration: train keras-tuner hypermodels with rung (``import rung as kt``).

Its names import Keras on first use (install it with ``pip install "rung[keras]"``); ``api``
(keras-tuner's Keras arguments and methods, mixed into ``rung.Tuner``) never imports it. The
tuner calls the integration for you when it is given a ``hypermodel``; see ``runner`` for what a
trial does.

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

import importlib

from rung.integrations.keras.api import (
    DistributionNotice,
    KerasOptions,
    KerasTunerMixin,
    explain_distribution,
)

# name -> module, imported (with Keras) on first use
_LAZY = {
    "import_keras": "_imports",
    "TrialCallback": "callback",
    "CheckpointMismatchError": "checkpoint",
    "restore_state": "checkpoint",
    "save_state": "checkpoint",
    "average_metrics": "results",
    "best_epoch_metrics": "results",
    "fit_result_metrics": "results",
    "EpochsNotice": "runner",
    "build_model": "runner",
    "load_model": "runner",
    "populate_initial_space": "runner",
    "release_keras_state": "session",
    "run_keras_trial": "runner",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        module = importlib.import_module(f"rung.integrations.keras.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'rung.integrations.keras' has no attribute {name!r}")


__all__ = [
    "CheckpointMismatchError",
    "DistributionNotice",
    "EpochsNotice",
    "KerasOptions",
    "KerasTunerMixin",
    "TrialCallback",
    "average_metrics",
    "best_epoch_metrics",
    "build_model",
    "explain_distribution",
    "fit_result_metrics",
    "import_keras",
    "load_model",
    "populate_initial_space",
    "release_keras_state",
    "restore_state",
    "run_keras_trial",
    "save_state",
]
