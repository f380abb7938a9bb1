"""Draws the bracket picture: one small SVG per bracket, rungs left to right.

Every job is a dot in its rung's column, best at the top; its colour is its objective value on a
dark (best) to light (worst) scale shared by all brackets, a pruned job's included (the value it
had when it was stopped); failed jobs are red, running ones hollow, a finished job without an
objective value grey; the planned jobs not started yet are dashed rings.
A line joins each promoted job to the job of the next rung that continues it. The legend is
written from the same colours as the dots.
"""

from __future__ import annotations

from rung.report._svg import bracket_colour, esc, fmt, ramp
from rung.report.brackets import BracketJob, BracketPicture, BracketView, RungCell

__all__ = ["draw_brackets"]

_COLUMN = 92  # px per rung
_MAX_HEIGHT = 240
_FAILED = "#d62728"
_NO_VALUE = "#aaa"


def _fill(job: BracketJob, scale: tuple[float, float, bool] | None) -> str:
    if job.status == "FAILED":
        return f'fill="{_FAILED}"'
    if job.status == "RUNNING":
        return 'fill="#fff" class="running"'
    if job.value is None or scale is None:
        return f'fill="{_NO_VALUE}"'
    lo, hi, lower_is_better = scale
    t = 0.5 if hi == lo else (job.value - lo) / (hi - lo)
    return f'fill="{ramp(t if lower_is_better else 1 - t)}"'


def _slots(view: BracketView) -> int:
    return max([max(len(r.jobs), r.planned or 0) for r in view.rungs] + [1])


def _rung_column(cell: RungCell, x: float, top: float, pitch: float, radius: float,
                 scale: tuple[float, float, bool] | None,
                 where: dict[str, tuple[float, float]]) -> list[str]:
    parts = [f'<text class="tick" x="{x:.1f}" y="{top - 18:.1f}" text-anchor="middle">'
             f'rung {cell.index}</text>',
             f'<text class="small" x="{x:.1f}" y="{top - 6:.1f}" text-anchor="middle">'
             f'{len(cell.jobs)}{"" if cell.planned is None else "/" + str(cell.planned)} × '
             f'{fmt(cell.epochs)} ep</text>']
    for i, job in enumerate(cell.jobs):
        y = top + (i + 0.5) * pitch
        where[job.trial_id] = (x, y)
        ring = ' stroke="#222" stroke-width="1.2"' if job.promoted else ""
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                     f'{_fill(job, scale)}{ring} data-t="{esc(job.trial_id)}"/>')
    for i in range(len(cell.jobs), cell.planned or 0):
        y = top + (i + 0.5) * pitch
        parts.append(f'<circle class="slot" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>')
    return parts


def _panel(view: BracketView, scale: tuple[float, float, bool] | None) -> str:
    slots = _slots(view)
    height = min(max(slots * 9.0, 48.0), _MAX_HEIGHT)
    pitch = height / slots
    radius = min(max(pitch / 2 - 0.6, 1.2), 4.5)
    top = 44.0
    width = max(24 + _COLUMN * len(view.rungs), 230)
    where: dict[str, tuple[float, float]] = {}
    columns: list[str] = []
    for cell in view.rungs:
        columns += _rung_column(cell, 12 + _COLUMN * (cell.index + 0.5), top, pitch, radius,
                                scale, where)
    links = []
    for cell in view.rungs:
        for job in cell.jobs:
            if job.parent_id in where and job.trial_id in where:
                (x0, y0), (x1, y1) = where[job.parent_id], where[job.trial_id]
                links.append(f"M{x0:.1f} {y0:.1f}L{x1:.1f} {y1:.1f}")
    name = "all jobs" if view.s is None else f"bracket s={view.s}"
    title = (f'<text class="label" x="10" y="14">{name} · it. {view.iteration}'
             f'{"" if view.best is None else " · best " + fmt(view.best)}</text>')
    edge = f'<rect x="0" y="0" width="4" height="{top + height + 6:.0f}" ' \
           f'fill="{bracket_colour(view.s)}"/>'
    path = f'<path class="promo" d="{"".join(links)}"/>' if links else ""
    return (f'<svg class="bracket" viewBox="0 0 {width} {top + height + 6:.0f}" '
            f'width="{width}" height="{top + height + 6:.0f}" role="img" '
            f'aria-label="{esc(name)}">{edge}{title}{path}{"".join(columns)}</svg>')


def draw_brackets(picture: BracketPicture, value_range: tuple[float, float] | None,
                  lower_is_better: bool) -> str:
    """The bracket panels as HTML (a note first when some brackets are left out)."""
    if not picture.brackets:
        return '<p class="empty">No jobs yet.</p>'
    scale = None if value_range is None else (*value_range, lower_is_better)
    note = f'<p class="note">{esc(picture.note)}</p>' if picture.note else ""
    panels = "".join(_panel(view, scale) for view in picture.brackets)
    legend = ('<p class="legend">dot colour: objective value (dark = best; a pruned job\'s is '
              f'the value it was stopped at); <span class="sw" style="background:{_FAILED}">'
              f'</span>failed <span class="sw" style="background:{_NO_VALUE}"></span>no '
              'objective value '
              '<span class="sw ring"></span>running / planned; a black ring: promoted to the '
              'next rung, the line shows which job continued it</p>')
    return f'{note}{legend}<div class="brackets">{panels}</div>'
