"""``keras_tuner.engine.hypermodel``: ``HyperModel``."""

from __future__ import annotations

from rung.hypermodel import HyperModel

__all__ = ["HyperModel"]
