"""Tuners: the thin coordinator and its algorithm front-ends."""

from rung.tuner.base import Tuner
from rung.tuner.bayesian import BayesianOptimization
from rung.tuner.bohb import BOHB
from rung.tuner.frontends import ASHA, GridSearch, Hyperband, RandomSearch

__all__ = ["ASHA", "BOHB", "BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "Tuner"]
