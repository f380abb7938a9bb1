"""Draws the learning curves, the best objective against epochs spent, and each hyperparameter
against the objective, as inline SVG (see ``_svg`` for the compact forms used)."""

from __future__ import annotations

import zlib
from collections import defaultdict

from rung.report._svg import (
    Box,
    Scale,
    axes,
    bracket_colour,
    category_labels,
    dots,
    esc,
    fmt,
    polyline,
    ramp,
)
from rung.report.curves import LearningCurves, robust_range
from rung.report.params import ParamPlot
from rung.report.progress import Progress

__all__ = ["draw_curves", "draw_param", "draw_progress"]


def _svg(box: Box, body: str, label: str, css: str = "plot") -> str:
    return (f'<svg class="{css}" viewBox="0 0 {box.width} {box.height}" role="img" '
            f'aria-label="{esc(label)}">{body}</svg>')


def draw_curves(curves: LearningCurves, objective: str) -> str:
    """Every job's segment, one colour per bracket; a dot at each promotion joint."""
    if not curves.segments or curves.y_range is None:
        return '<p class="empty">No epoch reported yet.</p>'
    box = Box(960, 380)
    xs = Scale(0, max(curves.max_epoch, 1), box.x0, box.x1)
    ys = Scale(*curves.y_range, box.y0, box.y1)
    opacity = min(0.9, max(0.12, 6 / len(curves.segments) ** 0.5))
    paths, joints = [], []
    # the scales inlined: this loop draws every point of every job
    kx, ky = (xs.p1 - xs.p0) / (xs.hi - xs.lo), (ys.p1 - ys.p0) / (ys.hi - ys.lo)
    top, bottom = box.y1, box.y0
    for seg in curves.segments:
        d = "L".join(f"{xs.p0 + (e - xs.lo) * kx:.1f} "
                     f"{min(max(ys.p0 + (v - ys.lo) * ky, top), bottom):.1f}"
                     for e, v in seg.points)
        single = len(seg.points) == 1  # a job of one epoch: a dot
        paths.append(f'<path class="{"c p" if single else "c"}" '
                     f'stroke="{bracket_colour(seg.bracket)}" d="M{d}{"h0" if single else ""}" '
                     f'data-t="{esc(seg.trial_id)}"/>')
        if seg.joined:
            joints.append((xs(seg.points[0][0]), ys.clamp(seg.points[0][1])))
    legend = "".join(
        f'<span class="sw" style="background:{bracket_colour(b)}"></span>'
        f'{"no bracket" if b is None else f"bracket s={b}"} ' for b in curves.brackets)
    note = ("" if curves.kept == curves.reported else
            f" · showing {curves.kept:,} of {curves.reported:,} reported points (each curve "
            "keeps its first, last and best epoch)")
    body = (axes(box, xs, ys, "epoch", objective)
            + f'<g class="curves" style="stroke-opacity:{opacity:.2f}">{"".join(paths)}</g>'
            + f'<path class="joint" d="{dots(joints)}"/>')
    return (f'<p class="legend">{legend}· a dot marks a promotion: the next rung\'s job '
            f'continues the curve{esc(note)}</p>' + _svg(box, body, "learning curves"))


def draw_progress(progress: Progress, objective: str) -> str:
    """Each finished job's value at the epochs spent when it finished (the jobs finished, where
    no job trained an epoch the project knows of), and the best so far."""
    values = [p.value for p in progress.points if p.value is not None]
    y_range = robust_range(values)
    if y_range is None:
        return '<p class="empty">No result yet.</p>'
    box = Box(960, 300)
    by_jobs = progress.by_jobs
    xs = Scale(0, max(progress.x_end, 1), box.x0, box.x1)
    ys = Scale(*y_range, box.y0, box.y1)
    jobs = dots((xs(p.x(by_jobs)), ys.clamp(p.value)) for p in progress.points
                if p.value is not None)
    step: list[tuple[float, float]] = []
    for spent, best in progress.steps:
        if step:
            step.append((xs(spent), step[-1][1]))
        step.append((xs(spent), ys.clamp(best)))
    if step:
        step.append((xs(progress.jobs if by_jobs else progress.epochs_spent), step[-1][1]))
    planned = ""
    if progress.planned_epochs and not by_jobs:
        x = xs(progress.planned_epochs)
        planned = (f'<line class="plan" x1="{x:.1f}" x2="{x:.1f}" y1="{box.y1}" y2="{box.y0}"/>'
                   f'<text class="small" x="{x - 4:.1f}" y="{box.y1 + 12}" text-anchor="end">'
                   f'planned {progress.planned_epochs:,}</text>')
    axis = "jobs finished" if by_jobs else "epochs spent"
    body = (axes(box, xs, ys, axis, objective) + planned
            + f'<path class="pdots" d="{jobs}"/><path class="best" d="{polyline(step)}"/>')
    return _svg(box, body, f"best objective against {axis}")


def _jitter(trial_id: str) -> float:
    """A stable offset in [-0.3, 0.3] so that a category's points do not hide each other."""
    return (zlib.crc32(trial_id.encode()) % 1000) / 1000 * 0.6 - 0.3


_INSET = 5  # pixels between the hyperparameter plots' frame and their outermost points


def draw_param(plot: ParamPlot, objective: str, levels: list[int]) -> str:
    """One hyperparameter: a point per job, coloured by the epochs it reached (``levels``)."""
    y_range = robust_range([p.y for p in plot.points])
    box = Box(310, 230, left=58, right=10, top=10, bottom=52)
    if y_range is None:
        return f'<figure><figcaption title="{esc(plot.name)}">{esc(plot.name)}</figcaption>' \
               '<p class="empty">No result yet.</p></figure>'
    # the points keep _INSET pixels off the frame, so that one at an extreme (the best job,
    # a value at the range's end) is drawn whole, not cut by the frame's corner
    ys = Scale(*y_range, box.y0 - _INSET, box.y1 + _INSET)
    if plot.kind == "categorical":
        xs = Scale(-0.5, len(plot.categories) - 0.5, box.x0, box.x1)
        grid = axes(box, xs, ys, plot.name, objective, list(range(len(plot.categories))),
                    category_labels(plot.categories, box.x1 - box.x0))
        where = [(p, p.x + _jitter(p.trial_id)) for p in plot.points]
    else:
        xv = [p.x for p in plot.points] or [0.0, 1.0]
        lo, hi = min(xv), max(xv)
        if hi == lo:
            lo, hi = (lo / 2, hi * 2) if plot.log else (lo - 1, hi + 1)
        xs = Scale(lo, hi, box.x0 + _INSET, box.x1 - _INSET, plot.log)
        grid = axes(box, xs, ys, plot.name + (" (log)" if plot.log else ""), objective)
        where = [(p, p.x) for p in plot.points]
    groups: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for p, x in where:
        groups[p.epochs].append((xs(x), ys.clamp(p.y)))
    rank = {e: i for i, e in enumerate(levels)}
    paths = "".join(
        f'<path class="pd" stroke="{ramp(0.85 - 0.85 * rank.get(e, 0) / max(len(levels) - 1, 1))}"'
        f' d="{dots(pts)}"/>' for e, pts in sorted(groups.items()))
    shown = "" if len(plot.points) == plot.total else f" ({len(plot.points):,} of {plot.total:,})"
    caption = esc(plot.name + shown)  # one line, cut with "…" by the page: whole on hover
    return (f'<figure><figcaption title="{caption}">{caption}</figcaption>'
            f'{_svg(box, grid + paths, plot.name + " against " + objective, "param")}</figure>')


def param_legend(levels: list[int]) -> str:
    """The colour of each epochs level of the hyperparameter plots."""
    items = "".join(
        f'<span class="sw" style="background:'
        f'{ramp(0.85 - 0.85 * i / max(len(levels) - 1, 1))}"></span>{fmt(e)} '
        for i, e in enumerate(levels))
    return f'<p class="legend">epochs the job reached: {items}</p>'
