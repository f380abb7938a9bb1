"""``rung status`` reads a project while a search is writing it.

The search runs in another process; its training function tells the test where it is through
files (it writes ``at_<trial_id>_<epoch>`` after reporting an epoch, then waits for
``go_<trial_id>``), so the test reads the project at a known point, with no sleeps.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from rung.cli import main

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import rung

    signals = Path(sys.argv[1])

    def train(trial):
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=x + 1 / epoch)
            if trial.trial_id == "00004" and epoch == 1:
                (signals / "at_00004_1").write_text("")
                while not (signals / "go_00004").exists():
                    time.sleep(0.01)
        return {"loss": x + 1 / trial.epochs}

    if __name__ == "__main__":
        tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3,
                               seed=0, directory=sys.argv[2], project_name="live", verbose=0)
        tuner.search()
""")


def wait_for(path: Path, process: subprocess.Popen, limit: float = 120.0) -> None:
    """Until the search writes ``path`` (the search ending first is a failure)."""
    deadline = time.monotonic() + limit
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"the search never reached {path.name}"
        time.sleep(0.01)


def test_status_of_a_project_being_written(tmp_path: Path, capsys) -> None:
    script, signals = tmp_path / "search.py", tmp_path / "signals"
    script.write_text(SCRIPT)
    signals.mkdir()
    process = subprocess.Popen([sys.executable, str(script), str(signals), str(tmp_path)],
                               env={"PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for(signals / "at_00004_1", process)
        assert main(["status", str(tmp_path / "live"), "--json"]) == 0
        during = json.loads(capsys.readouterr().out)
        assert during["counts"] == {"COMPLETED": 4, "RUNNING": 1}  # 00000..00003 done
        assert during["epochs_spent"] == 4 + 1  # four 1-epoch jobs, and 00004's first epoch
        running = [r for r in during["rungs"] if r["running"]]
        assert [(r["bracket"], r["rung"], r["completed"]) for r in running] == [(2, 0, 4)]
        assert main(["trials", str(tmp_path / "live"), "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert [r["status"] for r in rows] == ["COMPLETED"] * 4 + ["RUNNING"]
        (signals / "go_00004").write_text("")
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    finally:
        process.kill()
    assert main(["status", str(tmp_path / "live"), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["counts"] == {"COMPLETED": 22} and after["epochs_spent"] == 69
