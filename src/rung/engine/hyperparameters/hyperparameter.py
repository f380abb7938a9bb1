"""``keras_tuner.engine.hyperparameters.hyperparameter``: the base class of hyperparameters."""

from __future__ import annotations

from rung.hyperparameters import HyperParameter

__all__ = ["HyperParameter"]
