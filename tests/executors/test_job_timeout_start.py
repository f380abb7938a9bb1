"""``job_timeout`` with local worker processes counts the job, not the worker's start.

A new worker re-imports the script before it can run a job; a job_timeout shorter than those
imports used to fail the first job of every worker, and, since a timed-out worker is replaced
by a new one that imports again, every retry too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rung_slow_import_jobs as slow

import rung
from rung.errors import TooManyFailedTrialsError
from rung.executors import processes
from rung.trial_record import TrialStatus


def test_a_worker_slow_to_import_its_job_does_not_time_the_job_out(tmp_path: Path) -> None:
    timeout = slow.IMPORT_SECONDS - 1  # shorter than the worker's imports, far above the job
    tuner = rung.RandomSearch(run_trial=slow.quick, objective="loss", max_trials=3, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    tuner.search(workers=1, job_timeout=timeout)  # one worker process, which it can stop
    assert tuner.storage.failures() == []
    assert [t.status for t in tuner.storage.trials()] == [TrialStatus.COMPLETED] * 3


def test_a_worker_that_cannot_load_its_job_in_time_is_killed_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start has a limit of its own (``STARTUP_LIMIT``, or job_timeout if longer): imports
    that hang must not hang the search."""
    monkeypatch.setattr(processes, "STARTUP_LIMIT", slow.IMPORT_SECONDS / 4)
    tuner = rung.RandomSearch(run_trial=slow.quick, objective="loss", max_trials=1, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.raises(TooManyFailedTrialsError, match="did not begin the job"):
        tuner.search(workers=1, job_timeout=slow.IMPORT_SECONDS / 8)
    [(trial_id, _, error)] = tuner.storage.failures()
    assert trial_id == "00000"
    assert f"did not begin the job of trial 00000 within {slow.IMPORT_SECONDS / 4:g} s" in error
