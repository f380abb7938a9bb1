"""Long and unicode hyperparameter names and values: the page stays within the window, no title
runs into its neighbour or out of its plot, and the whole text is a hover away."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rung.report._svg import fit_label
from rung.report.data import report_from_snapshot
from rung.report.render import render_html
from rung.report.snapshot import ParamSpec

from .browser import launch
from .helpers import job, snapshot

LONG = "a_very_long_hyperparameter_name_" * 4
VALUE = "x" * 160
WIDTH = 1280  # the browser window


def _page() -> str:
    values = [{"lr": 0.01 * (i + 1), LONG + "1": VALUE if i % 2 else "short",
               LONG + "2": 0.1 * i, "modèle-模型": "ünïcødé-模型"} for i in range(4)]
    snap = snapshot(*(job(str(i), value=1.0 + i, values=v) for i, v in enumerate(values)),
                    space=(ParamSpec("lr", "numeric", log=True),
                           ParamSpec(LONG + "1", "categorical", categories=(VALUE, "short")),
                           ParamSpec(LONG + "2", "numeric"),
                           ParamSpec("modèle-模型", "categorical",
                                     categories=("ünïcødé-模型",))))
    return render_html(report_from_snapshot(snap, title="long names"))


def test_fit_label_cuts_the_middle_to_the_pixels() -> None:
    assert fit_label("lr (log)", 200) == "lr (log)"
    cut = fit_label(LONG + "2", 200)
    assert len(cut) * 12 * 0.64 <= 200 and "…" in cut
    assert cut.startswith("a_very_long") and cut.endswith("name_2")


def test_a_long_axis_title_is_cut_to_its_plot_and_whole_in_its_tooltip() -> None:
    page = _page()
    svgs = re.findall(r'<svg class="param" viewBox="0 0 (\d+) \d+".*?</svg>', page, re.S)
    assert len(svgs) == 4
    titles = re.findall(r'<text class="label" x="(\d+)"[^>]*>(.*?)</text>', page)
    long_ones = [(x, t) for x, t in titles if "very_long" in t]
    assert len(long_ones) == 2
    for x, text in long_ones:
        assert text.startswith(f"<title>{LONG}")  # the whole name on hover
        shown = text[text.index("</title>") + len("</title>"):]
        half = len(shown) * 12 * 0.64 / 2  # at most this wide: it stays inside its plot
        assert half <= int(x) and int(x) + half <= 310, (x, shown)


def test_a_long_caption_has_its_whole_name_in_its_tooltip() -> None:
    page = _page()
    assert f'<figcaption title="{LONG}1">' in page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as browser:
        yield browser


def test_long_names_stay_inside_the_window_and_their_plots(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text(_page(), encoding="utf-8")
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.goto(out.as_uri())
    page.wait_for_selector("#trials tbody tr")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # each section's content stays inside its card
    over = page.evaluate("""() => Array.from(document.querySelectorAll('section table.kv'))
        .filter(t => t.getBoundingClientRect().right >
                     t.closest('section').getBoundingClientRect().right).length""")
    assert over == 0
    # captions neither overlap one another nor leave their figure
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.params figure'))
        .map(f => [f.getBoundingClientRect().toJSON(),
                   f.querySelector('figcaption').getBoundingClientRect().toJSON(),
                   f.querySelector('figcaption').scrollWidth])""")
    assert len(boxes) == 4
    for figure, caption, _ in boxes:
        assert figure["left"] <= caption["left"] and caption["right"] <= figure["right"] + 0.5
    # an axis title's box is inside its plot
    spill = page.evaluate("""() => Array.from(document.querySelectorAll('svg.param'))
        .map(s => [s.getBoundingClientRect().toJSON(),
                   Array.from(s.querySelectorAll('text.label'))
                        .map(t => t.getBoundingClientRect().toJSON())])""")
    for svg, labels in spill:
        for label in labels:
            assert svg["left"] - 0.5 <= label["left"] and label["right"] <= svg["right"] + 0.5
            assert svg["top"] - 0.5 <= label["top"] and label["bottom"] <= svg["bottom"] + 0.5
    # a trial-table cell with a long value is cut, its whole text in its tooltip
    cell = page.locator("#trials td", has_text="xxxxxxxx").first
    assert cell.get_attribute("title") == VALUE
    assert cell.bounding_box()["width"] < 400
    page.close()
