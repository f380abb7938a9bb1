"""SQLite-only behaviour: persistence, pragmas, schema version, crash atomicity; get_storage()."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import rung
from rung.errors import ConfigurationError
from rung.storage import InMemoryStorage, SQLiteStorage, Storage, get_storage
from rung.storage.sqlite import SCHEMA_VERSION
from rung.trial_record import TrialRecord, TrialStatus


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_reopening_gives_the_same_data(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    with SQLiteStorage(path, create=True) as storage:
        storage.set_settings({"objective": "val_loss"})
        storage.create_trial(TrialRecord("a", {"x": 1}, epochs=2, bracket=0, rung=0), {"n": 1})
        storage.create_trial(TrialRecord("b", {"x": 2}, epochs=2, parent_id="a"), {"n": 2})
        storage.report("a", 1, {"loss": float("nan")})
        storage.record_failure("b", 1, "tb")
        storage.finish_trial("a", TrialStatus.COMPLETED, {"loss": 0.1}, loss=0.1, finished_at=3.0)
        before = (storage.trials(), storage.failures())
    with SQLiteStorage(path) as storage:
        assert (storage.trials(), storage.failures()) == before
        assert storage.get_settings() == {"objective": "val_loss"}
        assert storage.get_oracle_state() == {"n": 2}
        [(epoch, metrics)] = storage.epoch_metrics("a")
        assert epoch == 1 and metrics["loss"] != metrics["loss"]  # NaN


def test_another_connection_sees_committed_data(tmp_path: Path) -> None:
    with (
        SQLiteStorage(tmp_path / "rung.db", create=True) as writer,
        SQLiteStorage(tmp_path / "rung.db") as reader,
    ):
        writer.create_trial(TrialRecord("a", {}))
        assert reader.count_trials() == 1
        writer.finish_trial("a", TrialStatus.FAILED)
        assert reader.get_trial("a").status is TrialStatus.FAILED


def test_pragmas_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    with SQLiteStorage(path, create=True) as storage:
        conn = storage._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    raw = _raw(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    raw.close()


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    SQLiteStorage(path, create=True).close()
    raw = _raw(path)
    raw.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    raw.close()
    with pytest.raises(ConfigurationError, match="upgrade rung"):
        SQLiteStorage(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigurationError, match="rung database"):
        SQLiteStorage(path)


def test_integrity_check_and_missing_parent_directories(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "new" / "project" / "rung.db", create=True) as storage:
        storage.create_trial(TrialRecord("a", {}))
        assert storage.integrity_check() == "ok"


def test_get_storage(tmp_path: Path) -> None:
    assert isinstance(get_storage(None), InMemoryStorage)
    memory = InMemoryStorage()
    assert get_storage(memory) is memory
    with get_storage(tmp_path, create=True) as from_dir:
        assert isinstance(from_dir, SQLiteStorage) and from_dir.path == tmp_path / "rung.db"
    with get_storage(tmp_path) as existing:  # an existing project opens without create
        assert existing.path == tmp_path / "rung.db"
    with get_storage(str(tmp_path / "other.db"), create=True) as from_str:
        assert isinstance(from_str, SQLiteStorage) and from_str.path == tmp_path / "other.db"
    with pytest.raises(TypeError, match=r"storage must be None .*, got 42"):
        get_storage(42)  # type: ignore[arg-type]
    assert set(rung.storage.__all__) == {
        "Storage",
        "InMemoryStorage",
        "SQLiteStorage",
        "get_storage",
        "open_project",
    }


# --- crash atomicity ------------------------------------------------------------------------
_CHILD = textwrap.dedent(
    """
    import sys
    from rung.storage import SQLiteStorage
    from rung.trial_record import TrialRecord, TrialStatus

    storage = SQLiteStorage(sys.argv[1], create=True)
    state = storage.get_oracle_state() or {"n_created": 0, "n_finished": 0}
    while True:
        i = state["n_created"]
        state["n_created"] += 1
        storage.create_trial(TrialRecord(f"t{i}", {"i": i}, epochs=2), oracle_state=state)
        for epoch in range(1, 3):
            storage.report(f"t{i}", epoch, {"loss": 1.0 / (i + epoch)})
        if i % 7 == 3:
            storage.record_failure(f"t{i}", 1, "Traceback: simulated")
        state["n_finished"] += 1
        storage.finish_trial(f"t{i}", TrialStatus.COMPLETED, {"loss": 1.0 / i if i else 1.0},
                             loss=1.0, oracle_state=state)
    """
)


def _run_and_kill(path: Path, at_least: int, delay: float) -> None:
    paths = [str(Path(rung.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], env=env,
                             stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        reader = None
        while True:
            assert child.poll() is None, child.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the child wrote too slowly"
            if reader is None and path.exists():
                reader = _raw(path)
            try:
                if (
                    reader is not None
                    and reader.execute("SELECT COUNT(*) FROM trials").fetchone()[0] >= at_least
                ):
                    break
            except sqlite3.OperationalError:  # the schema is not created yet
                pass
            time.sleep(0.002)
        time.sleep(delay)  # not synchronisation: moves the kill to a random point of a job
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stderr.close()  # type: ignore[union-attr]
        if reader is not None:
            reader.close()


def _assert_consistent(storage: Storage, kills: int) -> None:
    state = storage.get_oracle_state()
    assert state is not None
    completed = storage.trials(TrialStatus.COMPLETED)
    assert state["n_finished"] == len(completed)
    assert state["n_created"] == storage.count_trials()
    assert storage.count_trials(TrialStatus.RUNNING) <= kills  # at most one cut short per kill
    for trial in completed[-20:]:
        assert [e for e, _ in storage.epoch_metrics(trial.trial_id)] == [1, 2]
        i = int(trial.trial_id[1:])
        assert trial.attempts == (1 if i % 7 == 3 else 0)
        assert len(storage.failures(trial.trial_id)) == trial.attempts


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_writer_leaves_a_consistent_file(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    print(f"random seed {seed}")  # shown if the test fails
    target = 0
    for kills in range(1, 7):  # kill, reopen and go on, six times
        target += rng.randint(20, 200)
        _run_and_kill(path, target, rng.uniform(0.0, 0.003))
        with SQLiteStorage(path) as storage:
            assert storage.integrity_check() == "ok"
            _assert_consistent(storage, kills)


def test_a_failing_statement_rolls_back_the_whole_change(tmp_path: Path) -> None:
    path = tmp_path / "rung.db"
    with SQLiteStorage(path, create=True) as storage:
        storage.create_trial(TrialRecord("a", {}), oracle_state={"n": 1})
        raw = _raw(path)  # make every later write of the scheduler state fail
        for event in ("INSERT", "UPDATE"):
            raw.execute(
                f"CREATE TRIGGER fail_{event} BEFORE {event} ON oracle_state "
                "BEGIN SELECT RAISE(ABORT, 'injected'); END"
            )
        raw.close()
        with pytest.raises(sqlite3.IntegrityError, match="injected"):
            storage.create_trial(TrialRecord("b", {}), oracle_state={"n": 2})
        with pytest.raises(sqlite3.IntegrityError, match="injected"):
            storage.finish_trial("a", TrialStatus.COMPLETED, {"m": 1.0}, loss=1.0, oracle_state={})
        assert [t.trial_id for t in storage.trials()] == ["a"]
        assert storage.get_trial("a").status is TrialStatus.RUNNING
        assert storage.get_oracle_state() == {"n": 1}
        storage.finish_trial("a", TrialStatus.COMPLETED, loss=1.0)  # no transaction left open
        assert storage.get_trial("a").status is TrialStatus.COMPLETED


def test_reading_a_missing_project_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "rung.db"
    with pytest.raises(ConfigurationError, match=f"no rung project at '{missing}'"):
        SQLiteStorage(missing)
    with pytest.raises(ConfigurationError, match=f"no rung project at '{tmp_path / 'typo'}'"):
        get_storage(tmp_path / "typo")
    with pytest.raises(ConfigurationError, match=f"no rung project at '{tmp_path}'"):
        get_storage(tmp_path)  # an existing directory without rung.db
    assert list(tmp_path.iterdir()) == []  # nothing was created
    other = tmp_path / "other.sqlite"
    _raw(other).execute("CREATE TABLE t (x)")
    with pytest.raises(ConfigurationError, match="no rung project at .*without rung's tables"):
        SQLiteStorage(other)
    with pytest.raises(TypeError, match="create must be True or False, got 1"):
        get_storage(tmp_path, create=1)  # type: ignore[arg-type]


def test_a_directory_is_not_a_database_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=f"the storage path '{tmp_path}' is a directory"):
        SQLiteStorage(tmp_path, create=True)


def test_reports_are_read_only_when_iterated(tmp_path: Path) -> None:
    with SQLiteStorage(tmp_path / "rung.db", create=True) as storage:
        storage.create_trial(TrialRecord("t", {"a": 1}))
        storage.report("t", 1, {"loss": 2.0})
        storage.finish_trial("t", TrialStatus.COMPLETED, metrics={"loss": 2.0}, loss=2.0)
        seen: list[str] = []
        storage._conn.set_trace_callback(seen.append)
        reports = storage.all_epoch_metrics()
        assert not any("epoch_metrics" in s for s in seen)
        assert list(reports) == [("t", 1, {"loss": 2.0})]
        assert any("epoch_metrics" in s for s in seen)


def test_resuming_a_search_whose_searcher_replays_nothing_reads_no_report(
        tmp_path: Path) -> None:
    """Opening a 100,000-job project must not decode every epoch's report (benchmarks/scale.py)."""
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, val_loss=x + 1 / epoch)
        return x

    args = {"run_trial": train, "objective": "val_loss", "max_epochs": 9, "seed": 0,
            "directory": tmp_path, "project_name": "p", "verbose": 0}
    rung.Hyperband(**args).search()
    queries: list[str] = []
    original = sqlite3.connect

    def traced(*a: object, **k: object) -> sqlite3.Connection:
        conn = original(*a, **k)  # type: ignore[arg-type]
        conn.set_trace_callback(queries.append)
        return conn

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite3, "connect", traced)
        resumed = rung.Hyperband(**args)
    assert queries and not any("FROM epoch_metrics" in q for q in queries)
    assert len(resumed.oracle.records) == resumed.oracle.budget().jobs  # history restored


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_trial_outlines_are_the_trials_less_values_and_metrics(tmp_path: Path, kind: str) -> None:
    storage: Storage = (SQLiteStorage(tmp_path / "rung.db", create=True) if kind == "sqlite"
                        else InMemoryStorage())
    storage.create_trial(TrialRecord("a", {"x": 1}, epochs=3, bracket=1, rung=0))
    storage.create_trial(TrialRecord("b", {"x": 2}, epochs=9, initial_epoch=3, parent_id="a"))
    storage.finish_trial("a", TrialStatus.COMPLETED, metrics={"loss": 0.5}, loss=0.5,
                         epochs_reached=3)
    outlines, whole = storage.trial_outlines(), storage.trials()

    def strip(records: list[TrialRecord]) -> list[TrialRecord]:
        return [r.replace(values={}, metrics={}) for r in records]

    assert [r.trial_id for r in outlines] == ["a", "b"]
    assert strip(outlines) == strip(whole)
    for outline, record in zip(outlines, whole, strict=True):  # emptied, or the same
        assert outline.values in ({}, record.values)
        assert outline.metrics in ({}, record.metrics)
    storage.close()


def test_a_log_written_by_two_storages_in_turn_reads_back_as_the_last_wrote_it(
        tmp_path: Path) -> None:
    """Each storage encodes only the entries new since its own last write, unless the file
    changed under it: then it checks and writes the pages anew."""
    path = tmp_path / "rung.db"
    first, second = SQLiteStorage(path, create=True), SQLiteStorage(path)
    pages: list[list] = [[["a", 0]]]
    for n in range(1, 40):
        last = [*pages[-1], ["a", n]]
        pages = [*pages[:-1], last] if len(last) <= 3 else [*pages, [["a", n]]]
        writer = first if n % 7 else second  # the other one now and then
        writer.set_oracle_state({"n": n, "log_pages": pages})
        other = [[["b", n]], [["b", n + 1]]]  # and a different log in between, at times
        if n % 11 == 0:
            second.set_oracle_state({"n": -n, "log_pages": other})
            assert first.get_oracle_state() == {"n": -n, "log_pages": other}
            first.set_oracle_state({"n": n, "log_pages": pages})
        assert second.get_oracle_state() == {"n": n, "log_pages": pages}, n
    first.close()
    second.close()


def test_after_search_rung_db_alone_holds_the_project(tmp_path: Path) -> None:
    # a small project's writes sit in rung.db-wal until a checkpoint; a user who copies
    # rung.db alone (the file the docs name) must get every trial, also while the tuner is open
    def train(trial: rung.Trial) -> float:
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=5, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "rung.db").write_bytes((tmp_path / "p" / "rung.db").read_bytes())
    with SQLiteStorage(copy / "rung.db", read_only=True) as alone:
        assert alone.count_trials(TrialStatus.COMPLETED) == 5
    assert tuner.storage.count_trials(TrialStatus.COMPLETED) == 5  # the tuner still works
