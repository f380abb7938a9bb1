"""The report and the dashboard in a real browser: headless Chromium (see ``browser.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rung.report import build_report, write_report
from rung.report.dashboard import Dashboard
from rung.storage import SQLiteStorage, get_storage
from rung.trial_record import TrialRecord

from .browser import launch, non_blank_fraction

TIMEOUT_MS = 60_000  # a generous bound on waiting for the page; never a measured duration


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch() as browser:
        yield browser


class Page:
    """A browser page that records console errors and uncaught exceptions."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(TIMEOUT_MS)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())


def _check_drawn(page: Page, data: Any, shots: Path) -> None:
    """Every plot is in the page with its paths, and its pixels are not blank."""
    assert page.count("svg.plot path.c") == len(data.curves.segments) > 0
    assert page.count("svg.bracket") == len(data.brackets.brackets)
    assert page.count("svg.bracket circle[data-t]") == data.summary.jobs
    assert page.count("svg.param") == len(data.params)
    assert page.page.locator("svg.plot path.best").get_attribute("d").startswith("M")
    png = page.page.screenshot(path=str(shots / "page.png"), full_page=True)
    assert non_blank_fraction(png) > 0.05
    for i, svg in enumerate(page.page.locator("svg.plot").all()):
        assert non_blank_fraction(svg.screenshot(path=str(shots / f"plot{i}.png"))) > 0.02


def test_the_report_in_chromium(browser: Any, hb_project: Path, tmp_path: Path) -> None:
    with get_storage(hb_project) as storage:
        data = build_report(storage)
    out = write_report(hb_project, tmp_path / "report.html")
    page = Page(browser)
    page.page.goto(out.as_uri())
    page.page.wait_for_selector("#trials tbody tr")
    _check_drawn(page, data, tmp_path)
    assert page.count("#trials tbody tr") == min(50, data.summary.jobs)
    # sort by the objective: the best trial comes first, then last when sorted again
    header = page.page.locator("#trials th", has_text=data.summary.objective)
    header.click()
    first = page.page.locator("#trials tbody tr").first.locator("td").first
    assert first.text_content() == data.summary.best_trial
    header.click()
    assert first.text_content() != data.summary.best_trial
    # hovering a promoted job's curve shows it and lights its lineage
    joined = next(s for s in data.curves.segments if s.joined)
    # (a thin line's box centre is rarely on the line: the event is dispatched on the path)
    page.page.locator(f'svg.plot path.c[data-t="{joined.trial_id}"]').dispatch_event(
        "mouseover")
    assert f"trial {joined.trial_id}" in page.page.locator("#tip").inner_text()
    lit = page.page.eval_on_selector_all(".hl", "els => els.map(e => e.getAttribute('data-t'))")
    assert {joined.trial_id, joined.parent_id} <= set(lit)
    page.page.fill("#filter", "FAILED")
    assert page.count("#trials tbody tr") == dict(data.summary.by_status)["FAILED"]
    assert page.errors == []


def test_the_dashboard_in_chromium_follows_the_search(browser: Any, hb_project: Path,
                                                      tmp_path: Path) -> None:
    project = tmp_path / "hyperband"
    shutil.copytree(hb_project, project)
    with get_storage(project) as storage:
        data = build_report(storage)
    with Dashboard(project, refresh_s=0.2) as board:
        page = Page(browser)
        page.page.goto(board.url)
        page.page.locator("#live", has_text="jobs").wait_for()  # it polled the server
        _check_drawn(page, data, tmp_path)
        with SQLiteStorage(project / "rung.db") as writer:  # the search starts a job
            writer.create_trial(TrialRecord("job-x", {"learning_rate": 0.01}, bracket=0,
                                            rung=0, epochs=9))
        # the page reloads itself with the new job (waits use selectors: the page's
        # Content-Security-Policy forbids the eval that wait_for_function would need)
        page.page.locator('svg.bracket circle[data-t="job-x"]').wait_for()
        page.page.fill("#filter", "job-x")
        assert page.count("#trials tbody tr") == 1
        assert page.errors == []
