"""``benchmarks/torture.py --quick``: every algorithm, 1 and 4 workers, killed and resumed."""

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
    assert {(o["algorithm"], o["workers"]) for o in outcomes} == {
        (a, w) for a in ("hyperband", "asha-promotion", "asha-stopping", "bohb") for w in (1, 4)}
    assert sum(o["kills"] for o in outcomes) >= 6
    for o in outcomes:
        assert o["lost"] == o["lost_results"] == o["duplicates"] == 0, o
        assert o["integrity_ok"] == o["kills"] and not o["invariants"], o
        assert o["equal"] or o["workers"] == 4, o
