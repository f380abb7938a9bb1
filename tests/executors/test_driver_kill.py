"""The driver of a parallel search SIGKILLed at random moments, then rerun.

With several workers the order in which results arrive is not fixed, so the run is not compared
job for job with a sequential one; instead the finished project must be a complete, consistent
Hyperband search: every planned job of every (bracket, rung) completed once, each promotion the
top-k of its rung, nothing run to the end twice except jobs in flight at a kill, and an intact file.

Three places the jobs run: local worker processes (killed with the driver, as a crash of the
machine's session would), and a Dask or a Ray cluster that outlives the driver (the test process
holds it, as a real cluster would be held elsewhere): a new driver connects to it and resumes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.oracles.schedule import hyperband_plan

CHILD = textwrap.dedent(
    """
    import os, sys
    import rung

    def train(trial, log):
        hp = trial.hyperparameters
        x = hp.Float("x", 0.0, 1.0)
        state = trial.load_checkpoint() or {"epochs_done": 0}
        assert state["epochs_done"] == trial.initial_epoch, (state, trial.initial_epoch)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            sum(i * i for i in range(20000))
            trial.report(epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch)
            state["epochs_done"] = epoch
        trial.save_checkpoint(state)
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{trial.trial_id}\\n".encode())
        os.close(fd)
        return {"loss": (x - 0.3) ** 2 + 1.0 / trial.epochs}

    if __name__ == "__main__":
        kind, address = sys.argv[3], sys.argv[4]
        if kind == "dask":
            from distributed import Client
            where = {"executor": Client(address), "workers": 2}
        elif kind == "ray":
            import ray
            ray.init(address=address, log_to_driver=False)
            where = {"executor": "ray", "workers": 2}
        else:
            where = {"workers": 2}
        hp = rung.HyperParameters()
        hp.Float("x", 0.0, 1.0)
        tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3,
                               hyperband_iterations=2, seed=3, hyperparameters=hp,
                               directory=sys.argv[1], project_name="parallel", verbose=0)
        tuner.search(sys.argv[2], **where)
    """
)


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def cluster_address(kind: str, request: pytest.FixtureRequest) -> str:
    if kind == "dask":
        return str(request.getfixturevalue("dask_client").scheduler.address)
    if kind == "ray":
        return str(request.getfixturevalue("ray_session").get_runtime_context().gcs_address)
    return "-"


@pytest.mark.parametrize("kind", ["processes", "dask", "ray"])
def test_killed_parallel_driver_resumes_into_a_complete_consistent_search(
        tmp_path: Path, kind: str, request: pytest.FixtureRequest) -> None:
    address = cluster_address(kind, request)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log = tmp_path / "executions.log"
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}
    command = [sys.executable, str(script), str(tmp_path), str(log), kind, address]
    rng = random.Random(2026)
    kills = 0
    for _ in range(4 if kind == "processes" else 3):
        before = len(lines(log))
        proc = subprocess.Popen(command, env=env, start_new_session=True)
        wanted = before + rng.randint(2, 10)
        deadline = time.monotonic() + 120
        while len(lines(log)) < wanted and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)  # polling for progress, not synchronising
        time.sleep(rng.random() * 0.05)  # a random moment
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the driver (and its local workers), as a crash
            kills += 1
        proc.wait()
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stdout + final.stderr
    assert kills >= (3 if kind == "processes" else 2), (kills, len(lines(log)))
    check_complete_consistent_search(tmp_path, log, kills)


def check_complete_consistent_search(tmp_path: Path, log: Path, kills: int) -> None:
    storage = rung.storage.SQLiteStorage(tmp_path / "parallel" / "rung.db")
    trials = storage.trials()
    assert all(t.status is rung.TrialStatus.COMPLETED for t in trials)
    planned: Counter[tuple[Any, ...]] = Counter()
    for plan in hyperband_plan(9, 3, iterations=2):
        for r in plan.rungs:
            planned[(plan.iteration, plan.s, r.index)] += r.jobs
    assert Counter((t.iteration, t.bracket, t.rung) for t in trials) == planned
    by_id = {t.trial_id: t for t in trials}
    for t in trials:
        if t.parent_id is None:
            continue
        parent = by_id[t.parent_id]
        siblings = [u for u in trials if (u.iteration, u.bracket, u.rung) ==
                    (parent.iteration, parent.bracket, parent.rung)]
        keep = planned[(t.iteration, t.bracket, t.rung)]
        assert parent.loss <= sorted(u.loss for u in siblings)[keep - 1]
        assert t.values == parent.values and t.initial_epoch == parent.epochs
    executed = lines(log)
    assert set(executed) == set(by_id)
    assert len(executed) - len(set(executed)) <= 2 * kills  # two jobs in flight per kill
    storage.close()
    with sqlite3.connect(tmp_path / "parallel" / "rung.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
