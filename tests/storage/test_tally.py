"""``Storage.tally()``: SQLite's aggregate queries give exactly what counting the records gives.

The reference is the base class's default (``Storage.tally``, which counts ``trial_outlines()``
one record at a time); ``SQLiteStorage.tally`` answers with ``GROUP BY`` queries. Both are
compared on real projects: finished searches with completed, pruned and failed jobs, a snapshot
taken while a job was running, extra RUNNING jobs with and without reports, a project without
brackets (and the same as an older rung stored it, without the epoch each job reached), and a
file written by rung 0.1 (no ``epochs_reached`` column) opened read-only.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import rung
from rung.cli.status import project_status
from rung.cli.status_text import format_status
from rung.storage import SQLiteStorage, Storage, open_project
from rung.storage.tally import Tally
from rung.trial_record import TrialRecord, TrialStatus

OLD = Path(__file__).parent / "data" / "rung-0.1-hyperband.db"


def _snapshot(source: Path, target: Path) -> None:
    """A consistent copy of the database at ``source`` (WAL included) at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def _train(snapshot: Path | None):
    def train(trial: rung.Trial) -> dict[str, float]:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if trial.trial_id == "00003":
            raise rung.FailedTrialError("a configuration that cannot train")
        last = trial.epochs or 3  # a random search sets no epochs
        for epoch in range(trial.initial_epoch + 1, last + 1):
            trial.report(epoch, loss=(x - 0.3) ** 2 + 1 / epoch)
            if snapshot is not None and trial.trial_id == "00009" and epoch == 2:
                _snapshot(snapshot / "live" / "rung.db", snapshot / "copy" / "rung.db")
        return {"loss": (x - 0.3) ** 2 + 1 / last}
    return train


def _asha(directory: Path) -> Path:
    """ASHA's stopping variant: completed, pruned and failed jobs, and a copy of the project
    taken while job 00009 was running (after its second epoch)."""
    oracle = rung.oracles.ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=12,
                                     mode="stopping", seed=0)
    tuner = rung.Tuner(oracle, run_trial=_train(directory), directory=directory,
                       project_name="live", verbose=0, max_consecutive_failed_trials=5)
    tuner.search()
    tuner.storage.close()
    return directory


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tally")
    asha = _asha(root / "asha")
    hyperband = rung.Hyperband(run_trial=_train(None), objective="loss", max_epochs=9, factor=3,
                               seed=1, directory=root, project_name="hb", verbose=0,
                               max_consecutive_failed_trials=5)
    hyperband.search()
    hyperband.storage.close()
    random = rung.RandomSearch(run_trial=_train(None), objective="loss", max_trials=6, seed=2,
                               directory=root, project_name="random", verbose=0,
                               max_consecutive_failed_trials=5)
    random.search()
    random.storage.close()
    more = root / "more_running" / "rung.db"
    _snapshot(asha / "copy" / "rung.db", more)
    with SQLiteStorage(more) as storage:  # two more jobs in flight: one reported, one not yet
        storage.create_trial(TrialRecord("r1", {"x": 0.5}, epochs=9, initial_epoch=3,
                                         parent_id="00000", bracket=0, rung=2, created_at=5.0))
        storage.report("r1", 4, {"loss": 0.9})
        storage.report("r1", 5, {"loss": 0.8})
        storage.create_trial(TrialRecord("r2", {"x": 0.1}, epochs=3, initial_epoch=1,
                                         bracket=0, rung=1, created_at=0.0))
    unreached = root / "random-unreached" / "rung.db"
    _snapshot(root / "random" / "rung.db", unreached)
    conn = sqlite3.connect(unreached)  # as stored before single-fidelity jobs kept it
    with conn:
        conn.execute("UPDATE trials SET epochs_reached = NULL")
    conn.close()
    old = root / "old" / "rung.db"
    old.parent.mkdir()
    shutil.copy(OLD, old)
    return {"asha": asha / "live", "asha-while-running": asha / "copy", "hyperband": root / "hb",
            "random": root / "random", "random-unreached": unreached.parent,
            "more-running": more.parent, "rung-0.1": old.parent}


def _both(project: Path) -> tuple[Tally, Tally]:
    with open_project(project) as storage:
        return storage.tally(), Storage.tally(storage)


@pytest.mark.parametrize("name", ["asha", "asha-while-running", "hyperband", "random",
                                  "random-unreached", "more-running", "rung-0.1"])
def test_the_aggregate_queries_equal_counting_the_records(projects, name: str) -> None:
    fast, slow = _both(projects[name])
    assert fast == slow
    assert list(fast.counts) == list(slow.counts)  # the statuses in the order first met
    with open_project(projects[name]) as storage:
        records = storage.trials()
    assert sum(fast.counts.values()) == len(records) > 0
    assert fast.best_id is not None and fast.first_change is not None


def test_the_projects_hold_what_the_comparison_needs(projects) -> None:
    """Every status, running jobs with and without reports, rungs, and jobs that stopped early:
    the comparison above covers each part of the queries."""
    statuses = {name: set(_both(path)[0].counts) for name, path in projects.items()}
    assert statuses["asha"] == {TrialStatus.COMPLETED, TrialStatus.PRUNED, TrialStatus.FAILED}
    assert TrialStatus.RUNNING in statuses["asha-while-running"]
    fast, _ = _both(projects["more-running"])
    assert fast.counts[TrialStatus.RUNNING] == 3
    with open_project(projects["asha-while-running"]) as storage:
        before = storage.tally().epochs_trained
    assert fast.epochs_trained == before + (5 - 3) + 0  # r1 reported epochs 4, 5; r2 none
    assert any(r.status is TrialStatus.RUNNING for r in fast.rungs)
    assert not _both(projects["random"])[0].rungs  # no brackets: no rung counts
    # a random search leaves the length to the function: 3 epochs each, as its reports say,
    # whether its records keep the epoch reached or not; the failed job reported none
    completed = _both(projects["random"])[0].counts[TrialStatus.COMPLETED]
    assert _both(projects["random-unreached"])[0].epochs_trained == 3 * completed
    assert _both(projects["random"])[0].epochs_trained == 3 * completed
    with open_project(projects["asha"]) as storage:
        pruned = storage.trials(TrialStatus.PRUNED)
    assert any(r.epochs_reached is not None and r.epochs_reached < r.epochs for r in pruned)


def test_a_tie_on_the_loss_goes_to_more_epochs_then_to_the_earlier_job(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "rung.db", create=True) as storage:
        for trial_id, epochs, loss in (("a", 1, 0.5), ("b", 3, 0.5), ("c", 3, 0.5), ("d", 9, 0.7)):
            storage.create_trial(TrialRecord(trial_id, {}, epochs=epochs, created_at=1.0))
            storage.finish_trial(trial_id, TrialStatus.COMPLETED, {"loss": loss}, loss=loss)
        assert storage.tally().best_id == Storage.tally(storage).best_id == "b"


def test_rung_status_prints_the_same_from_either_tally(projects, monkeypatch) -> None:
    for name, path in projects.items():
        with open_project(path) as storage:
            fast = project_status(storage, now=1e10)
            monkeypatch.setattr(storage, "tally", lambda s=storage: Storage.tally(s))
            slow = project_status(storage, now=1e10)
        assert fast == slow, name
        assert format_status(fast, name) == format_status(slow, name)
