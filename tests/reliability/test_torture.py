"""``benchmarks/torture.py --quick``: every algorithm with 1 worker and with 4 (reproducible and
asynchronous), killed and resumed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import rung

TORTURE = Path(__file__).parents[2] / "benchmarks" / "torture.py"


def test_quick_torture_loses_nothing_and_runs_nothing_twice(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1])}
    figures = tmp_path / "torture.json"
    done = subprocess.run([sys.executable, str(TORTURE), "--quick", "--json", str(figures)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    outcomes = json.loads(figures.read_text())
    algorithms = ("hyperband", "asha-promotion", "asha-stopping", "bohb")
    assert sorted((o["algorithm"], o["workers"], o["mode"]) for o in outcomes) == sorted(
        [(a, 1, "sequential") for a in algorithms] + [(a, 4, "reproducible") for a in algorithms]
        + [(a, 4, "async") for a in algorithms])
    assert sum(o["kills"] for o in outcomes) >= 9
    for o in outcomes:
        assert o["lost"] == o["lost_results"] == o["duplicates"] == 0, o
        assert o["integrity_ok"] == o["kills"] and not o["invariants"], o
        # one worker, or 4 in reproducible mode: equal to the uninterrupted run, job for job
        assert o["equal"] or o["mode"] == "async", o
