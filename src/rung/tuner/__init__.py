"""Tuners: the thin coordinator (``BaseTuner``), keras-tuner's ``Tuner`` and the algorithm
front-ends."""

from rung.tuner.base import BaseTuner
from rung.tuner.bayesian import BayesianOptimization
from rung.tuner.bohb import BOHB
from rung.tuner.frontends import ASHA, GridSearch, Hyperband, RandomSearch, Tuner

__all__ = ["ASHA", "BOHB", "BaseTuner", "BayesianOptimization", "GridSearch", "Hyperband",
           "RandomSearch", "Tuner"]
