"""rung: Hyperband done right — a fast, resumable drop-in for keras-tuner that tunes anything.

``import rung as kt`` runs keras-tuner scripts unchanged; plain training functions work too::

    tuner = rung.Hyperband(run_trial=train, objective="val_loss", max_epochs=27, factor=3)
    tuner.search()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rung._lazy import lazy_exports

if TYPE_CHECKING:
    from rung import engine, errors, executors, oracles, searchers, storage, tuners
    from rung.errors import FailedTrialError, FatalError, TrialPruned
    from rung.hypermodel import HyperModel
    from rung.hyperparameters import HyperParameters
    from rung.importers import import_keras_tuner
    from rung.integrations.sklearn import SklearnTuner
    from rung.objective import MultiObjective, Objective
    from rung.oracles import Budget, Suggestion, synchronized
    from rung.oracles.custom import CustomOracle as Oracle
    from rung.trial import Trial, TrialStatus
    from rung.tuner import (
        ASHA,
        BOHB,
        BayesianOptimization,
        GridSearch,
        Hyperband,
        RandomSearch,
        Tuner,
    )

__version__ = "0.1.0"

# every name is imported on first use (rung._lazy): `python -m rung status` imports only what the
# command reads a project with; submodules (engine, oracles, applications...) load the same way
if not TYPE_CHECKING:  # type checkers read the imports above; no catch-all __getattr__
    __getattr__, __dir__ = lazy_exports(__name__, {
        **{name: "rung.errors" for name in ("FailedTrialError", "FatalError", "TrialPruned")},
        "HyperModel": "rung.hypermodel",
        "HyperParameters": "rung.hyperparameters",
        "import_keras_tuner": "rung.importers",
        "SklearnTuner": "rung.integrations.sklearn",  # imports scikit-learn
        "MultiObjective": "rung.objective",
        "Objective": "rung.objective",
        **{name: "rung.oracles" for name in ("Budget", "Suggestion", "synchronized")},
        "Oracle": "rung.oracles.custom:CustomOracle",
        "Trial": "rung.trial",
        "TrialStatus": "rung.trial",
        **{name: "rung.tuner" for name in ("ASHA", "BOHB", "BayesianOptimization", "GridSearch",
                                           "Hyperband", "RandomSearch", "Tuner")},
    })

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
