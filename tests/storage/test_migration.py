"""A project written by rung 0.1 (storage schema 1, oracle state 1) resumes with this rung.

``data/rung-0.1-hyperband.db`` was made by rung 0.1 (commit 9b2d0fa): Hyperband (R=9, eta=3,
seed 0) on ``_train`` below, stopped after 10 completed jobs with the 11th running.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import rung
from rung.storage import InMemoryStorage, SQLiteStorage
from rung.storage._sqlite_schema import SCHEMA_VERSION
from rung.trial_record import TrialStatus

DATA = Path(__file__).parent / "data" / "rung-0.1-hyperband.db"


def _train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    c = trial.hyperparameters.Choice("c", ["a", "b"])
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=(x - 0.7) ** 2 + 1 / epoch)
    return {"loss": (x - 0.7) ** 2 + (0.05 if c == "b" else 0) + 1 / trial.epochs}


def _tuner(**kwargs: object) -> rung.Hyperband:
    return rung.Hyperband(run_trial=_train, objective="loss", max_epochs=9, factor=3, seed=0,
                          verbose=0, **kwargs)  # type: ignore[arg-type]


def test_a_version_1_file_is_migrated_and_the_search_resumes_exactly(tmp_path: Path) -> None:
    with sqlite3.connect(DATA) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (1,)
    project = tmp_path / "v1"
    project.mkdir()
    shutil.copy(DATA, project / "rung.db")
    resumed = _tuner(directory=tmp_path, project_name="v1")
    before = {r.trial_id: r for r in resumed.storage.trials(TrialStatus.COMPLETED)}
    assert len(before) == 10
    resumed.search()

    straight = _tuner(storage=InMemoryStorage())
    straight.search()
    expected = [(r.trial_id, r.values, r.epochs, r.parent_id, r.loss)
                for r in straight.storage.trials()]
    got = [(r.trial_id, r.values, r.epochs, r.parent_id, r.loss)
           for r in resumed.storage.trials()]
    assert got == expected
    for trial_id, record in before.items():  # what 0.1 stored is kept as it was
        assert resumed.storage.get_trial(trial_id).loss == record.loss
    resumed.storage.close()
    with SQLiteStorage(project / "rung.db") as storage:
        assert storage.integrity_check() == "ok"
    with sqlite3.connect(project / "rung.db") as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("SELECT COUNT(*) FROM driver_lock").fetchone() == (0,)  # released
        assert conn.execute("SELECT COUNT(*) FROM trials WHERE epochs_reached IS NOT NULL"
                            ).fetchone()[0] == len(expected) - 10  # new jobs record it
