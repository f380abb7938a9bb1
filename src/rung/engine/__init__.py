"""keras-tuner's ``keras_tuner.engine`` module paths, for scripts that import from them.

Each submodule re-exports rung's classes under keras-tuner's module name (``from
keras_tuner.engine import trial`` becomes ``from rung.engine import trial``).
"""

from __future__ import annotations

from rung.engine import conditions, hyperparameters, metrics_tracking, objective, trial

__all__ = ["conditions", "hyperparameters", "metrics_tracking", "objective", "trial"]
