"""``keras_tuner.tuners.bayesian``: ``BayesianOptimization`` and ``BayesianOptimizationOracle``."""

from __future__ import annotations

from rung.oracles import BayesianOptimizationOracle
from rung.tuner import BayesianOptimization

__all__ = ["BayesianOptimizationOracle", "BayesianOptimization"]
