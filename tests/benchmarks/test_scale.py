"""The scale benchmark runs end to end (``--quick``: 5,000 jobs on SQLite, 50,000 in memory, ASHA
with 500 configurations in both modes).

Its timings depend on the machine and are not asserted; what is checked is that the search ran
every planned job, the checkpoint sweep left only the kept checkpoints, and every figure the
docs quote was measured.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "scale.py"
WAITS = {"open the project to resume (Hyperband(...))", "tuner.results_summary()",
         "tuner.get_best_hyperparameters(10)", "rung status DIR (in process)",
         "rung status DIR (subprocess)"}


def test_quick_run_measures_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    sqlite, memory = figures["sqlite"], figures["memory"]
    assert sqlite["jobs"] >= 5_000 and memory["jobs"] == 50_000
    # keep_checkpoints=10 and every bracket finished: the ten best checkpoints, nothing else
    assert sqlite["checkpoint_dirs_left"] == 10
    assert 0 < sqlite["bytes_per_job"] < 10_000
    for run in (sqlite, memory):
        assert len(run["deciles"]) == 10 and all(v > 0 for v in run["deciles"])
        assert math.isclose(run["ratio"], run["deciles"][-1] / run["deciles"][0])
    promotion, stopping = figures["asha-promotion"], figures["asha-stopping"]
    assert promotion["jobs"] > 500 and stopping["jobs"] == 500  # every job stamped, pruned too
    for run in (promotion, stopping):
        assert len(run["deciles"]) == 10 and all(v > 0 for v in run["deciles"])
        assert run["state_bytes"] > 0
    assert set(figures["waits"]) == WAITS
    assert all(w["wall"] >= 0 and w["cpu"] >= 0 for w in figures["waits"].values())
    assert "last/first decile" in proc.stdout
