"""keras-tuner's ``keras_tuner.engine`` module paths, for scripts that import from them.

Each submodule re-exports rung's classes under keras-tuner's module name: ``hyperparameters``,
``hypermodel``, ``trial``, ``tuner``, ``base_tuner``, ``oracle``, ``objective`` and
``metrics_tracking``.
"""

from __future__ import annotations

from rung.engine import (
    base_tuner,
    hypermodel,
    hyperparameters,
    metrics_tracking,
    objective,
    oracle,
    trial,
    tuner,
)

__all__ = ["base_tuner", "hypermodel", "hyperparameters", "metrics_tracking", "objective",
           "oracle", "trial", "tuner"]
