"""``rung status`` and the HTML report read the same project: their header numbers agree."""

from __future__ import annotations

import shutil
from pathlib import Path

from rung.cli import main
from rung.cli.status import project_status
from rung.report import build_report
from rung.report.render import render_html
from rung.storage import SQLiteStorage, open_project
from rung.trial_record import TrialRecord


def with_a_running_job(project: Path, tmp_path: Path, reported: int) -> Path:
    """A copy of ``project`` with one more job, running, that trained from epoch 3 and has
    reported ``reported`` epochs (as a search killed mid-job leaves it)."""
    copy = tmp_path / "running"
    shutil.copytree(project, copy)
    with SQLiteStorage(copy / "rung.db") as storage:
        storage.create_trial(TrialRecord("00099", {"x": 0.5, "kind": "a"}, epochs=9,
                                         initial_epoch=3, bracket=0, rung=0, iteration=1,
                                         created_at=2e9))
        for epoch in range(4, 4 + reported):
            storage.report("00099", epoch, {"loss": 0.5, "accuracy": 0.5})
    return copy


def test_epochs_spent_count_the_running_jobs_reports_in_both(hyperband_project, tmp_path: Path,
                                                              capsys) -> None:
    project, _ = hyperband_project
    with open_project(project) as storage:
        finished = project_status(storage).epochs_spent
    copy = with_a_running_job(project, tmp_path, reported=2)
    with open_project(copy) as storage:
        status = project_status(storage)
        data = build_report(storage)
    assert status.epochs_spent == data.summary.epochs_spent == finished + 2
    assert status.epochs_running == data.summary.epochs_running == 2
    assert "2 of them by running jobs" in render_html(data)
    assert main(["status", str(copy)]) == 0
    assert f"epochs: {finished + 2} of 69 planned ({(finished + 2) / 69:.0%}), 2 of them by " \
           "running jobs\n" in capsys.readouterr().out


def test_a_finished_search_has_no_running_epochs(hyperband_project, capsys) -> None:
    project, _ = hyperband_project
    with open_project(project) as storage:
        status = project_status(storage)
        data = build_report(storage)
    assert status.epochs_spent == data.summary.epochs_spent and status.epochs_running == 0
    assert "by running jobs" not in render_html(data)


def test_the_best_trial_agrees_when_values_tie(tmp_path: Path, capsys) -> None:
    """A configuration whose value does not change with epochs ties with its own promotions:
    ``rung status``, ``rung best`` and the report all name the job with more epochs (as the
    oracles rank), not the report the earliest one."""
    import json

    import rung

    def flat(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=round(x, 2))
        return {"loss": round(x, 2)}

    tuner = rung.Hyperband(run_trial=flat, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path, project_name="tie", verbose=0)
    tuner.search()
    tuner.storage.close()
    project = tmp_path / "tie"
    with open_project(project) as storage:
        status = project_status(storage)
        data = build_report(storage)
        best = storage.get_trial(status.best["trial_id"])
    assert best.parent_id is not None  # a promoted job, tied with its parent
    assert main(["best", str(project)]) == 0
    said = json.loads(capsys.readouterr().out)["trial_id"]
    assert data.summary.best_trial == said == best.trial_id
