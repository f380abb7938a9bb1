"""keras-tuner's ``keras_tuner.engine`` module paths, for scripts that import from them.

Each submodule re-exports rung's classes under keras-tuner's module name (``from
keras_tuner.engine import trial`` becomes ``from rung.engine import trial``): ``base_tuner``,
``conditions``, ``hypermodel``, ``hyperparameters``, ``metrics_tracking``, ``objective``,
``oracle``, ``trial`` and ``tuner``.
"""

from __future__ import annotations

from rung.engine import (
    base_tuner,
    conditions,
    hypermodel,
    hyperparameters,
    metrics_tracking,
    objective,
    oracle,
    trial,
    tuner,
)

__all__ = ["base_tuner", "conditions", "hypermodel", "hyperparameters", "metrics_tracking",
           "objective", "oracle", "trial", "tuner"]
