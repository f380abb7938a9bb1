"""Local worker processes start with their share of the cores (``OMP_NUM_THREADS`` & co.), so
that ``workers=N`` does not run N threads per core; a driver that sets any of them wins."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import rung_test_jobs as jobs

import rung
from rung.errors import ConfigurationError
from rung.executors import ProcessExecutor
from rung.executors._environment import THREAD_VARIABLES, cpu_share


def _seen(tmp_path: Path, monkeypatch: Any, executor: Any = None, **env: str) -> list[dict]:
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "seen"
    out.mkdir(parents=True)
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = rung.RandomSearch(run_trial=jobs.threads_seen, objective="loss", max_trials=4,
                              hyperparameters=hp, seed=0, directory=tmp_path, project_name="t",
                              verbose=0)
    if executor is None:
        tuner.search(str(out), workers=2)
    else:
        tuner.search(str(out), executor=executor)
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]


def test_each_worker_gets_its_share_of_the_cores(tmp_path: Path, monkeypatch: Any) -> None:
    seen = _seen(tmp_path, monkeypatch)
    share = cpu_share(2)
    assert len(seen) == 4 and len({s["pid"] for s in seen}) == 2
    for s in seen:
        assert s["omp"] == s["openblas"] == str(share)
        assert s["torch"] == share  # torch read it when the worker imported it
    assert not any(name in os.environ for name in THREAD_VARIABLES)  # the driver's: unchanged


def test_the_drivers_own_setting_wins(tmp_path: Path, monkeypatch: Any) -> None:
    seen = _seen(tmp_path, monkeypatch, OMP_NUM_THREADS="3")
    assert {s["omp"] for s in seen} == {"3"}
    assert {s["openblas"] for s in seen} == {None}  # the user took control: all left alone


def test_threads_per_worker(tmp_path: Path, monkeypatch: Any) -> None:
    seen = _seen(tmp_path / "none", monkeypatch, ProcessExecutor(2, threads_per_worker=None))
    assert {s["omp"] for s in seen} == {None}
    seen = _seen(tmp_path / "five", monkeypatch, ProcessExecutor(2, threads_per_worker=5))
    assert {s["omp"] for s in seen} == {"5"}


@pytest.mark.parametrize("bad", [0, -1, "many", 1.5])
def test_a_bad_threads_per_worker_is_refused(bad: Any) -> None:
    with pytest.raises((ConfigurationError, TypeError), match="threads_per_worker"):
        ProcessExecutor(2, threads_per_worker=bad)


def test_the_share_is_at_least_one() -> None:
    assert cpu_share(10_000) == 1
    assert cpu_share(1) >= 1
