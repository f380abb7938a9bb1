"""The scale benchmark runs end to end, smaller than ``--quick`` (explicit sizes win over it): 300
jobs on SQLite, 2,000 in memory, ASHA with 50 configurations in both modes, and the peers, Optuna
and keras-tuner, with rung again, at 60 jobs. Every part and every figure of a full run, at a
quarter of ``--quick``'s time.

Its timings depend on the machine and are not asserted; what is checked is that the search ran
every planned job, the checkpoint sweep left only the kept checkpoints, and every figure the
docs quote was measured.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "scale.py"
WAITS = {"open the project to resume (Hyperband(...))", "tuner.results_summary()",
         "tuner.get_best_hyperparameters(10)", "rung status DIR (in process)",
         "rung status DIR (subprocess)"}
OPTUNA_WAITS = {"optuna.load_study(...) (open the study)", "study.trials_dataframe()",
                "study.best_trial", "optuna best-trial (CLI, subprocess)"}
KT_WAITS = {"keras-tuner Tuner(...) on it (open the project)", "tuner.results_summary()",
            "tuner.get_best_hyperparameters(10)"}


def test_quick_run_measures_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    sizes = ["--jobs", "300", "--memory-jobs", "2000", "--asha", "50", "--peer-jobs", "60"]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", *sizes, "--json", str(out)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    sqlite, memory = figures["sqlite"], figures["memory"]
    assert sqlite["jobs"] >= 300 and memory["jobs"] == 2_000
    # keep_checkpoints=10 and every bracket finished: the ten best checkpoints, nothing else
    assert sqlite["checkpoint_dirs_left"] == 10
    assert 0 < sqlite["bytes_per_job"] < 10_000
    for run in (sqlite, memory):
        assert len(run["deciles"]) == 10 and all(v > 0 for v in run["deciles"])
        assert math.isclose(run["ratio"], run["deciles"][-1] / run["deciles"][0])
    promotion, stopping = figures["asha-promotion"], figures["asha-stopping"]
    assert promotion["jobs"] > 50 and stopping["jobs"] == 50  # every job stamped, pruned too
    for run in (promotion, stopping):
        assert len(run["deciles"]) == 10 and all(v > 0 for v in run["deciles"])
        assert run["state_bytes"] > 0
    assert set(figures["waits"]) == WAITS
    assert all(w["wall"] >= 0 and w["cpu"] >= 0 for w in figures["waits"].values())
    assert "last/first decile" in proc.stdout
    # the peers, on the same training, at 60 jobs: rung again, Optuna, keras-tuner
    peers = figures["peers"]
    assert peers["rung"]["jobs"] >= 60 and peers["optuna"]["jobs"] == 60
    assert peers["keras-tuner"]["jobs"] >= 60
    for tool in ("rung", "optuna", "keras-tuner"):
        run = peers[tool]
        assert len(run["deciles"]) == 10 and all(v > 0 for v in run["deciles"]), tool
        assert run["epochs"] >= run["jobs"] and run["bytes_per_job"] > 0, tool
    assert set(peers["waits"]["rung"]) == WAITS
    assert set(peers["waits"]["optuna"]) == OPTUNA_WAITS
    assert set(peers["waits"]["keras-tuner"]) == KT_WAITS
    for tool in ("optuna", "keras-tuner"):
        assert re.search(rf"^  {tool}: CPU ms/job by decile x( [\d.]+){{10}}$", proc.stdout,
                         re.M), tool
        assert re.search(rf"^  {tool}: wall ms/job overall x[\d.]+, wall ms/epoch x[\d.]+",
                         proc.stdout, re.M), tool
        assert f"{tool}, what a user waits for:" in proc.stdout
    # rung's target is printed for rung only
    assert "optuna: CPU last/first decile" in proc.stdout
    assert not re.search(r"^(optuna|keras-tuner): .*target", proc.stdout, re.M)


def test_a_missing_peer_is_named_with_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("optuna", "keras_tuner") else real(
                            name, *a))
    if str(SCRIPT.parent) not in sys.path:
        sys.path.insert(0, str(SCRIPT.parent))
    scale = importlib.import_module("scale")
    assert scale.main(["--jobs", "0", "--memory-jobs", "0", "--peer-jobs", "20"]) == 0
    out = capsys.readouterr().out
    for name in ("optuna", "keras-tuner"):
        assert (f"{name}: not installed, not run: pip install optuna keras-tuner (or: "
                ".venv/bin/pip install -e '.[bench]') (or --no-peers)") in out
    assert re.search(r"^rung: \d+ jobs", out, re.M)
