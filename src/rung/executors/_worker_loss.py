"""Why ``ProcessExecutor`` lost a job: its worker process died, or the job ran out of time."""

from __future__ import annotations

import signal
from multiprocessing.process import BaseProcess

from rung.errors import JobTimeoutError, WorkerLostError
from rung.executors.base import JobSpec

__all__ = ["died", "timed_out"]


def died(process: BaseProcess, spec: JobSpec) -> WorkerLostError:
    """The error of a job whose worker ``process`` exited while running it (joined already)."""
    code = process.exitcode
    where = f"trial {spec.trial_id} attempt {spec.attempt}, pid {process.pid}"
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        why = ": killed from outside, e.g. by the out-of-memory killer" if -code == 9 else ""
        return WorkerLostError(f"worker died (signal {-code}) while running {where} ({name}{why})")
    return WorkerLostError(f"worker died (exit code {code}) while running {where}")


def timed_out(process: BaseProcess, spec: JobSpec, started: bool, job_timeout: float | None,
              startup_limit: float) -> JobTimeoutError:
    """The error of a job past its deadline: ``job_timeout`` once ``started``, else the time a
    new worker may take to import the script and load the job."""
    if started:
        return JobTimeoutError(f"job timed out after {job_timeout:g} s (job_timeout); its worker "
                               f"process {process.pid} was killed")
    return JobTimeoutError(
        f"worker process {process.pid} did not begin the job of trial {spec.trial_id} within "
        f"{max(job_timeout or 0, startup_limit):g} s (does importing the script hang?); it was "
        "killed")
