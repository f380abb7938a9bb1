"""Faults around the project's files: a full disk (checkpoint or database), the database locked
by another process, a read-only project.

Each ends in a recorded, explained outcome and a search that finishes or stops with a clear
error; the project stays intact (``integrity_check``, every stored result kept) and a later
search resumes it to the same results as an uninterrupted run.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from fault_project import assert_intact, hyperband, plain_train, reference, results, snapshot

import rung
from rung import checkpoints as checkpoint_module
from rung.errors import ProjectWriteError
from rung.storage import SQLiteStorage
from rung.trial_record import TrialStatus


class _FullDisk:
    """A file whose writes fail with ENOSPC (what ``os.fdopen`` returns while the disk is full)."""

    def __init__(self, fd: int) -> None:
        os.close(fd)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("retries", [0, 1])
def test_a_full_disk_while_saving_a_checkpoint_fails_the_attempt_and_keeps_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, retries: int) -> None:
    full = {"left": 1}
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        if full["left"] and _saving("00003"):
            full["left"] -= 1
            return _FullDisk(fd)
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(checkpoint_module.os, "fdopen", fdopen)
    tuner = hyperband(tmp_path, max_retries_per_trial=retries)
    tuner.search()
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    victim = tuner.storage.get_trial("00003")
    (attempt,) = tuner.storage.failures("00003")[:1]
    assert "OSError: [Errno 28] No space left on device" in attempt[2]
    assert not list((tmp_path / "p" / "trials").rglob(".tmp-*"))  # no half-written file left
    if retries:  # the retry found space again
        assert victim.status is TrialStatus.COMPLETED
        assert results(trials) == reference(tmp_path / "ref")
    else:
        assert victim.status is TrialStatus.FAILED and "No space left" in (victim.error or "")
        assert all(t.status is TrialStatus.COMPLETED for t in trials if t is not victim
                   and t.trial_id != "00003")


def _saving(trial_id: str) -> bool:
    """True when called from inside ``CheckpointStore.save`` for ``trial_id`` (which writes
    through ``write_atomically``)."""
    frame = sys._getframe(2)
    if frame.f_code.co_name == "write_atomically" and frame.f_back is not None:
        frame = frame.f_back
    return frame.f_code.co_name == "save" and frame.f_locals.get("trial_id") == trial_id


def test_a_full_disk_while_writing_the_database_stops_with_a_clear_error_and_resumes(
        tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        if trial.trial_id == "00006":  # from now on the file cannot grow: the disk is full
            conn = tuner.storage._conn  # type: ignore[attr-defined]
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return plain_train(trial)

    tuner = hyperband(tmp_path, train, max_epochs=27)
    db = tmp_path / "p" / "rung.db"
    with pytest.raises(ProjectWriteError, match="the disk is full") as caught:
        tuner.search()
    message = str(caught.value)
    assert str(db) in message and "everything recorded before is intact" in message
    before = snapshot(db)
    assert len(before) >= 6
    tuner.storage.close()
    resumed = hyperband(tmp_path, max_epochs=27)  # space freed: a new search resumes
    resumed.search()
    trials = assert_intact(db, before)
    assert results(trials) == reference(tmp_path / "ref", max_epochs=27)


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    with open(sys.argv[2]) as go:
        go.read()
    conn.execute("BEGIN IMMEDIATE")        # a write transaction on the project's file
    with open(sys.argv[3], "w") as holding:
        holding.write("locked")
    with open(sys.argv[4]) as release:      # held until the test says
        release.read()
    conn.execute("COMMIT")
    """
)


def _holder(tmp_path: Path, db: Path) -> tuple[subprocess.Popen[bytes], Path]:
    flags = tmp_path / "flags"
    flags.mkdir()
    for name in ("go", "holding", "release"):
        os.mkfifo(flags / name)
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    proc = subprocess.Popen([sys.executable, str(script), str(db), str(flags / "go"),
                             str(flags / "holding"), str(flags / "release")])
    return proc, flags


def _lock_now(flags: Path) -> None:
    """Make the holder take its write transaction, and return once it holds it."""
    with open(flags / "go", "w"):
        pass
    with open(flags / "holding") as holding:
        assert holding.read() == "locked"


def test_a_database_locked_past_the_timeout_stops_the_search_clearly_and_it_resumes(
        tmp_path: Path) -> None:
    db = tmp_path / "p" / "rung.db"
    db.parent.mkdir()
    holder, flags = _holder(tmp_path, db)

    def train(trial: rung.Trial) -> float:
        if trial.trial_id == "00004":  # another process takes a write lock and keeps it
            _lock_now(flags)
        return plain_train(trial)

    storage = SQLiteStorage(db, timeout=0.2, create=True)
    tuner = hyperband(tmp_path, train, storage=storage)
    with pytest.raises(ProjectWriteError, match="another process held a write transaction on "
                                                "the file for longer than 0.2 s"):
        tuner.search()
    before = snapshot(db)  # readers are not blocked by the writer (WAL)
    assert "00004" not in before and len(before) == 4
    with open(flags / "release", "w"):
        pass
    assert holder.wait(timeout=60) == 0
    storage.close()
    resumed = hyperband(tmp_path)
    resumed.search()
    trials = assert_intact(db, before)
    assert results(trials) == reference(tmp_path / "ref")


def test_a_database_locked_for_a_while_only_delays_the_search(tmp_path: Path) -> None:
    db = tmp_path / "p" / "rung.db"
    db.parent.mkdir()
    holder, flags = _holder(tmp_path, db)
    released = threading.Event()

    def release_soon() -> None:  # the fault lasts ~0.3 s; nothing waits on it to be exact
        released.wait(0.3)
        with open(flags / "release", "w"):
            pass

    def train(trial: rung.Trial) -> float:
        if trial.trial_id == "00004":
            _lock_now(flags)
            threading.Thread(target=release_soon, daemon=True).start()
        return plain_train(trial)

    tuner = hyperband(tmp_path, train)  # waits up to 30 s for a lock
    tuner.search()
    assert holder.wait(timeout=60) == 0
    trials = assert_intact(db, {})
    assert results(trials) == reference(tmp_path / "ref")


READ_ONLY = textwrap.dedent(
    """
    import os, sys, tempfile
    from pathlib import Path
    from fault_project import hyperband
    if os.geteuid() == 0:  # root writes anywhere: search as an ordinary user, who may not read
        # root's Python: first a search elsewhere, so that every module a search imports (rung's
        # and numpy's load on first use) is loaded while they can be read
        hyperband(Path(tempfile.mkdtemp()), max_epochs=3).search()
        os.setgid(65534)
        os.setuid(65534)
    hyperband(Path(sys.argv[1]), max_epochs=3).search()
    """
)


def test_a_read_only_project_stops_with_a_clear_error_and_is_left_unchanged() -> None:
    base = Path(tempfile.mkdtemp(prefix="rung-ro-"))  # outside pytest's private (0700) folder
    try:
        os.chmod(base, 0o755)
        first = hyperband(base, max_epochs=3)
        first.search()
        first.storage.close()
        db = base / "p" / "rung.db"
        before = snapshot(db)
        files = {p: p.stat().st_mtime_ns for p in base.rglob("*")}
        for path in base.rglob("*"):
            path.chmod(0o555 if path.is_dir() else 0o444)
        script = base.parent / f"{base.name}-read-only.py"
        script.write_text(READ_ONLY)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(Path(rung.__file__).parents[1]), str(Path(__file__).parent)])}
        done = subprocess.run([sys.executable, str(script), str(base)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        last = done.stderr.strip().splitlines()[-1]
        assert "the project is read-only here: rung needs write access" in last, done.stderr
        assert str(db) in last
        assert {p: p.stat().st_mtime_ns for p in base.rglob("*")} == files
        assert snapshot(db) == before
    finally:
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755)
        import shutil

        shutil.rmtree(base, ignore_errors=True)
