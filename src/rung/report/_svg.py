"""Small SVG drawing kit for the report: scales, ticks, axes, compact paths, colours.

Coordinates are written with one decimal: a tenth of a pixel is invisible and keeps a page of
tens of thousands of points small. Many dots of one colour are one ``<path>`` of zero-length
segments with round caps (``M x y h0``), a tenth of the size of as many ``<circle>`` elements.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["BRACKET_COLOURS", "Box", "Scale", "axes", "bracket_colour", "dots", "esc", "fit_label",
           "fmt", "label_width", "polyline", "ramp", "spread_ticks", "ticks"]

# one colour per bracket s (s = 0 last: the bracket that trains every configuration fully)
BRACKET_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2",
                   "#9d755d", "#eeca3b", "#ff9da6", "#79706e")
_RAMP = ((0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)),
         (0.75, (94, 201, 98)), (1.0, (253, 231, 37)))  # dark (0) to light (1)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def fmt(value: float | None) -> str:
    """A number as people read it on an axis or in a cell: four significant digits."""
    if value is None:
        return "–"
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.4g}"


def bracket_colour(s: int | None) -> str:
    return "#888888" if s is None else BRACKET_COLOURS[s % len(BRACKET_COLOURS)]


def ramp(t: float) -> str:
    """A colour of a dark-to-light sequential scale, ``t`` in [0, 1]."""
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in zip(_RAMP, _RAMP[1:], strict=False):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(c0, c1,
                                                                                 strict=True))
    return "#fde725"


@dataclass(frozen=True)
class Box:
    """The plotting area inside an SVG of ``width`` x ``height``."""

    width: int
    height: int
    left: int = 64
    right: int = 16
    top: int = 14
    bottom: int = 44

    @property
    def x0(self) -> int:
        return self.left

    @property
    def x1(self) -> int:
        return self.width - self.right

    @property
    def y0(self) -> int:
        return self.height - self.bottom

    @property
    def y1(self) -> int:
        return self.top


@dataclass(frozen=True)
class Scale:
    """Maps ``[lo, hi]`` (log10 of it when ``log``) onto pixels ``[p0, p1]``."""

    lo: float
    hi: float
    p0: float
    p1: float
    log: bool = False

    def _t(self, value: float) -> float:
        if self.log:
            value, lo, hi = math.log10(value), math.log10(self.lo), math.log10(self.hi)
        else:
            lo, hi = self.lo, self.hi
        return 0.5 if hi == lo else (value - lo) / (hi - lo)

    def __call__(self, value: float) -> float:
        return self.p0 + self._t(value) * (self.p1 - self.p0)

    def clamp(self, value: float) -> float:
        low, high = sorted((self.p0, self.p1))
        return min(max(self(value), low), high)


def ticks(lo: float, hi: float, log: bool = False, count: int = 5) -> list[float]:
    """Round tick values within ``[lo, hi]``: 1-2-5 steps, or powers of ten on a log axis."""
    if log and lo > 0:
        first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        steps = (1,) if last - first > 3 else (1, 2, 5)
        found = [m * 10.0**e for e in range(first, last + 1) for m in steps]
        return [v for v in found if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)] or [lo, hi]
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 12) for i in range(int((hi - start) / step + 1e-9) + 1)]


# the tick labels' 11px font (see _assets.CSS): a digit is at most 0.64em wide in the common
# sans-serif fonts (DejaVu Sans, the widest), a dot 0.32em; labels closer than _TICK_GAP collide
_DIGIT_PX, _DOT_PX, _TICK_GAP = 7.1, 3.6, 6.0


def label_width(text: str) -> float:
    """An upper bound of the width in pixels of the tick label ``text``."""
    dots = text.count(".") + text.count(",")
    return (len(text) - dots) * _DIGIT_PX + dots * _DOT_PX


def category_labels(categories: Sequence[str], width: float) -> list[str]:
    """The labels of ``categories`` spread evenly over ``width`` pixels, fitted so that no two
    collide: cut (with "…") to the room each category has, after the prefix all share where the
    cut would make labels alike (``architecture_0`` -> ``…0``); where even a few characters do
    not fit, only every k-th category is labelled (the others get "")."""
    n = max(len(categories), 1)
    room = width / n - _TICK_GAP
    fit = int(room // _DIGIT_PX)
    every = 1
    if fit < 4:  # too narrow for a useful name: label every k-th, each with room for 6 chars
        every = math.ceil((6 * _DIGIT_PX + _TICK_GAP) / (width / n))
        fit = 6
    fit = min(fit, 12)

    def cut(text: str) -> str:
        return text if len(text) <= fit else text[:fit - 1] + "…"

    labels = [cut(c) for c in categories]
    common = os.path.commonprefix(list(categories))
    if len(set(labels)) < len(labels) and len(common) >= 3:  # "archit…" four times: show
        labels = [cut("…" + c[len(common):]) for c in categories]  # what differs ("…0")
    return ["" if i % every else label for i, label in enumerate(labels)]


def _log_ticks(lo: float, hi: float, steps: Sequence[int], every: int) -> list[float]:
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    found = [m * 10.0**e for e in range(first, last + 1) if e % every == 0 for m in steps]
    return [v for v in found if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)]


def spread_ticks(scale: Scale) -> list[float]:
    """The densest round ticks of the horizontal axis ``scale`` whose labels do not collide.

    Tried densest first: on a log axis 1-2-5 in each decade, then powers of ten, every second
    power, ...; on a linear axis (or a log one spanning no round value) 1-2-5 steps for 5 ticks,
    then 4, 3, 2. The first whose neighbouring labels are ``_TICK_GAP`` apart at the scale's
    width wins: a 240px plot has room for 0.0001 0.001 0.01 but not for 0.0001 0.0002 0.0005.
    """
    lo, hi = scale.lo, scale.hi
    found: list[list[float]] = []
    if scale.log and lo > 0:
        decades = max(math.ceil(math.log10(hi)) - math.floor(math.log10(lo)), 1)
        found = [t for t in [_log_ticks(lo, hi, (1, 2, 5), 1)]
                 + [_log_ticks(lo, hi, (1,), k) for k in range(1, decades + 1)] if t]
    if not found:
        found = [ticks(lo, hi, count=count) for count in (5, 4, 3, 2)]
    for candidate in found:
        at = [(scale(v), label_width(fmt(v))) for v in candidate]
        if all(abs(x1 - x0) >= (w0 + w1) / 2 + _TICK_GAP
               for (x0, w0), (x1, w1) in zip(at, at[1:], strict=False)):
            return candidate
    return found[-1][:1]  # a single label never collides


def axes(box: Box, xs: Scale, ys: Scale, x_label: str, y_label: str,
         x_ticks: Sequence[float] | None = None, x_names: Sequence[str] | None = None) -> str:
    """Grid lines, tick labels and axis titles; ``x_names`` label categorical positions."""
    parts = [f'<rect class="frame" x="{box.x0}" y="{box.y1}" width="{box.x1 - box.x0}" '
             f'height="{box.y0 - box.y1}"/>']
    for v in ticks(ys.lo, ys.hi, ys.log):
        y = ys(v)
        parts.append(f'<line class="grid" x1="{box.x0}" x2="{box.x1}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="tick" x="{box.x0 - 5}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{fmt(v)}</text>')
    xt = list(x_ticks) if x_ticks is not None else spread_ticks(xs)
    for i, v in enumerate(xt):
        x = xs(v)
        name = x_names[i] if x_names is not None else fmt(v)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{box.y1}" '
                     f'y2="{box.y0}"/><text class="tick" x="{x:.1f}" y="{box.y0 + 16}" '
                     f'text-anchor="middle">{esc(name)}</text>')
    x_mid, y_mid = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    parts.append(f'<text class="label" x="{x_mid:.0f}" y="{box.height - 6}" '
                 f'text-anchor="middle">{_fitted(x_label, _room(x_mid, box.width))}</text>')
    parts.append(f'<text class="label" transform="translate(14 {y_mid:.0f}) '
                 f'rotate(-90)" text-anchor="middle">{_fitted(y_label, _room(y_mid, box.height))}'
                 '</text>')
    return "".join(parts)


_LABEL_PX = 12 * 0.64  # the axis titles' 12px font: the widest common character, as above


def _room(middle: float, extent: float) -> float:
    """The pixels a title centred at ``middle`` of ``extent`` has before one of its ends."""
    return 2 * min(middle, extent - middle) - 4


def fit_label(text: str, pixels: float) -> str:
    """``text`` cut in its middle (with "…") to fit ``pixels``: a long hyperparameter's name
    keeps its start and its end."""
    most = max(int(pixels / _LABEL_PX), 5)
    if len(text) <= most:
        return text
    tail = (most - 1) // 2
    return text[:most - 1 - tail] + "…" + text[len(text) - tail:]


def _fitted(label: str, pixels: float) -> str:
    """An axis title's markup: ``label`` fitted to ``pixels``, whole in its tooltip when cut."""
    shown = fit_label(label, pixels)
    return esc(shown) if shown == label else f"<title>{esc(label)}</title>{esc(shown)}"


def polyline(points: Iterable[tuple[float, float]]) -> str:
    """An SVG path ``d`` through ``points`` (pixels)."""
    out = []
    for i, (x, y) in enumerate(points):
        out.append(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}")
    return "".join(out)


def dots(points: Iterable[tuple[float, float]]) -> str:
    """An SVG path ``d`` drawing a dot at each point (stroke it with round caps)."""
    return "".join(f"M{x:.1f} {y:.1f}h0" for x, y in points)
