"""``DaskExecutor``: jobs as tasks of a ``dask.distributed`` cluster (``search(executor=client)``).

Each attempt of a job is one task (``pure=False``: never deduplicated). A worker lost while running
a task is Dask's to handle first: the scheduler re-runs the task on another worker, up to its
``distributed.scheduler.allowed-failures`` setting; past that the future raises ``KilledWorker``
and rung counts the attempt as failed (``WorkerLostError``) and re-runs it while
``max_retries_per_trial`` allows. Dask cannot stop a task that is running: on ``job_timeout`` the
attempt is counted as failed and its future released, but the task may run on until it returns.
"""

from __future__ import annotations

import uuid
from typing import Any

from rung.executors._remote import FutureExecutor, check_slots
from rung.executors.base import JobResult, JobSpec
from rung.executors.job import execute
from rung.optional import import_optional

__all__ = ["DaskExecutor", "is_dask_client"]


def _distributed() -> Any:
    return import_optional("distributed", "dask", "the Dask executor")


def is_dask_client(obj: object) -> bool:
    """True for a ``dask.distributed.Client`` (checked without importing Dask)."""
    return any(c.__module__.startswith("distributed") and c.__name__ == "Client"
               for c in type(obj).__mro__)


class DaskExecutor(FutureExecutor):
    """Runs jobs on the workers of a ``dask.distributed.Client``.

    Args:
        client: a connected ``dask.distributed.Client`` (e.g. on a ``LocalCluster``, or an
            address of a remote scheduler). rung never closes it.
        slots: jobs in flight at once (default: the cluster's total threads when the search
            starts).
        job_timeout: seconds after which an attempt counts as failed (see the module docstring).
        shared_directory: ``True`` when every worker sees the project directory at the same path
            (one machine, or a shared file system): checkpoints are then read and written in
            place. ``False`` (default): checkpoints travel with the job, so workers need no shared
            file system.

    Example::

        from dask.distributed import Client, LocalCluster
        with Client(LocalCluster(n_workers=4, threads_per_worker=1)) as client:
            tuner.search(executor=client)
    """

    lost_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, client: Any, slots: int | None = None, job_timeout: float | None = None,
                 shared_directory: bool = False) -> None:
        distributed = _distributed()
        if not is_dask_client(client):
            raise TypeError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
        super().__init__(job_timeout=job_timeout, shared_directory=shared_directory)
        self.client = client
        self.lost_errors = (distributed.KilledWorker,)
        self._distributed = distributed
        chosen = check_slots(slots)
        self.slots = chosen or max(1, sum(client.nthreads().values()))

    _timeout_note = "Dask cannot stop a running task: its future was released"

    def _submit(self, spec: JobSpec) -> Any:
        key = f"rung-{spec.trial_id}-{spec.attempt}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(execute, spec, key=key, pure=False)

    def _key(self, future: Any) -> Any:
        return future.key

    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]:
        try:
            done, _ = self._distributed.wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return sorted(done, key=lambda f: f.key)

    def _outcome(self, future: Any) -> JobResult:
        return future.result()

    def _cancel(self, future: Any) -> None:
        future.cancel()

    def __repr__(self) -> str:
        return f"DaskExecutor(slots={self.slots}, scheduler={self.client.scheduler.address!r})"
