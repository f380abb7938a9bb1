"""Every example runs with ``--smoke`` (a tiny budget) and prints its best result."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEEDS = {"torch_mlp.py": ["torch", "sklearn"], "sklearn_sgd.py": ["sklearn"],
         "sklearn_gbm.py": ["sklearn"], "lightgbm_hist.py": ["lightgbm", "sklearn"]}


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_example_smoke(name: str, tmp_path: Path) -> None:
    missing = [m for m in NEEDS[name] if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{name} needs {missing}")
    done = subprocess.run([sys.executable, str(EXAMPLES / name), "--smoke"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    match = re.search(r"best [\w ]*?(accuracy|roc_auc)=([0-9.]+)", done.stdout)
    assert match, done.stdout
    assert 0.5 < float(match.group(2)) <= 1.0, done.stdout


def test_torch_example_reloads_the_best_model_it_reports(tmp_path: Path) -> None:
    """examples/torch_mlp.py puts the best trial's saved weights into a fresh model
    (rung.integrations.torch.load) and scores it: the same accuracy as the search found."""
    missing = [m for m in NEEDS["torch_mlp.py"] if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"torch_mlp.py needs {missing}")
    done = subprocess.run([sys.executable, str(EXAMPLES / "torch_mlp.py"), "--smoke"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    best = re.search(r"best val_accuracy=([0-9.]+)", done.stdout)
    reloaded = re.search(r"reloaded the best model: val_accuracy=([0-9.]+)", done.stdout)
    assert best and reloaded, done.stdout
    assert best.group(1) == reloaded.group(1), done.stdout


def test_plain_python_example_resumes_and_reruns_nothing(tmp_path: Path) -> None:
    """Its docstring: run it twice, the second run resumes and re-runs nothing."""
    runs = [subprocess.run([sys.executable, str(EXAMPLES / "plain_python.py"), "--directory",
                            str(tmp_path / "runs")], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr[-3000:]
    first, second = (re.search(r"best hyperparameters: (.*)", run.stdout) for run in runs)
    assert first and second and first.group(1) == second.group(1), runs[1].stdout
    assert "nothing left to run: 69 of 69 jobs already finished" in runs[1].stdout
