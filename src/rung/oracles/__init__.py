"""Oracles decide when and how long each configuration trains (see ``rung.oracles.base``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rung._lazy import lazy_exports

if TYPE_CHECKING:
    from rung.oracles.asha import ASHAOracle
    from rung.oracles.base import Oracle, Suggestion
    from rung.oracles.bayesian import BayesianOptimizationOracle
    from rung.oracles.bohb import BOHBOracle
    from rung.oracles.custom import CustomOracle
    from rung.oracles.hyperband import HyperbandOracle
    from rung.oracles.plan import plan_from_settings
    from rung.oracles.schedule import BracketPlan, Budget, RungPlan, hyperband_plan, integer_log
    from rung.oracles.single import GridSearchOracle, RandomSearchOracle, SingleFidelityOracle
    from rung.oracles.stop import Stop, StopKind
    from rung.oracles.successive_halving import SuccessiveHalvingOracle
    from rung.oracles.sync import synchronized

# imported on first use (rung._lazy): `rung status` reads the plan arithmetic (plan, schedule)
# without the oracles, which import numpy
if not TYPE_CHECKING:  # type checkers read the imports above; no catch-all __getattr__
    __getattr__, __dir__ = lazy_exports(__name__, {
        "ASHAOracle": "rung.oracles.asha",
        "Oracle": "rung.oracles.base",
        "Suggestion": "rung.oracles.base",
        "BayesianOptimizationOracle": "rung.oracles.bayesian",
        "BOHBOracle": "rung.oracles.bohb",
        "CustomOracle": "rung.oracles.custom",
        "HyperbandOracle": "rung.oracles.hyperband",
        "SuccessiveHalvingOracle": "rung.oracles.successive_halving",
        "plan_from_settings": "rung.oracles.plan",
        **{name: "rung.oracles.schedule" for name in ("BracketPlan", "Budget", "RungPlan",
                                                      "hyperband_plan", "integer_log")},
        **{name: "rung.oracles.single" for name in ("GridSearchOracle", "RandomSearchOracle",
                                                    "SingleFidelityOracle")},
        "Stop": "rung.oracles.stop",
        "StopKind": "rung.oracles.stop",
        "synchronized": "rung.oracles.sync",
    })

__all__ = [
    "ASHAOracle",
    "BOHBOracle",
    "BayesianOptimizationOracle",
    "BracketPlan",
    "Budget",
    "CustomOracle",
    "GridSearchOracle",
    "HyperbandOracle",
    "Oracle",
    "RandomSearchOracle",
    "RungPlan",
    "SingleFidelityOracle",
    "Stop",
    "StopKind",
    "Suggestion",
    "SuccessiveHalvingOracle",
    "hyperband_plan",
    "integer_log",
    "plan_from_settings",
    "synchronized",
]
