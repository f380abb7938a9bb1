"""Learning curves of every job, coloured by bracket, promotions visible.

A job of rung ``k > 0`` continues its parent's training (``parent_id``): its segment starts at
the parent's last reported point, so a configuration promoted twice reads as one curve drawn in
three segments, with a joint at each promotion.

Thousands of jobs report hundreds of thousands of points; a curve keeps at most its share of
``max_points`` (its first, last and best point always, the rest evenly spaced), so the report
stays small and fast while every job is still drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rung.report.snapshot import Snapshot

__all__ = ["CurveSegment", "LearningCurves", "learning_curves", "robust_range", "thin"]


@dataclass(frozen=True)
class CurveSegment:
    """The epochs one job trained: ``points`` are ``(epoch, objective value)``; when ``joined``
    the first point is the parent's last one (the promotion's joint)."""

    trial_id: str
    parent_id: str | None
    bracket: int | None
    rung: int | None
    status: str
    points: tuple[tuple[int, float], ...]
    joined: bool = False


@dataclass(frozen=True)
class LearningCurves:
    """Every job's segment in creation order; ``brackets`` the brackets present (legend order);
    ``reported``/``kept`` the points before and after thinning; ``y_range`` the value range
    the plot shows (outliers beyond it are clipped)."""

    segments: tuple[CurveSegment, ...]
    brackets: tuple[int | None, ...]
    reported: int
    kept: int
    y_range: tuple[float, float] | None
    max_epoch: int


def thin(points: Sequence[tuple[int, float]], limit: int, lower_is_better: bool = True,
         ) -> list[tuple[int, float]]:
    """At most ``max(limit, 3)`` of ``points``: the first, the last, the best and evenly spaced
    others, in their order."""
    limit = max(limit, 3)
    if len(points) <= limit:
        return list(points)
    values = [p[1] for p in points]
    best = values.index(min(values) if lower_is_better else max(values))
    step = (len(points) - 1) / (limit - 2)
    keep = {round(i * step) for i in range(limit - 1)} | {0, len(points) - 1, best}
    return [points[i] for i in sorted(keep)]


def robust_range(values: Sequence[float]) -> tuple[float, float] | None:
    """A value range for a plot: the whole range, unless a few outliers (a diverged run) would
    squash the rest; then the 2nd..98th percentiles widened by a quarter. None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    lo, hi = ordered[0], ordered[-1]
    p_lo = ordered[int(0.02 * (len(ordered) - 1))]
    p_hi = ordered[math.ceil(0.98 * (len(ordered) - 1))]
    span = p_hi - p_lo
    if span > 0:
        lo = max(lo, p_lo - span / 4)
        hi = min(hi, p_hi + span / 4)
    if hi == lo:
        pad = abs(hi) * 0.05 or 1.0
        return (lo - pad, hi + pad)
    return (lo, hi)


def learning_curves(snapshot: Snapshot, max_points: int = 40_000) -> LearningCurves:
    """Every job's learning-curve segment (see the module docstring)."""
    raw: dict[str, list[tuple[int, float]]] = {}
    for trial_id, reports in snapshot.curves.items():
        found = [(e, v) for e, v in reports if v is not None]
        if found:
            raw[trial_id] = found
    reported = sum(len(p) for p in raw.values())
    share = max_points // max(len(raw), 1)
    lower = snapshot.objective.direction == "min"
    segments: list[CurveSegment] = []
    brackets: dict[int | None, None] = {}
    for record in snapshot.trials:
        points = raw.get(record.trial_id)
        if points is None:
            continue
        thinning = reported > max_points and len(points) > share
        kept = thin(points, share, lower) if thinning else list(points)
        parent = raw.get(record.parent_id) if record.parent_id is not None else None
        joined = parent is not None and parent[-1][0] <= points[0][0]
        if joined and parent is not None:
            kept.insert(0, parent[-1])
        segments.append(CurveSegment(record.trial_id, record.parent_id, record.bracket,
                                     record.rung, record.status.value, tuple(kept), joined))
        brackets[record.bracket] = None
    values = [v for s in segments for _, v in s.points]
    max_epoch = max((s.points[-1][0] for s in segments), default=0)
    order = sorted(brackets, key=lambda b: (b is None, -(b or 0)))
    return LearningCurves(tuple(segments), tuple(order), reported,
                          sum(len(s.points) - s.joined for s in segments),
                          robust_range(values), max_epoch)
