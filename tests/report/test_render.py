from __future__ import annotations

import json
import re

import pytest

from rung.errors import ArgumentTypeError
from rung.report.data import report_from_snapshot
from rung.report.render import Live, render_html
from rung.report.snapshot import ParamSpec
from rung.trial_record import TrialStatus

from .helpers import job, snapshot

NASTY = '</script><img src=x onerror="alert(1)">'


def _page(live: Live | None = None) -> tuple[str, object]:
    snap = snapshot(
        job("0", value=2.0, values={"lr": 0.1, "act": NASTY}),
        job("1", value=3.0, values={"lr": 0.2, "act": "relu"}),
        job("2", rung=1, epochs=3, initial_epoch=1, parent_id="0", value=1.0,
            values={"lr": 0.1, "act": NASTY}),
        job("3", status=TrialStatus.FAILED, values={"lr": 0.3, "act": "relu"},
            error="ValueError: </script>"),
        space=(ParamSpec("lr", "numeric", log=True), ParamSpec("act", "categorical")))
    data = report_from_snapshot(snap, title="demo <project>")
    return render_html(data, live), data


def _embedded(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="rung-data">(.*?)</script>', page,
                      re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))


def test_the_page_is_self_contained() -> None:
    page, _ = _page()
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<(link|iframe|object|embed)\b", page)
    assert not re.search(r"<\w+[^<>]*\s(src|href)\s*=", page), "an element loads something"
    assert "http://" not in page and "https://" not in page
    assert page.count("<script") == 2  # the data and the script, both inline


def test_every_part_is_drawn() -> None:
    page, data = _page()
    for title in ("Brackets and rungs", "Learning curves", "Best objective against epochs spent",
                  "Hyperparameters against the objective", "Trials", "Settings and plan"):
        assert f"<h2>{title}</h2>" in page
    assert len(re.findall(r'<path class="c( p)?"', page)) == len(data.curves.segments) == 3
    assert page.count('<path class="c p"') == 2  # one-epoch jobs are dots
    assert page.count('class="bracket"') == len(data.brackets.brackets)
    assert page.count('<svg class="param"') == 2
    assert 'class="best" d="M' in page and 'class="promo" d="M' in page


def test_user_strings_are_escaped_and_the_data_round_trips() -> None:
    page, data = _page()
    assert NASTY not in page and "<title>demo &lt;project&gt;</title>" in page
    embedded = _embedded(page)
    assert embedded["rows"] == [list(r) for r in data.table.rows]
    assert [c[0] for c in embedded["columns"]] == [c.key for c in data.table.columns]
    assert "live" not in embedded


def test_live_pages_poll_the_state_endpoint() -> None:
    page, _ = _page(Live("/state.json", 1.5, "7-4"))
    assert _embedded(page)["live"] == {"url": "/state.json", "every_ms": 1500, "token": "7-4"}
    assert 'id="live"' in page


def test_an_empty_project_renders() -> None:
    page = render_html(report_from_snapshot(snapshot()))
    assert "No epoch reported yet." in page and "No result yet." in page


def test_render_html_checks_its_arguments() -> None:
    with pytest.raises(ArgumentTypeError, match="data must be a ReportData"):
        render_html({"rows": []})  # type: ignore[arg-type]
    _, data = _page()
    with pytest.raises(ArgumentTypeError, match="live must be None or"):
        render_html(data, live="yes")  # type: ignore[arg-type]


def test_the_bracket_legend_names_the_colour_each_dot_has() -> None:
    """Grey is a finished job without an objective value; a pruned job with a value is coloured
    by it, as the completed ones (the legend once said grey meant pruned)."""
    snap = snapshot(
        job("0", value=1.0), job("1", value=3.0), job("2", value=2.0, status=TrialStatus.PRUNED),
        job("3", status=TrialStatus.COMPLETED), job("4", status=TrialStatus.FAILED),
        job("5", status=TrialStatus.RUNNING))
    page = render_html(report_from_snapshot(snap))
    legend = re.search(r'<p class="legend">dot colour:(.*?)</p>', page)
    assert legend is not None
    swatches = dict((colour, label.strip()) for colour, label in re.findall(
        r'<span class="sw" style="background:(#\w+)"></span>([^<]*)', legend.group(1)))
    fills = dict((t, fill) for fill, t in re.findall(
        r'<circle cx="[\d.]+" cy="[\d.]+" r="[\d.]+" fill="(#\w+)"[^>]*data-t="(\d+)"', page))
    assert swatches[fills["3"]] == "no objective value"
    assert swatches[fills["4"]] == "failed"
    assert fills["2"] not in swatches and fills["2"] not in (fills["0"], fills["1"])  # on the ramp
    assert "pruned" not in " ".join(swatches.values())
    assert "a pruned job's is the value it was stopped at" in legend.group(1)
