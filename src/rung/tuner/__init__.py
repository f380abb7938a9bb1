"""Tuners: the thin coordinator and its algorithm front-ends."""

from rung.tuner.base import Tuner
from rung.tuner.frontends import GridSearch, Hyperband, RandomSearch

__all__ = ["GridSearch", "Hyperband", "RandomSearch", "Tuner"]
