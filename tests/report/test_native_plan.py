"""The report of a search run by an oracle of one's own (docs/architecture.md, "Writing an
oracle"): its plan and progress, from the plan its tuner stored, as ``rung status`` shows them."""

from __future__ import annotations

from pathlib import Path

import rung
from native_oracle_example import documented_oracle, lr_space, train
from rung.cli.status import project_status
from rung.report import build_report
from rung.report.plan import search_plan
from rung.report.render import render_html
from rung.storage import open_project


def short_then_long() -> rung.oracles.Oracle:
    """The documented ``ShortThenLong`` (10 jobs, 36 epochs)."""
    return documented_oracle()(objective="loss", hyperparameters=lr_space(), seed=0)


def test_the_report_shows_a_native_oracles_plan_and_progress(tmp_path: Path) -> None:
    tuner = rung.Tuner(short_then_long(), run_trial=train, directory=str(tmp_path),
                       project_name="p", verbose=0)
    tuner.search(max_epochs_total=12)  # the first 4 jobs, of 3 epochs each
    tuner.storage.close()
    with open_project(tmp_path / "p") as storage:
        plan = search_plan(storage.get_settings())
        data = build_report(storage)
        status = project_status(storage)
    assert (plan.algorithm, plan.jobs, plan.epochs, plan.brackets) == ("ShortThenLong", 10, 36,
                                                                       ())
    summary = data.summary
    assert (summary.jobs, summary.planned_jobs) == (4, 10) == (status.jobs, status.jobs_planned)
    assert (summary.epochs_spent, summary.planned_epochs) == (12, 36) == (status.epochs_spent,
                                                                         status.epochs_planned)
    page = render_html(data)
    assert "4 / 10" in page and "12 / 36" in page
    assert "Planned: 10 jobs, 36 epochs; no bracket plan." in page
    # the stored plan is shown as the plan, not among the settings
    assert dict(summary.settings)["n"] == "8" and not any(
        key.startswith("plan") for key, _ in summary.settings)
