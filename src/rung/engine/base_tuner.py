"""``keras_tuner.engine.base_tuner``: ``BaseTuner``, the tuner without Keras."""

from __future__ import annotations

from rung.tuner import BaseTuner

__all__ = ["BaseTuner"]
