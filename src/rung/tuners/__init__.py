"""keras-tuner's ``keras_tuner.tuners`` module paths: the tuners, and one submodule per algorithm
(``randomsearch``, ``hyperband``, ``gridsearch``, ``bayesian``, ``sklearn_tuner``) holding its
tuner and its oracle, as keras-tuner's do."""

from __future__ import annotations

from rung.tuner import BayesianOptimization, GridSearch, Hyperband, RandomSearch, Tuner
from rung.tuners import bayesian, gridsearch, hyperband, randomsearch


def __getattr__(name: str) -> object:
    if name in ("SklearnTuner", "sklearn_tuner"):  # imports scikit-learn: loaded on first use
        import importlib

        module = importlib.import_module("rung.tuners.sklearn_tuner")
        return module if name == "sklearn_tuner" else module.SklearnTuner
    raise AttributeError(f"module 'rung.tuners' has no attribute {name!r}")


__all__ = ["BayesianOptimization", "GridSearch", "Hyperband", "RandomSearch", "SklearnTuner",
           "Tuner", "bayesian", "gridsearch", "hyperband", "randomsearch"]
