"""A script without ``if __name__ == "__main__":`` and workers: a clear error, nothing deleted."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rung
from rung.errors import ConfigurationError
from rung.executors._guard import refuse_in_worker

SCRIPT = textwrap.dedent(
    """
    import sys
    import rung

    def train(trial):
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    # no main guard: every spawned worker re-runs these lines
    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=4, seed=0,
                              directory=sys.argv[1], project_name="p", overwrite=True, verbose=0)
    tuner.search(workers=2)
    """
)


def test_a_script_without_the_main_guard_fails_clearly_and_keeps_the_project(
    tmp_path: Path,
) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}
    run = subprocess.run([sys.executable, str(script), str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()
    driver = run.stderr[run.stderr.rindex("rung.errors.ConfigurationError"):]
    assert 'if __name__ == "__main__":' in driver, run.stderr
    assert "RandomSearch was constructed in the worker process 'rung-worker-" in driver
    assert "WorkerLostError" not in run.stderr and "worker died" not in run.stderr, last
    database = tmp_path / "p" / "rung.db"  # the driver's project: not deleted by a worker
    assert database.exists()
    with rung.storage.SQLiteStorage(database) as storage:
        assert [t.trial_id for t in storage.trials()] == ["00000"]


def test_the_guard_check_is_silent_in_the_main_process() -> None:
    refuse_in_worker("Tuner")  # no error here


def test_the_guard_check_refuses_in_a_rung_worker(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    import multiprocessing

    note = tmp_path / "note"
    monkeypatch.setenv("RUNG_WORKER_NOTE", str(note))
    monkeypatch.setattr(multiprocessing.current_process(), "name", "rung-worker-3")
    with pytest.raises(ConfigurationError, match="'rung-worker-3'(.|\n)*__main__"):
        refuse_in_worker("Hyperband")
    assert "if __name__" in note.read_text()
