"""``keras_tuner.engine.tuner``: ``Tuner``."""

from __future__ import annotations

from rung.tuner import Tuner

__all__ = ["Tuner"]
