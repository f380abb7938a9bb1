"""Details of what the ``rung`` commands print: a list objective named, no plan as null, an
empty filter said as such, an empty database, singular nouns."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import rung
from rung.cli import main
from rung.cli.status import project_status
from rung.cli.status_text import format_status
from rung.report import build_report
from rung.storage import InMemoryStorage, open_project
from rung.storage.table import BASE_COLUMNS, folded_formula
from rung.trial_record import TrialRecord, TrialStatus


def test_a_list_objective_is_named_by_the_loss_it_folds_into(tmp_path: Path, capsys) -> None:
    def train(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        return {"loss": x, "acc": 1 - x / 2}

    tuner = rung.RandomSearch(run_trial=train, objective=["loss", rung.Objective("acc", "max")],
                              max_trials=3, seed=0, directory=tmp_path, project_name="multi",
                              verbose=0)
    tuner.search()
    tuner.storage.close()
    project = str(tmp_path / "multi")
    assert main(["status", project]) == 0
    out = capsys.readouterr().out
    assert (f"project {project}: RandomSearchOracle, objective loss - acc, minimised (loss min, "
            "acc max)\n") in out
    assert main(["best", project]) == 0
    best = json.loads(capsys.readouterr().out)
    metrics = best["metrics"]
    assert best["objective"] == "loss - acc"
    assert best["value"] == metrics["loss"] - metrics["acc"]
    assert f"best: trial {best['trial_id']} loss - acc={best['value']:.6g} " in out
    with open_project(project) as storage:
        assert build_report(storage).summary.objective == "loss - acc"


def test_folded_formula_signs() -> None:
    assert folded_formula([("loss", "min"), ("acc", "max")]) == "loss - acc"
    assert folded_formula([("acc", "max"), ("a", "min"), ("b", "min")]) == "-acc + a + b"


def test_asha_promotions_plan_no_jobs_null_not_zero() -> None:
    storage = InMemoryStorage()
    storage.set_settings({"oracle": "ASHAOracle", "mode": "promotion", "min_epochs": 1,
                          "max_epochs": 9, "factor": 3, "objective": {"name": "loss",
                                                                      "direction": "min"}})
    status = project_status(storage)
    assert status.to_json()["jobs_planned"] is None
    assert status.to_json()["epochs_planned"] is None


def test_a_status_filter_without_match_says_which(hyperband_project, capsys) -> None:
    project, _ = hyperband_project
    assert main(["trials", str(project), "--status", "running"]) == 0
    assert capsys.readouterr().out == "no running trials (of the 22 in the project)\n"
    assert main(["trials", str(project), "--status", "pruned", "running"]) == 0
    assert capsys.readouterr().out == "no pruned or running trials (of the 22 in the project)\n"
    assert main(["trials", str(project), "--status", "running", "--format", "csv"]) == 0
    header = capsys.readouterr().out.strip().split(",")
    assert header[:len(BASE_COLUMNS)] == list(BASE_COLUMNS) and "hp.x" in header
    assert main(["trials", str(project), "--status", "running", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_an_empty_database_is_called_empty(tmp_path: Path, capsys) -> None:
    """What a kill while a project is created leaves: a 0-byte rung.db (a search creating it
    leaves it so for an instant, until SQLite writes its header), or one with no table."""
    (tmp_path / "rung.db").write_bytes(b"")
    assert main(["status", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the file is empty (0 bytes), it holds no project" in err
    assert "try again in a moment" in err and "running the search again creates it" in err
    assert "without rung's tables" not in err
    sqlite3.connect(tmp_path / "rung.db").execute("PRAGMA journal_mode = WAL").close()
    assert (tmp_path / "rung.db").stat().st_size > 0  # a header, no table
    assert main(["status", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "the database is empty (no tables)" in err and "running the search again" in err


def test_one_epoch_is_singular() -> None:
    storage = InMemoryStorage()
    storage.set_settings({"oracle": "HyperbandOracle", "max_epochs": 9, "factor": 3,
                          "hyperband_iterations": 1, "objective": {"name": "loss",
                                                                   "direction": "min"}})
    storage.create_trial(TrialRecord("00000", {"x": 0.5}, epochs=1, bracket=2, rung=0,
                                     created_at=1.0))
    storage.finish_trial("00000", TrialStatus.COMPLETED, metrics={"loss": 0.5}, loss=0.5,
                         epochs_reached=1)
    text = format_status(project_status(storage), "p")
    assert "after 1 epoch {" in text and "epochs" not in text.split("best:")[1].split("\n")[0]
    assert "    rung 0 (   1 epoch):      1/9 jobs  (1 completed)" in text
    assert "    rung 1 (   3 epochs):     0/3 jobs" in text
