"""``keras_tuner.engine.metrics_tracking``: ``infer_metric_direction``."""

from __future__ import annotations

from rung.objective import infer_direction as infer_metric_direction

__all__ = ["infer_metric_direction"]
