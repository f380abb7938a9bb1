"""``keras_tuner.engine.metrics_tracking``: rung's metrics tracker (``rung.metrics_tracking``)."""

from __future__ import annotations

from rung.metrics_tracking import *  # noqa: F403 - this module is that one under another name
from rung.metrics_tracking import __all__  # noqa: F401
