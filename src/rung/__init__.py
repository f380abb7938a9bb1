"""rung: Hyperband done right — a fast, resumable drop-in for keras-tuner that tunes anything.

``import rung as kt`` runs keras-tuner scripts unchanged; plain training functions work too::

    tuner = rung.Hyperband(run_trial=train, objective="val_loss", max_epochs=27, factor=3)
    tuner.search()
"""

from __future__ import annotations

from rung import engine, errors, executors, oracles, searchers, storage, tuners
from rung.errors import FailedTrialError, FatalError, TrialPruned
from rung.hypermodel import HyperModel
from rung.hyperparameters import HyperParameters
from rung.importers import import_keras_tuner
from rung.objective import MultiObjective, Objective
from rung.oracles import Budget, Suggestion, synchronized
from rung.oracles.custom import CustomOracle as Oracle
from rung.trial import Trial, TrialStatus
from rung.tuner import ASHA, BOHB, BayesianOptimization, GridSearch, Hyperband, RandomSearch, Tuner

__version__ = "0.1.0"

_LAZY = {"SklearnTuner": "rung.integrations.sklearn"}  # heavy imports, loaded on first use
_LAZY_MODULES = {"applications"}  # import Keras: loaded on first use


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(f"rung.{name}")
    raise AttributeError(f"module 'rung' has no attribute {name!r}")


__all__ = [
    "ASHA",
    "BOHB",
    "BayesianOptimization",
    "Budget",
    "FailedTrialError",
    "FatalError",
    "GridSearch",
    "HyperModel",
    "HyperParameters",
    "Hyperband",
    "MultiObjective",
    "Objective",
    "Oracle",
    "RandomSearch",
    "SklearnTuner",
    "Suggestion",
    "Trial",
    "TrialPruned",
    "TrialStatus",
    "Tuner",
    "__version__",
    "applications",
    "engine",
    "errors",
    "executors",
    "import_keras_tuner",
    "oracles",
    "searchers",
    "storage",
    "synchronized",
    "tuners",
]
