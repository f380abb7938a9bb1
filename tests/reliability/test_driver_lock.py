"""Two drivers on one project: the second is refused (named), a dead one is taken over.

Real processes, synchronised by FIFOs (opening one blocks until the other side opens it), never
by sleeps. See ``rung.storage.driver_lock`` for the rules.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import rung
from rung.errors import ProjectInUseError
from rung.storage import SQLiteStorage
from rung.storage.driver_lock import STALE_AFTER_S, this_driver
from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.driver import DriverSession

DRIVER = textwrap.dedent(
    """
    import os, sys
    import rung

    def train(trial, flags):
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if trial.trial_id == "00003" and os.path.exists(os.path.join(flags, "started.fifo")):
            with open(os.path.join(flags, "started.fifo"), "w") as fifo:  # the test is reading
                fifo.write(str(os.getpid()))
            with open(os.path.join(flags, "release.fifo")) as fifo:       # until the test says
                fifo.read()
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch)
        return (x - 0.3) ** 2 + 1.0 / trial.epochs

    if __name__ == "__main__":
        tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                               directory=sys.argv[1], project_name="p", verbose=1)
        tuner.search(sys.argv[2])
        print("searched", tuner.storage.count_trials(rung.TrialStatus.COMPLETED))
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}


def _start(tmp_path: Path, flags: Path) -> subprocess.Popen[str]:
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    return subprocess.Popen([sys.executable, str(script), str(tmp_path), str(flags)],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run(tmp_path: Path, flags: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(tmp_path / "driver.py"), str(tmp_path), str(flags)],
                          env=_env(), capture_output=True, text=True, timeout=120)


def _blocked_driver(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A driver stopped inside its third job (holding the lock) until ``release.fifo`` opens."""
    flags = tmp_path / "flags"
    flags.mkdir()
    os.mkfifo(flags / "started.fifo")
    os.mkfifo(flags / "release.fifo")
    first = _start(tmp_path, flags)
    with open(flags / "started.fifo") as fifo:  # returns once the job is inside
        assert int(fifo.read()) == first.pid
    return first, flags


def _snapshot(db: Path) -> tuple[list[tuple], str]:
    with sqlite3.connect(db) as conn:
        trials = conn.execute("SELECT trial_id, status, loss FROM trials ORDER BY seq").fetchall()
        state = conn.execute("SELECT json FROM oracle_state").fetchone()[0]
    return trials, state


def test_a_second_driver_is_refused_with_the_first_named_and_writes_nothing(
        tmp_path: Path) -> None:
    first, flags = _blocked_driver(tmp_path)
    db = tmp_path / "p" / "rung.db"
    before = _snapshot(db)
    second = _run(tmp_path, tmp_path / "no-flags")
    assert second.returncode == 1
    assert "ProjectInUseError" in second.stderr
    assert f"pid {first.pid} on host {socket.gethostname()!r}, since " in second.stderr
    assert "UTC" in second.stderr
    assert _snapshot(db) == before  # not one write by the refused driver
    with SQLiteStorage(db) as reader:  # a reader never takes the lock, and reads freely
        lock = reader.driver_lock()
        assert lock is not None and lock.pid == first.pid
        assert [t.trial_id for t in reader.trials()] == [t[0] for t in before[0]]
        with pytest.raises(ProjectInUseError, match=f"pid {first.pid}"):
            reader.set_oracle_state({"a reader": "must not write"})
    assert _snapshot(db) == before
    with open(flags / "release.fifo", "w"):
        pass
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    with SQLiteStorage(db) as reader:
        assert reader.driver_lock() is None  # given back at the end of the search
        done = reader.count_trials(TrialStatus.COMPLETED)
    again = _run(tmp_path, tmp_path / "no-flags")  # now the project is free
    assert again.returncode == 0, again.stderr
    assert f"searched {done}" in again.stdout and "took over" not in again.stdout


def test_a_killed_drivers_lock_is_taken_over_with_a_line_saying_so(tmp_path: Path) -> None:
    first, _ = _blocked_driver(tmp_path)
    first.kill()  # SIGKILL inside a job: the lock row stays behind
    first.wait()
    db = tmp_path / "p" / "rung.db"
    with SQLiteStorage(db) as reader:
        stale = reader.driver_lock()
    assert stale is not None and stale.pid == first.pid
    second = _run(tmp_path, tmp_path / "no-flags")
    assert second.returncode == 0, second.stderr
    assert (f"rung: took over the project from a driver that is gone (pid {first.pid} on host "
            f"{socket.gethostname()!r}, since ") in second.stdout
    assert f"its process {first.pid} is gone" in second.stdout
    assert "re-running 1 job interrupted earlier" in second.stdout  # the job it was running
    with SQLiteStorage(db) as storage:
        assert storage.driver_lock() is None
        assert storage.integrity_check() == "ok"
        trials = storage.trials()
    assert trials and all(t.status is TrialStatus.COMPLETED for t in trials)


RACER = textwrap.dedent(
    """
    import sys
    from rung.errors import ProjectInUseError
    from rung.storage import SQLiteStorage

    storage = SQLiteStorage(sys.argv[1])
    try:
        storage.acquire_driver()
    except ProjectInUseError as exc:
        print("refused", exc, flush=True)
        sys.exit(3)
    print("won", flush=True)
    with open(sys.argv[2]) as release:  # hold the lock until the test opens the FIFO
        release.read()
    storage.close()
    """
)


def test_drivers_starting_together_cannot_both_win(tmp_path: Path) -> None:
    db = tmp_path / "rung.db"
    SQLiteStorage(db, create=True).close()
    script = tmp_path / "racer.py"
    script.write_text(RACER)
    os.mkfifo(tmp_path / "release.fifo")
    racers = [subprocess.Popen([sys.executable, str(script), str(db),
                                str(tmp_path / "release.fifo")], env=_env(),
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    first_lines = [racer.stdout.readline() for racer in racers]  # type: ignore[union-attr]
    winners = [r for r, line in zip(racers, first_lines, strict=True) if line.strip() == "won"]
    assert len(winners) == 1, first_lines
    for racer, line in zip(racers, first_lines, strict=True):
        if racer is not winners[0]:
            assert line.startswith("refused") and f"pid {winners[0].pid} on host" in line
            assert racer.wait(timeout=60) == 3
    with open(tmp_path / "release.fifo", "w"):
        pass
    assert winners[0].wait(timeout=60) == 0
    with SQLiteStorage(db) as storage:
        assert storage.driver_lock() is None


def _record(trial_id: str) -> TrialRecord:
    return TrialRecord(trial_id=trial_id, values={"x": 0.5}, status=TrialStatus.RUNNING,
                       epochs=1, initial_epoch=0, iteration=0, created_at=0.0)


def _put_lock(db: Path, host: str, pid: int, heartbeat: float) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM driver_lock")
        conn.execute("INSERT INTO driver_lock (id, token, host, pid, pid_start, started_at, "
                     "heartbeat) VALUES (1, 'other', ?, ?, NULL, ?, ?)",
                     (host, pid, heartbeat - 5, heartbeat))


def test_another_hosts_driver_counts_while_its_heartbeat_is_fresh(tmp_path: Path) -> None:
    db = tmp_path / "rung.db"
    with SQLiteStorage(db, create=True) as storage:
        _put_lock(db, "elsewhere", 4242, time.time())
        with pytest.raises(ProjectInUseError, match="pid 4242 on host 'elsewhere'"):
            storage.acquire_driver()
        _put_lock(db, "elsewhere", 4242, time.time() - STALE_AFTER_S - 30)
        taken = storage.acquire_driver()
        assert taken is not None and taken.previous.host == "elsewhere"
        assert "no heartbeat for" in taken.reason and "took over" in taken.line()
        lock = storage.driver_lock()
        assert lock is not None and lock.pid == os.getpid()


def test_a_driver_whose_lock_was_taken_over_stops_at_its_next_write(tmp_path: Path) -> None:
    db = tmp_path / "rung.db"
    with SQLiteStorage(db, create=True) as storage:
        assert storage.acquire_driver() is None
        storage.create_trial(_record("00000"))
        storage.report("00000", 1, {"loss": 1.0})
        assert storage.heartbeat()
        _put_lock(db, "elsewhere", 4242, time.time())  # frozen long enough to be taken over
        assert not storage.heartbeat()
        with pytest.raises(ProjectInUseError, match="lost the driver lock.*pid 4242"):
            storage.report("00000", 2, {"loss": 0.5})
        with pytest.raises(ProjectInUseError, match="lost the driver lock"):
            storage.finish_trial("00000", TrialStatus.COMPLETED, {"loss": 0.5}, loss=0.5)
        assert storage.epoch_metrics("00000") == [(1, {"loss": 1.0})]
        assert storage.get_trial("00000").status is TrialStatus.RUNNING


def test_a_driver_session_beats_releases_and_announces_a_takeover(tmp_path: Path) -> None:
    db = tmp_path / "rung.db"
    lines: list[str] = []
    with SQLiteStorage(db, create=True) as storage:
        _put_lock(db, socket.gethostname(), _dead_pid(), time.time())
        with DriverSession(storage, lines.append, interval=3600) as session:
            lock = storage.driver_lock()
            assert lock is not None and lock.pid == os.getpid()
            assert session._thread is not None and session._thread.is_alive()
        assert not session._thread.is_alive()
        assert storage.driver_lock() is None
        assert len(lines) == 1 and "is gone" in lines[0]
        with pytest.raises(RuntimeError, match="boom"), DriverSession(storage, lines.append):
            raise RuntimeError("boom")
        assert storage.driver_lock() is None  # given back on an error too


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_overwrite_is_refused_while_another_driver_runs(tmp_path: Path) -> None:
    db = tmp_path / "p" / "rung.db"
    db.parent.mkdir()
    with SQLiteStorage(db, create=True) as holder:
        holder.acquire_driver()  # a live driver: this very process
        holder.create_trial(_record("00000"))
        with pytest.raises(ProjectInUseError, match=f"pid {os.getpid()}"):
            rung.Hyperband(run_trial=lambda t: 0.0, objective="loss", max_epochs=9,
                           directory=tmp_path, project_name="p", overwrite=True, verbose=0)
        assert holder.get_trial("00000").status is TrialStatus.RUNNING  # nothing deleted
    assert db.exists()


def test_this_driver_identifies_the_process() -> None:
    me = this_driver()
    assert me.pid == os.getpid() and me.host == socket.gethostname()
    assert me.pid_start is None or me.pid_start.isdigit()
