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
