"""``keras_tuner.engine.hyperparameters``: rung's hyperparameters (``rung.hyperparameters``).

A package, as in keras-tuner: ``keras_tuner.engine.hyperparameters.hp_types`` (the classes of the
single hyperparameters) and ``.hyperparameter`` (their base class) are
``rung.engine.hyperparameters.hp_types`` and ``.hyperparameter``.
"""

from __future__ import annotations

from rung.hyperparameters import *  # noqa: F403 - this module is that one under another name
from rung.hyperparameters import __all__  # noqa: F401
