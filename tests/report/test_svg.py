"""The drawing kit's choices that the page relies on: tick labels that do not collide."""

from __future__ import annotations

import re

import pytest

from rung.report._draw_plots import draw_param
from rung.report._svg import Scale, fmt, spread_ticks
from rung.report.params import ParamPlot, ParamPoint

CHAR_PX = 6.6  # a digit of the 11px tick font: 0.6em, the common sans-serif fonts' width


def _plot(xs: list[float], log: bool) -> ParamPlot:
    points = tuple(ParamPoint(str(i), x, float(i), 1) for i, x in enumerate(xs))
    return ParamPlot("lr", "numeric", log, (), points, len(points))


def _x_labels(svg: str) -> list[tuple[float, str]]:
    """The x axis's tick labels (those below the plot, centred on their tick) and where."""
    return [(float(x), text) for x, text in re.findall(
        r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]*)</text>', svg)]


def _apart(labels: list[tuple[float, str]]) -> bool:
    return all(x1 - x0 >= CHAR_PX * (len(a) + len(b)) / 2
               for (x0, a), (x1, b) in zip(labels, labels[1:], strict=False))


@pytest.mark.parametrize(("xs", "log"), [
    ([1e-4, 1e-1], True),  # 0.0001 0.0002 0.0005 0.001 ... once ran together
    ([1.1e-4, 0.07], True),
    ([1e-4, 1.0], True),
    ([1e-10, 1e10], True),
    ([8.0, 128.0], True),
    ([0.021, 0.049], True),  # no power of ten inside: linear steps on the log axis
    ([0.0, 1.0], False),
    ([123456.7, 987654.3], False),  # long labels: fewer ticks
])
def test_hyperparameter_axis_labels_do_not_collide(xs: list[float], log: bool) -> None:
    labels = _x_labels(draw_param(_plot(xs, log), "val_loss", [1]))
    assert len(labels) >= 1 and _apart(labels), labels
    assert all(xs[0] * (1 - 1e-9) <= float(text) <= xs[1] * (1 + 1e-9) for _, text in labels)


def test_a_log_axis_of_three_decades_keeps_the_powers_of_ten() -> None:
    labels = _x_labels(draw_param(_plot([1e-4, 1e-1], True), "val_loss", [1]))
    assert [text for _, text in labels] == ["0.0001", "0.001", "0.01", "0.1"]


def test_a_wide_axis_keeps_the_denser_ticks() -> None:
    """The thinning is by width: the 1-2-5 ticks of 1e-4..1e-1 fit a 960px plot."""
    chosen = spread_ticks(Scale(1e-4, 1e-1, 64, 944, log=True))
    assert [fmt(v) for v in chosen[:4]] == ["0.0001", "0.0002", "0.0005", "0.001"]
    assert len(chosen) == 10


@pytest.mark.parametrize("names", [
    ["relu", "tanh"],
    ["adam", "sgd", "rmsprop", "adagrad", "adamw", "nadam"],
    [f"architecture_{i}" for i in range(4)],
    [f"c{i}" for i in range(40)],  # too many for a label each
])
def test_category_labels_do_not_collide(names: list[str]) -> None:
    points = tuple(ParamPoint(str(i), float(i % len(names)), float(i), 1) for i in range(12))
    svg = draw_param(ParamPlot("opt", "categorical", False, tuple(names), points, 12),
                     "val_loss", [1])
    labels = [(x, t) for x, t in _x_labels(svg) if t]
    assert labels and _apart(labels), labels
    short = [n for n in names if CHAR_PX * len(n) <= 240 / len(names) - 8]
    assert all(t in names for _, t in labels if t.rstrip("…") in short)  # whole where they fit
    if len(names) <= 6:
        assert len(labels) == len(names)  # every category named
    if names[0].startswith("architecture_"):  # cut after the shared prefix: told apart
        assert [t for _, t in labels] == ["…0", "…1", "…2", "…3"]


@pytest.mark.parametrize("log", [True, False])
def test_points_at_the_extremes_are_drawn_inside_the_frame(log: bool) -> None:
    """The best job, or a value at the end of the range, sits at a corner of the data: its dot
    (radius about 3px) is drawn whole inside the frame, not cut by it."""
    svg = draw_param(_plot([1e-3, 0.02, 0.98], log), "val_loss", [1])
    frame = re.search(r'<rect[^>]*x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"',
                      svg)
    assert frame, svg[:400]
    left, top, width, height = (float(v) for v in frame.groups())
    dots = [(float(x), float(y)) for x, y in re.findall(r"M([\d.]+) ([\d.]+)h0", svg)]
    assert len(dots) == 3
    assert all(left + 4 <= x <= left + width - 4 and top + 4 <= y <= top + height - 4
               for x, y in dots), (dots, (left, top, width, height))
