"""``search(workers="gpu")``: one worker process per visible GPU, each seeing only its own.

No GPU is needed: the visible devices are faked (``CUDA_VISIBLE_DEVICES``, or an ``nvidia-smi``
on ``PATH`` that lists two), and each job writes down what its worker process sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rung_test_jobs as jobs

import rung
from rung.errors import ConfigurationError
from rung.executors.gpus import visible_gpus, worker_devices


def random_search(tmp_path: Path, trials: int = 6) -> rung.RandomSearch:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)  # declared up front, so that every worker starts at once
    return rung.RandomSearch(run_trial=jobs.device_seen, objective="loss", max_trials=trials,
                             hyperparameters=hp, seed=0, directory=tmp_path,
                             project_name="gpus", verbose=0)


def seen_by_worker(out: Path) -> dict[int, set[str | None]]:
    """Worker pid -> the CUDA_VISIBLE_DEVICES values its jobs saw."""
    seen: dict[int, set[str | None]] = {}
    for path in out.glob("*.json"):
        record = json.loads(path.read_text())
        seen.setdefault(record["pid"], set()).add(record["devices"])
    return seen


def test_each_worker_sees_only_its_own_gpu(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    out = tmp_path / "seen"
    out.mkdir()
    tuner = random_search(tmp_path)
    tuner.search(str(out), workers="gpu")
    assert len(tuner.oracle.trials) == 6
    seen = seen_by_worker(out)
    assert all(len(devices) == 1 for devices in seen.values()), seen  # one device per worker
    assert set().union(*seen.values()) == {"3", "5"}  # both GPUs were used, nothing else
    assert len(seen) == 2
    import os

    assert os.environ["CUDA_VISIBLE_DEVICES"] == "3,5"  # the driver's own is left alone


def test_gpus_listed_by_nvidia_smi(tmp_path: Path, monkeypatch: Any) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "nvidia-smi"
    tool.write_text("#!/bin/sh\necho 0\necho 1\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert visible_gpus() == ["0", "1"]
    assert worker_devices({}) == ["0", "1"]


def test_several_gpus_per_worker(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3,4")
    assert worker_devices({"gpu": 2}) == ["0,1", "2,3"]  # the fifth GPU stays unused
    out = tmp_path / "seen"
    out.mkdir()
    random_search(tmp_path, trials=4).search(str(out), workers="gpu",
                                             resources_per_job={"gpu": 2})
    seen = seen_by_worker(out)
    assert set().union(*seen.values()) == {"0,1", "2,3"}


def test_hidden_gpus_mean_none_visible(monkeypatch: Any) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert visible_gpus() == []


def test_no_gpu_is_an_error_before_any_work(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    tuner = random_search(tmp_path)
    with pytest.raises(ConfigurationError, match="workers='gpu' needs 1 GPU"):
        tuner.search(str(tmp_path), workers="gpu")
    assert tuner.storage.count_trials() == 0


@pytest.mark.parametrize("resources, match", [
    ({"gpu": 0.5}, "local workers cannot share a GPU"),
    ({"gpu": -1}, "resources_per_job"),
    ("gpu", "resources_per_job"),
])
def test_bad_gpu_resources_are_refused(tmp_path: Path, monkeypatch: Any, resources: Any,
                                       match: str) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    with pytest.raises(ConfigurationError, match=match):
        random_search(tmp_path).search(str(tmp_path), workers="gpu", resources_per_job=resources)


def test_resources_without_gpu_workers_or_ray_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="needs workers='gpu'"):
        random_search(tmp_path).search(str(tmp_path), workers=2, resources_per_job={"gpu": 1})


RAY_SCRIPT = """
import json, os, sys
import ray
sys.path.insert(0, sys.argv[1])
import rung, rung_test_jobs as jobs
ray.init(num_cpus=2, num_gpus=2, include_dashboard=False, log_to_driver=False,
         runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}})
hp = rung.HyperParameters(); hp.Float("x", 0.0, 1.0)
tuner = rung.RandomSearch(run_trial=jobs.device_seen, objective="loss", max_trials=4, seed=0,
                          hyperparameters=hp, directory=sys.argv[2], project_name="ray",
                          verbose=0)
tuner.search(sys.argv[3], executor="ray", resources_per_job={"gpu": 1})
print(json.dumps({"trials": len(tuner.oracle.trials)}))
"""


def test_ray_gpu_resources(tmp_path: Path) -> None:
    """``resources_per_job={"gpu": 1}`` is Ray's ``num_gpus=1``: Ray gives each task one of the
    cluster's GPUs (two declared, none real) and sets its ``CUDA_VISIBLE_DEVICES``."""
    pytest.importorskip("ray")
    out = tmp_path / "seen"
    out.mkdir()
    script = tmp_path / "ray_gpus.py"
    script.write_text(RAY_SCRIPT)
    src = str(Path(rung.__file__).parents[1])
    done = subprocess.run(
        [sys.executable, str(script), str(Path(jobs.__file__).parent), str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=600, env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"trials": 4}
    devices = [json.loads(p.read_text())["devices"] for p in out.glob("*.json")]
    assert len(devices) == 4
    assert set(devices) <= {"0", "1"}  # exactly one GPU per task
