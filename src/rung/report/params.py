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


_Row = tuple[str, float, float, int]  # trial id, x, y, epochs: ParamPoint's fields


def _thin(rows: list[_Row], max_points: int) -> list[_Row]:
    if len(rows) <= max_points:
        return rows
    top = max(r[3] for r in rows)
    first = [r for r in rows if r[3] == top][:max_points]
    rest = [r for r in rows if r[3] != top]
    room = max_points - len(first)
    stride = len(rest) / room if room else 0
    chosen = {int(i * stride) for i in range(room)} if room else set()
    return first + [r for i, r in enumerate(rest) if i in chosen]


def param_plots(snapshot: Snapshot, max_points: int = 4_000) -> tuple[ParamPlot, ...]:
    """One plot per hyperparameter of ``snapshot.space`` (see the module docstring)."""
    scored = []
    for record in snapshot.trials:
        value = snapshot.value(record)
        if value is not None:
            epochs = record.epochs_reached if record.epochs_reached is not None else record.epochs
            scored.append((record.trial_id, record.values, value, epochs))
    plots = []
    for spec in snapshot.space:
        categories = {label(c): i for i, c in enumerate(spec.categories)}
        rows: list[_Row] = []  # plain tuples: points are made only for the rows kept
        for trial_id, values, value, epochs in scored:
            if spec.name not in values:
                continue  # inactive (a conditional hyperparameter)
            x = _x(spec, values[spec.name], categories)
            if x is not None:
                rows.append((trial_id, x, value, epochs))
        points = tuple(ParamPoint(*row) for row in _thin(rows, max_points))
        plots.append(ParamPlot(spec.name, spec.kind, spec.log, tuple(categories), points,
                               len(rows)))
    return tuple(plots)
