"""``keras_tuner.tuners.gridsearch``: ``GridSearch`` and ``GridSearchOracle``."""

from __future__ import annotations

from rung.oracles import GridSearchOracle
from rung.tuner import GridSearch

__all__ = ["GridSearchOracle", "GridSearch"]
