"""Each hyperparameter against the objective.

One point per job that produced an objective value, at its hyperparameter value (a numeric one on
a log axis when it was sampled on one; a categorical one at its category's position) and its
objective value, tagged with the epochs the job reached: in a Hyperband search the same
configuration appears once per rung it reached, better trained further right in the colour scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rung.report.snapshot import ParamSpec, Snapshot

__all__ = ["ParamPlot", "ParamPoint", "label", "param_plots"]


@dataclass(frozen=True)
class ParamPoint:
    """``x``: the value (numeric) or the category's index (categorical); ``y`` the objective."""

    trial_id: str
    x: float
    y: float
    epochs: int


@dataclass(frozen=True)
class ParamPlot:
    """The plot of one hyperparameter: ``kind`` "numeric" or "categorical", ``log`` axis,
    ``categories`` labels (categorical), the ``points`` (at most ``max_points``: every job of
    the highest epochs kept first), and ``total`` jobs with a value before thinning."""

    name: str
    kind: str
    log: bool
    categories: tuple[str, ...]
    points: tuple[ParamPoint, ...]
    total: int


def label(value: Any) -> str:
    """How a category is written on an axis."""
    return value if isinstance(value, str) else repr(value)


def _x(spec: ParamSpec, value: Any, categories: dict[str, int]) -> float | None:
    if spec.kind == "categorical":
        return float(categories.setdefault(label(value), len(categories)))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if spec.log and value <= 0:
        return None
    return float(value)


def _thin(points: list[ParamPoint], max_points: int) -> list[ParamPoint]:
    if len(points) <= max_points:
        return points
    top = max(p.epochs for p in points)
    first = [p for p in points if p.epochs == top][:max_points]
    rest = [p for p in points if p.epochs != top]
    room = max_points - len(first)
    stride = len(rest) / room if room else 0
    chosen = {int(i * stride) for i in range(room)} if room else set()
    return first + [p for i, p in enumerate(rest) if i in chosen]


def param_plots(snapshot: Snapshot, max_points: int = 4_000) -> tuple[ParamPlot, ...]:
    """One plot per hyperparameter of ``snapshot.space`` (see the module docstring)."""
    scored = []
    for record in snapshot.trials:
        value = snapshot.value(record)
        if value is not None:
            epochs = record.epochs_reached if record.epochs_reached is not None else record.epochs
            scored.append((record, value, epochs))
    plots = []
    for spec in snapshot.space:
        categories = {label(c): i for i, c in enumerate(spec.categories)}
        points = []
        for record, value, epochs in scored:
            if spec.name not in record.values:
                continue  # inactive (a conditional hyperparameter)
            x = _x(spec, record.values[spec.name], categories)
            if x is not None:
                points.append(ParamPoint(record.trial_id, x, value, epochs))
        plots.append(ParamPlot(spec.name, spec.kind, spec.log, tuple(categories),
                               tuple(_thin(points, max_points)), len(points)))
    return tuple(plots)
