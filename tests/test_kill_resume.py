"""A search on SQLite SIGKILLed at random moments and rerun ends exactly like an uninterrupted one."""

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

import rung
from rung.storage import InMemoryStorage

CHILD = textwrap.dedent(
    """
    import os, sys
    import rung

    log = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def loss_of(values, epochs):
        return (values["x"] - 0.3) ** 2 + (0.05 if values["c"] == "b" else 0.0) + 1.0 / epochs

    def train(trial):
        hp = trial.hyperparameters
        x = hp.Float("x", 0.0, 1.0)
        c = hp.Choice("c", ["a", "b"])
        state = trial.load_checkpoint() or {"epochs_done": 0}
        assert state["epochs_done"] == trial.initial_epoch, (state, trial.initial_epoch)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            sum(i * i for i in range(3000))  # a little work per epoch
            trial.report(epoch, loss=loss_of(hp.values, epoch))
            state["epochs_done"] = epoch
        trial.save_checkpoint(state)
        os.write(log, f"{trial.trial_id}\\n".encode())
        return {"loss": loss_of(hp.values, trial.epochs)}

    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=27, factor=3,
                           hyperband_iterations=2, seed=7, directory=sys.argv[1],
                           project_name="kill", verbose=0)
    tuner.search()
    """
)


def completed(trials: list[rung.trial_record.TrialRecord]) -> set[tuple]:
    return {
        (t.trial_id, tuple(sorted(t.values.items())), t.epochs, t.initial_epoch, t.parent_id,
         t.status.value, round(t.loss, 12))
        for t in trials
        if t.status is rung.TrialStatus.COMPLETED
    }


def reference(tmp_path: Path) -> set[tuple]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    namespace: dict = {}
    script = CHILD.split("tuner = rung.Hyperband")[0]
    log = tmp_path / "ref.log"
    sys_argv = sys.argv
    try:
        sys.argv = ["x", str(tmp_path), str(log)]
        exec(compile(script, "child", "exec"), namespace)
    finally:
        sys.argv = sys_argv
    storage = InMemoryStorage()
    tuner = rung.Hyperband(run_trial=namespace["train"], objective="loss", max_epochs=27,
                           factor=3, hyperband_iterations=2, seed=7, directory=tmp_path / "ref",
                           project_name="kill", storage=storage, verbose=0)
    tuner.search()
    return completed(storage.trials())


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_sigkill_at_random_moments_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "executions.log"
    rng = random.Random(12345)
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}
    kills = 0
    for _ in range(6):
        before = len(lines(log))
        proc = subprocess.Popen([sys.executable, str(script), str(tmp_path), str(log)], env=env)
        wanted = before + rng.randint(2, 25)
        deadline = time.monotonic() + 60
        while len(lines(log)) < wanted and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)  # polling for progress, not synchronising
        time.sleep(rng.random() * 0.02)  # then a random moment: in a job, a report or a commit
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run([sys.executable, str(script), str(tmp_path), str(log)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert kills >= 4

    db = tmp_path / "kill" / "rung.db"
    storage = rung.storage.SQLiteStorage(db)
    assert completed(storage.trials()) == reference(tmp_path / "ref")
    assert all(t.status.is_finished for t in storage.trials())
    for t in storage.trials():  # each epoch stored once, even for jobs re-run after a kill
        epochs = [e for e, _ in storage.epoch_metrics(t.trial_id)]
        assert epochs == list(range(t.initial_epoch + 1, t.epochs + 1)), t.trial_id
    # no job ran to the end twice, except at most one in flight at each kill
    executed = lines(log)
    duplicates = len(executed) - len(set(executed))
    assert duplicates <= kills
    assert set(executed) == {t.trial_id for t in storage.trials()}
    storage.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # a finished search re-runs nothing
    again = subprocess.run([sys.executable, str(script), str(tmp_path), str(log)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert lines(log) == executed
