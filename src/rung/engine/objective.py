"""``keras_tuner.engine.objective``: rung's objectives (``rung.objective``)."""

from __future__ import annotations

from rung.objective import *  # noqa: F403 - this module is that one under another name
from rung.objective import __all__  # noqa: F401
