"""A trial's metrics as keras-tuner exposes them: ``trial.metrics.get_best_value("val_loss")``.

A :class:`MetricsTracker` maps each metric name to a :class:`MetricHistory`, which holds one
:class:`MetricObservation` per step. An observation keeps a list of values, one per execution
(``executions_per_trial``) recorded at that step; its ``mean()`` is what the best, last and
statistics queries read. A value that is NaN never counts as best.

rung fills ``trial.metrics`` from what the trial stored: the metrics its score was computed from,
at ``trial.best_step`` (as keras-tuner records them), or every epoch a custom loop reported
through ``self.oracle.update_trial(trial_id, metrics, step=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from rung.objective import infer_direction

__all__ = [
    "MetricHistory",
    "MetricObservation",
    "MetricsTracker",
    "infer_metric_direction",
]

_DIRECTIONS = ("min", "max")


def infer_metric_direction(metric: Any) -> str | None:
    """``"min"``, ``"max"`` or None for a metric given by name, function or Keras object.

    A Keras metric or loss object is known by its ``name``, a function by its ``__name__`` (less
    a ``_fn`` suffix: ``my_metric_fn`` is not "false negatives"); the rules are
    :func:`rung.objective.infer_direction`'s.
    """
    if isinstance(metric, str):
        return infer_direction(metric)
    name = getattr(metric, "name", None)
    if not isinstance(name, str):
        name = getattr(metric, "__name__", None)
        if isinstance(name, str) and name.endswith("_fn"):
            name = name[: -len("_fn")]
    return infer_direction(name) if isinstance(name, str) else None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class MetricObservation:
    """The values of one metric at one ``step``, one per execution."""

    def __init__(self, value: Any, step: int) -> None:
        self.value = _as_list(value)
        self.step = step

    def append(self, value: Any) -> None:
        self.value.extend(_as_list(value))

    def mean(self) -> float:
        return float(np.mean(np.asarray(self.value, dtype=float)))

    def get_config(self) -> dict[str, Any]:
        return {"value": list(self.value), "step": self.step}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricObservation:
        return cls(config["value"], config["step"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricObservation):
            return NotImplemented
        return (self.value, self.step) == (other.value, other.step)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"MetricObservation(value={self.value}, step={self.step})"


def _check_direction(direction: object) -> str:
    if direction not in _DIRECTIONS:
        raise ValueError(f'`direction` should be one of {{"min", "max"}}; received {direction!r}')
    return str(direction)


class MetricHistory:
    """Every observation of one metric, by step, and whether lower or higher is better."""

    def __init__(self, direction: str = "min") -> None:
        self.direction = _check_direction(direction)
        self._by_step: dict[int, MetricObservation] = {}

    def update(self, value: Any, step: int) -> None:
        """Record ``value`` at ``step`` (a second value at the same step is another execution)."""
        if step in self._by_step:
            self._by_step[step].append(value)
        else:
            self._by_step[step] = MetricObservation(value, step)

    def get_history(self) -> list[MetricObservation]:
        return [self._by_step[step] for step in sorted(self._by_step)]

    def set_history(self, observations: Iterable[MetricObservation]) -> None:
        for observation in observations:
            self.update(observation.value, observation.step)

    def _best(self) -> MetricObservation | None:
        finite = [o for o in self.get_history() if not math.isnan(o.mean())]
        if not finite:
            return None
        sign = 1.0 if self.direction == "min" else -1.0
        return min(finite, key=lambda o: sign * o.mean())  # the earliest step on ties

    def get_best_value(self) -> float | None:
        best = self._best()
        return None if best is None else best.mean()

    def get_best_step(self) -> int | None:
        best = self._best()
        return None if best is None else best.step

    def get_last_value(self) -> float | None:
        history = self.get_history()
        return history[-1].mean() if history else None

    def get_statistics(self) -> dict[str, float]:
        """min, max, mean, median, var and std of the step means (NaN left out); {} if none."""
        values = np.array([o.mean() for o in self.get_history()], dtype=float)
        values = values[~np.isnan(values)]
        if values.size == 0:
            return {}
        return {
            "min": float(values.min()), "max": float(values.max()),
            "mean": float(values.mean()), "median": float(np.median(values)),
            "var": float(values.var()), "std": float(values.std()),
        }  # fmt: skip

    def get_config(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "observations": [o.get_config() for o in self.get_history()],
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricHistory:
        history = cls(config["direction"])
        history.set_history(MetricObservation.from_config(o) for o in config["observations"])
        return history


class MetricsTracker:
    """The histories of a trial's metrics, by name (``trial.metrics``).

    Args:
        metrics: Keras metric objects (or anything with a ``name``) to register up front.

    Example::

        tracker = MetricsTracker()
        tracker.update("val_loss", 0.5, step=0)
        tracker.update("val_loss", 0.25, step=1)
        tracker.get_best_value("val_loss"), tracker.get_best_step("val_loss")   # 0.25, 1
    """

    def __init__(self, metrics: Iterable[Any] | None = None) -> None:
        self.metrics: dict[str, MetricHistory] = {}
        self.register_metrics(metrics)

    def exists(self, name: str) -> bool:
        return name in self.metrics

    def register_metrics(self, metrics: Iterable[Any] | None = None) -> None:
        for metric in metrics or ():
            self.register(metric.name, infer_metric_direction(metric))

    def register(self, name: str, direction: str | None = None) -> None:
        """Add a metric; without ``direction`` it is inferred from the name, else "min"."""
        if self.exists(name):
            raise ValueError(f"Metric already exists: {name!r}")
        if direction is None:
            direction = infer_metric_direction(name) or "min"
        self.metrics[name] = MetricHistory(direction)

    def update(self, name: str, value: Any, step: int = 0) -> bool:
        """Record ``value`` of ``name`` at ``step``; True when the best value changed."""
        if not self.exists(name):
            self.register(name)
        history = self.metrics[name]
        before = history.get_best_value()
        history.update(float(value), step)
        return history.get_best_value() != before

    def _history(self, name: str) -> MetricHistory:
        if name not in self.metrics:
            raise ValueError(f"Unknown metric: {name!r}; known: {sorted(self.metrics)}")
        return self.metrics[name]

    def get_history(self, name: str) -> list[MetricObservation]:
        return self._history(name).get_history()

    def set_history(self, name: str, observations: Iterable[MetricObservation]) -> None:
        if not self.exists(name):
            self.register(name)
        self.metrics[name].set_history(observations)

    def get_best_value(self, name: str) -> float | None:
        return self._history(name).get_best_value()

    def get_best_step(self, name: str) -> int | None:
        return self._history(name).get_best_step()

    def get_last_value(self, name: str) -> float | None:
        return self._history(name).get_last_value()

    def get_statistics(self, name: str) -> dict[str, float]:
        return self._history(name).get_statistics()

    def get_direction(self, name: str) -> str:
        return self._history(name).direction

    def get_config(self) -> dict[str, Any]:
        return {"metrics": {name: h.get_config() for name, h in self.metrics.items()}}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetricsTracker:
        tracker = cls()
        for name, history in config["metrics"].items():
            tracker.metrics[name] = MetricHistory.from_config(history)
        return tracker

    def __repr__(self) -> str:
        return f"MetricsTracker({sorted(self.metrics)})"
