"""Oracles decide when and how long each configuration trains (see ``rung.oracles.base``)."""

from rung.oracles.asha import ASHAOracle
from rung.oracles.base import Oracle, Suggestion
from rung.oracles.bayesian import BayesianOptimizationOracle
from rung.oracles.bohb import BOHBOracle
from rung.oracles.custom import CustomOracle
from rung.oracles.hyperband import HyperbandOracle, SuccessiveHalvingOracle
from rung.oracles.plan import plan_from_settings
from rung.oracles.schedule import BracketPlan, Budget, RungPlan, hyperband_plan, integer_log
from rung.oracles.single import GridSearchOracle, RandomSearchOracle, SingleFidelityOracle
from rung.oracles.sync import synchronized

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
    "Suggestion",
    "SuccessiveHalvingOracle",
    "hyperband_plan",
    "integer_log",
    "plan_from_settings",
    "synchronized",
]
