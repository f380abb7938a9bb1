"""Hyperparameters and the define-by-run search space (keras-tuner compatible)."""

from __future__ import annotations

from rung.hyperparameters.base import Condition, HyperParameter, values_key
from rung.hyperparameters.compat import deserialize, serialize
from rung.hyperparameters.discrete import Boolean, Choice, Fixed
from rung.hyperparameters.numeric import Float, Int
from rung.hyperparameters.space import HyperParameters

__all__ = [
    "Boolean",
    "Choice",
    "Condition",
    "Fixed",
    "Float",
    "HyperParameter",
    "HyperParameters",
    "Int",
    "deserialize",
    "serialize",
    "values_key",
]
