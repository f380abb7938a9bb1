"""``ProcessExecutor(max_jobs_per_worker=n)``: a worker process exits after ``n`` jobs and a
fresh one takes the next, so memory a framework keeps from job to job is given back."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
import rung_test_jobs as jobs

import rung
from rung.executors import ProcessExecutor


def _pids(tmp_path: Path, executor: ProcessExecutor, trials: int = 5) -> list[int]:
    out = tmp_path / "seen"
    out.mkdir()
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = rung.RandomSearch(run_trial=jobs.device_seen, objective="loss", max_trials=trials,
                              hyperparameters=hp, seed=0, directory=tmp_path, project_name="r",
                              verbose=0)
    tuner.search(str(out), executor=executor)
    assert len(tuner.oracle.get_best_trials(trials)) == trials  # every job completed
    return [json.loads(p.read_text())["pid"] for p in sorted(out.glob("*.json"))]


def test_one_worker_is_replaced_after_every_second_job(tmp_path: Path) -> None:
    executor = ProcessExecutor(workers=1, max_jobs_per_worker=2)
    pids = _pids(tmp_path, executor)
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert len(set(pids)) == 3
    alive = [p.pid for p in multiprocessing.active_children()]
    assert alive == [pids[4]]  # the retired workers exited; the last is the executor's own
    executor.shutdown()  # an executor passed to search() is the caller's to shut down
    assert not multiprocessing.active_children()


def test_without_a_limit_each_worker_runs_every_job_it_gets(tmp_path: Path) -> None:
    assert len(set(_pids(tmp_path, ProcessExecutor(workers=1)))) == 1


def test_two_workers_of_one_job_each_run_every_job_in_a_new_process(tmp_path: Path) -> None:
    executor = ProcessExecutor(workers=2, max_jobs_per_worker=1)
    assert "max_jobs_per_worker=1" in repr(executor)
    assert len(set(_pids(tmp_path, executor))) == 5


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_a_bad_limit_is_refused_naming_it(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match=f"max_jobs_per_worker.*{bad!r}"):
        ProcessExecutor(max_jobs_per_worker=bad)  # type: ignore[arg-type]
