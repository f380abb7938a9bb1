"""What the commands say of a job's objective and epochs where there is nothing to say: a NaN
objective, a single-fidelity job that reported no epoch, a project with no stored objective."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import rung
from rung.cli import main
from rung.cli.status import project_status
from rung.report import build_report
from rung.report.render import render_html
from rung.storage import SQLiteStorage, open_project
from rung.trial_record import TrialRecord, TrialStatus


def nan_for_large_x(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    return {"loss": float("nan") if x > 0.5 else x}


@pytest.fixture(scope="module")
def nan_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("nan")
    tuner = rung.RandomSearch(run_trial=nan_for_large_x, objective="loss", max_trials=6, seed=0,
                              directory=directory, project_name="p", verbose=0,
                              max_consecutive_failed_trials=10)
    tuner.search()
    tuner.storage.close()
    return directory / "p"


def test_a_nan_objective_is_blank_in_every_format(nan_project: Path, capsys) -> None:
    assert main(["trials", str(nan_project), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    failed = [r["trial_id"] for r in rows if r["status"] == "FAILED"]
    assert failed and all(r["objective"] is None for r in rows if r["trial_id"] in failed)
    assert main(["trials", str(nan_project), "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["objective"] for r in table if r["trial_id"] in failed] == [""] * len(failed)
    assert [r["metric.loss"] for r in table if r["trial_id"] in failed] == ["nan"] * len(failed)
    assert main(["trials", str(nan_project)]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = lines[0].split()
    for line in lines[2:]:
        cells = dict(zip(heads, line.split(), strict=True))
        if cells["trial_id"] in failed:
            assert cells["objective"] == "-"
    with open_project(nan_project) as storage:
        report = build_report(storage)
    objective = [c.key for c in report.table.columns].index("objective")
    assert [r[objective] for r in report.table.rows if r[0] in failed] == [None] * len(failed)


def final_only(trial: rung.Trial) -> dict[str, float]:
    return {"loss": (trial.hyperparameters.Float("x", 0.0, 1.0) - 0.3) ** 2}


def four_epochs(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(1, 5):
        trial.report(epoch, loss=x + 1 / epoch)
    return {"loss": x + 0.25}


@pytest.mark.parametrize("tuner_class", [rung.RandomSearch, rung.BayesianOptimization])
def test_single_fidelity_epochs_are_those_reported(tuner_class, tmp_path: Path,
                                                   capsys) -> None:
    for name, train in (("final", final_only), ("epochs", four_epochs)):
        tuner = tuner_class(run_trial=train, objective="loss", max_trials=3, seed=0,
                            directory=tmp_path, project_name=name, verbose=0)
        tuner.search()
        tuner.storage.close()
    assert main(["best", str(tmp_path / "final")]) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] is None  # none reported: not 0
    assert main(["best", str(tmp_path / "epochs")]) == 0
    assert json.loads(capsys.readouterr().out)["epochs"] == 4
    with open_project(tmp_path / "final") as storage:
        assert project_status(storage).to_json()["best"]["epochs"] is None
        final = build_report(storage)
    with open_project(tmp_path / "epochs") as storage:
        assert project_status(storage).best["epochs"] == 4
        reported = build_report(storage)
    # no epoch anywhere: the jobs go on the x axis, in the order they finished
    assert final.progress.by_jobs and [p.jobs for p in final.progress.points] == [1, 2, 3]
    page = render_html(final)
    assert "Best objective against jobs finished" in page and "jobs finished</text>" in page
    assert "epochs spent<b>none reported" in page
    assert "epochs the job reached:" not in page
    # epochs reported: each job is charged them
    assert not reported.progress.by_jobs
    assert [p.epochs_spent for p in reported.progress.points] == [4, 8, 12]
    assert "Best objective against epochs spent" in render_html(reported)


def test_trials_show_no_epochs_for_a_job_that_reported_none(tmp_path: Path, capsys) -> None:
    """``rung trials`` agrees with ``rung best``: a single-fidelity job that returned only its
    final metrics trained an unknown number of epochs (``-``, an empty CSV cell, null), not 0;
    a job that reported its epochs, and a Hyperband job (planned epochs), keep their numbers."""
    for name, train in (("final", final_only), ("epochs", four_epochs)):
        tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2, seed=0,
                                  directory=tmp_path, project_name=name, verbose=0)
        tuner.search()
        tuner.storage.close()
    tuner = rung.Hyperband(run_trial=final_only, objective="loss", max_epochs=3, factor=3,
                           hyperband_iterations=1, seed=0, directory=tmp_path,
                           project_name="hyperband", verbose=0)
    tuner.search()
    tuner.storage.close()
    final, epochs, hyperband = (str(tmp_path / n) for n in ("final", "epochs", "hyperband"))
    assert main(["trials", final, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["epochs"], r["epochs_trained"]) for r in rows] == [(None, None)] * 2
    assert main(["trials", final, "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["epochs"], r["epochs_trained"]) for r in table] == [("", "")] * 2
    assert main(["trials", final]) == 0
    lines = capsys.readouterr().out.splitlines()
    heads = lines[0].split()
    cells = [dict(zip(heads, line.split(), strict=True)) for line in lines[2:]]
    assert [(c["epochs"], c["epochs_trained"]) for c in cells] == [("-", "-")] * 2
    assert main(["trials", epochs, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["epochs"], r["epochs_trained"]) for r in rows] == [(4, 4)] * 2
    assert main(["trials", hyperband, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(isinstance(r["epochs"], int) and r["epochs"] > 0 for r in rows)
    assert all(isinstance(r["epochs_trained"], int) for r in rows)


def test_a_project_without_a_stored_objective_reads_the_same_everywhere(tmp_path: Path,
                                                                         capsys) -> None:
    """A storage written directly, with no settings: its jobs are ranked by their stored loss,
    and ``rung status``, ``rung best`` and the report all say so, by the same name."""
    with SQLiteStorage(tmp_path / "rung.db", create=True) as storage:
        for i, x in enumerate([0.5, 0.2, 0.9]):
            trial_id = f"{i:05d}"
            storage.create_trial(TrialRecord(trial_id, {"x": x}, epochs=3, created_at=1e9 + i))
            storage.finish_trial(trial_id, TrialStatus.COMPLETED, metrics={"acc": 1 - x},
                                 loss=x, finished_at=1e9 + i + 0.5, epochs_reached=3)
    said = "objective not recorded (jobs ranked by the loss each stored, lowest first)"
    assert main(["status", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"project {tmp_path}: unknown, {said}\n" in out
    assert "best: trial 00001 loss=0.2 after 3 epochs" in out and "objective objective" not in out
    assert main(["best", str(tmp_path)]) == 0
    best = json.loads(capsys.readouterr().out)
    assert (best["trial_id"], best["objective"], best["value"]) == ("00001", "loss", 0.2)
    with open_project(tmp_path) as storage:
        data = build_report(storage)
    assert (data.summary.objective, data.summary.direction) == ("loss", "min")
    assert (data.summary.best_trial, data.summary.best_value) == ("00001", 0.2)
    page = render_html(data)
    assert said in page and "default_objective" not in page
    assert "best loss (min)<b>0.2<" in page
