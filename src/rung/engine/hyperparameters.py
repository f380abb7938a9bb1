"""``keras_tuner.engine.hyperparameters``: rung's hyperparameters (``rung.hyperparameters``)."""

from __future__ import annotations

from rung.hyperparameters import *  # noqa: F403 - this module is that one under another name
from rung.hyperparameters import __all__  # noqa: F401
