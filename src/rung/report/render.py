"""The report page: :func:`render_html` draws a :class:`~rung.report.ReportData` as one HTML file.

Everything is inline: the SVG of each plot is drawn here, the stylesheet and the script (table
sorting, tooltips, the dashboard's refresh) are in the page, the trial table's rows are embedded
as JSON. Nothing is fetched: the file opens offline, from a mail attachment, anywhere.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from rung.report._assets import CSS, SCRIPT
from rung.report._draw_brackets import draw_brackets
from rung.report._draw_plots import draw_curves, draw_param, draw_progress, param_legend
from rung.report._svg import esc, fmt
from rung.report.curves import robust_range
from rung.report.data import ReportData
from rung.report.plan import SearchPlan
from rung.report.summary import Summary
from rung.validation import check_instance

__all__ = ["CSP", "Live", "render_html"]

# the page loads nothing: no script, style, image or font from anywhere, and may only ask its
# own origin (the dashboard's state endpoint) for data
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "connect-src 'self'; img-src data:")


@dataclass(frozen=True)
class Live:
    """Makes the page poll ``url`` every ``every_s`` seconds and reload itself when the
    ``token`` the server answers differs from this one (the dashboard)."""

    url: str
    every_s: float
    token: str


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "–"
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _card(title: str, value: str, done: float | None = None, total: float | None = None,
          note: str = "") -> str:
    bar = ""
    if done is not None and total:
        bar = f'<div class="bar"><i style="width:{min(100.0, 100 * done / total):.1f}%"></i></div>'
    small = f"<small>{esc(note)}</small>" if note else ""
    return f'<div class="card">{esc(title)}<b>{esc(value)}</b>{small}{bar}</div>'


def _replaced_note(replaced: int) -> str:
    if not replaced:
        return ""
    return f"{replaced} bracket{'s' * (replaced != 1)} ran as full-budget jobs (counted as those)"


def _epochs_note(s: Summary) -> str:
    notes = [f"{s.epochs_running:,} of them by running jobs"] if s.epochs_running else []
    if s.replaced and s.planned_epochs:
        notes.append("planned: an upper bound, full-budget jobs train fewer")
    return "; ".join(notes)


def _search(s: Summary) -> str:
    """Who is searching the project, as ``rung status`` says it (jobs left running by a search
    that ended are interrupted, not running)."""
    if not s.search:
        return ""
    kind = "notice warn" if s.search_warns else "notice"
    return f'<div class="{kind}">' + "<br>".join(esc(line) for line in s.search) + "</div>"


def _epochs_card(s: Summary, epochs: str) -> str:
    if s.epochs_spent == 0 and s.planned_epochs is None:  # as rung status says it
        return _card("epochs spent", "none reported", note="no budget in epochs: each trial "
                     "trains as long as its code decides")
    return _card("epochs spent" + ("" if s.planned_epochs is None else " / planned"), epochs,
                 s.epochs_spent, s.planned_epochs, _epochs_note(s))


def _cards(s: Summary) -> str:
    jobs = f"{s.jobs:,}" + ("" if s.planned_jobs is None else f" / {s.planned_jobs:,}")
    epochs = f"{s.epochs_spent:,}" + ("" if s.planned_epochs is None else
                                      f" / {s.planned_epochs:,}")
    statuses = ", ".join(f"{n:,} {status.lower()}" for status, n in s.by_status) or "none"
    best = "–" if s.best_value is None else fmt(s.best_value)
    return ('<div class="cards">'
            + _card("jobs" + ("" if s.planned_jobs is None else " / planned"), jobs, s.jobs,
                    s.planned_jobs, _replaced_note(s.replaced))
            + _epochs_card(s, epochs)
            + _card(f"best {s.objective} ({s.direction})", best)
            + _card("best trial", s.best_trial or "–")
            + _card("jobs by status", statuses, note="interrupted: their search is no longer "
                    "running" if s.interrupted else "") + "</div>")


def _rows(pairs: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in pairs)


def _plan_table(plan: SearchPlan) -> str:
    if not plan.brackets:
        rungs = ", ".join(str(e) for e in plan.rung_epochs)
        rungs = f"rungs at {rungs} epochs" if rungs else ""
        if not plan.jobs:
            return f'<p class="note">No bracket plan{": " + rungs if rungs else ""}.</p>'
        planned = f"{plan.jobs:,} jobs" + ("" if plan.epochs is None else f", {plan.epochs:,} epochs")
        return (f'<p class="note">Planned: {planned}; no bracket plan'
                f'{": " + rungs if rungs else ""}.</p>')
    repeat = ("each iteration, until stopped" if plan.iterations is None
              else f"× {plan.iterations} iteration{'s' if plan.iterations != 1 else ''}")
    body = "".join(
        f"<tr><td>s={b.s}</td><td class=num>{b.jobs}</td><td class=num>{b.epochs}</td>"
        f"<td>{'  '.join(f'{r.jobs}×{r.epochs}' for r in b.rungs)}</td></tr>"
        for b in plan.brackets)
    return (f'<p class="note">The plan ({repeat}): jobs × epochs of each rung; a promoted job '
            'trains only the epochs its parent did not.</p><table><thead><tr><th>bracket</th>'
            '<th>jobs</th><th>epochs</th><th>rungs</th></tr></thead>'
            f'<tbody>{body}</tbody></table>')


def _data_json(data: ReportData, live: Live | None) -> str:
    payload: dict[str, object] = {
        "columns": [[c.key, c.label, c.numeric] for c in data.table.columns],
        "rows": data.table.rows,
    }
    if live is not None:
        payload["live"] = {"url": live.url, "every_ms": int(live.every_s * 1000),
                           "token": live.token}
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")  # no "</script>" can close the element early


def _params(data: ReportData) -> str:
    if not data.params:
        return '<p class="empty">No hyperparameter.</p>'
    levels = sorted({p.epochs for plot in data.params for p in plot.points})
    plots = "".join(draw_param(p, data.summary.objective, levels) for p in data.params)
    legend = param_legend(levels) if any(levels) else ""  # no epoch reported: one colour
    return legend + f'<div class="params">{plots}</div>'


def render_html(data: ReportData, live: Live | None = None) -> str:
    """The report page of ``data`` as one self-contained HTML string (see the module docstring).

    ``live`` (the dashboard) makes the page reload itself when the project changes.
    """
    check_instance("data", data, ReportData, "a ReportData (rung.report.build_report(storage))")
    check_instance("live", live, (Live, type(None)), "None or a rung.report.render.Live")
    s = data.summary
    lower = s.direction == "min"
    badge = '<span id="live" class="live">live</span>' if live else ""
    said = s.objective_said or f"{s.objective} ({s.direction})"
    sections = [
        ("Brackets and rungs", draw_brackets(data.brackets, _bracket_range(data), lower)),
        ("Learning curves", draw_curves(data.curves, s.objective)),
        (_progress_title(data), _progress_note(data) + draw_progress(data.progress, s.objective)),
        ("Hyperparameters against the objective", _params(data)),
        ("Trials", '<div class="tools"><input id="filter" type="search" placeholder="filter '
                   'rows (trial id, status, value...)"><button id="prev">&lt;</button>'
                   '<button id="next">&gt;</button><span id="pageinfo"></span></div>'
                   '<div class="tablewrap"><table id="trials"></table></div>'),
        ("Settings and plan", f'<table class="kv">{_rows(s.settings)}</table>'
                              + _plan_table(data.plan)
                              + (f'<h3>Best hyperparameters</h3><table class="kv">'
                                 f'{_rows(s.best_values)}</table>' if s.best_values else "")),
    ]
    body = "".join(f"<section><h2>{esc(title)}</h2>{html}</section>" for title, html in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{esc(data.title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(data.title)}{badge}</h1><div class=\"sub\">{esc(s.algorithm)} · "
        f"objective {esc(said)} · started {_when(s.started_at)} · "
        f"last change {_when(s.updated_at)}</div>{_cards(s)}{_search(s)}</header>"
        f"<main>{body}</main>"
        '<div id="tip"></div>'
        f'<script type="application/json" id="rung-data">{_data_json(data, live)}</script>'
        f"<script>{SCRIPT}</script></body></html>"
    )


def _progress_title(data: ReportData) -> str:
    return ("Best objective against jobs finished" if data.progress.by_jobs
            else "Best objective against epochs spent")


def _progress_note(data: ReportData) -> str:
    if not data.progress.by_jobs:
        return ""
    return ('<p class="note">No job reported an epoch (each trains as long as its code '
            'decides): jobs are placed in the order they finished.</p>')


def _bracket_range(data: ReportData) -> tuple[float, float] | None:
    """The value range of the bracket dots' colour scale: the results' range, robustly."""
    values = [j.value for b in data.brackets.brackets for r in b.rungs for j in r.jobs
              if j.value is not None]
    return robust_range(values)
