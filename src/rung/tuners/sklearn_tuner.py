"""``keras_tuner.tuners.sklearn_tuner``: ``SklearnTuner`` (imports scikit-learn)."""

from __future__ import annotations

from rung.integrations.sklearn import SklearnTuner

__all__ = ["SklearnTuner"]
