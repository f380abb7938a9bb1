"""``keras_tuner.engine.trial``: rung's ``Trial`` and ``TrialStatus`` (``rung.trial``)."""

from __future__ import annotations

from rung.trial import *  # noqa: F403 - this module is that one under another name
from rung.trial import __all__  # noqa: F401
