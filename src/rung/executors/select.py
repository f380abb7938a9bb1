"""One function turns ``search(workers=..., executor=..., job_timeout=...)`` into an executor."""

from __future__ import annotations

import os
from typing import Any

from rung.executors._remote import check_slots, check_timeout
from rung.executors.base import Executor
from rung.executors.inprocess import InProcessExecutor
from rung.executors.processes import ProcessExecutor

__all__ = ["make_executor"]

_CHOICES = (
    "executor must be None, 'processes', 'inprocess', 'ray', a Ray address ('auto', "
    "'ray://host:port'), a dask.distributed.Client or a rung.executors.Executor"
)


def make_executor(workers: Any = None, executor: Any = None,
                  job_timeout: Any = None) -> tuple[Executor, bool]:
    """``(executor, owned)``; ``owned`` executors were made here and are shut down after the search.

    * nothing, or ``workers=1``: jobs run in the driver (``InProcessExecutor``);
    * ``workers=N > 1``, or a ``job_timeout``: ``N`` local worker processes (``ProcessExecutor``);
    * ``executor="processes"``: local processes, ``workers`` of them (default: the CPU count);
    * ``executor=client`` (``dask.distributed.Client``): Dask, ``workers`` caps the jobs in flight;
    * ``executor="ray"`` or a Ray address: Ray tasks, ``workers`` caps the jobs in flight;
    * ``executor=<Executor>``: used as is (then ``workers`` and ``job_timeout`` are its own).
    """
    slots = check_slots(workers)
    timeout = check_timeout(job_timeout)
    if isinstance(executor, Executor):
        if workers is not None or job_timeout is not None:
            raise ValueError(
                f"workers/job_timeout cannot be combined with an executor instance ({executor!r}): "
                "set them on the executor itself"
            )
        return executor, False
    if executor is None:
        if (slots or 1) == 1 and timeout is None:
            return InProcessExecutor(), True
        return ProcessExecutor(slots or 1, job_timeout=timeout), True
    if isinstance(executor, str):
        name = executor.strip()
        if name in ("inprocess", "in-process"):
            if (slots or 1) != 1 or timeout is not None:
                raise ValueError(
                    "executor='inprocess' runs one job at a time in the driver and cannot time it "
                    f"out; got workers={workers!r}, job_timeout={job_timeout!r}. Use "
                    "executor='processes' instead"
                )
            return InProcessExecutor(), True
        if name == "processes":
            return ProcessExecutor(slots or os.cpu_count() or 1, job_timeout=timeout), True
        if name == "ray" or name == "auto" or name.startswith(("ray://", "http://")) \
                or (":" in name and name.split(":")[-1].isdigit()):
            from rung.executors.ray import RayExecutor

            return RayExecutor(address=None if name == "ray" else name, slots=slots,
                               job_timeout=timeout), True
        raise ValueError(f"{_CHOICES}; got the string {executor!r}")
    from rung.executors.dask import DaskExecutor, is_dask_client

    if is_dask_client(executor):
        return DaskExecutor(executor, slots=slots, job_timeout=timeout), True
    raise TypeError(f"{_CHOICES}; got {type(executor).__name__} {executor!r}")
