"""``DaskExecutor``: jobs as tasks of a ``dask.distributed`` cluster (``search(executor=client)``).

Each attempt of a job is one task (``pure=False``: never deduplicated). A worker lost while running
a task is Dask's to handle first: the scheduler re-runs the task on another worker, up to its
``distributed.scheduler.allowed-failures`` setting; past that the future raises ``KilledWorker``
and rung counts the attempt as failed (``WorkerLostError``) and re-runs it while
``max_retries_per_trial`` allows. Dask cannot stop a task that is running: on ``job_timeout`` the
attempt is counted as failed and the worker running it is restarted (its nanny starts a new
one; Dask re-runs the worker's other tasks). A worker without a nanny (``processes=False``),
or whose restart fails, is not: the task runs on until it returns, and rung counts one place
fewer.
Tasks Dask cancels (``client.restart()``) are lost attempts, retried; a client closed during the
search ends it with a ``WorkerLostError`` that says how to resume, the jobs in flight left to
be re-run.
"""

from __future__ import annotations

import contextlib
import uuid
import warnings
from typing import Any

from rung.errors import WorkerLostError
from rung.executors._remote import FutureExecutor, check_slots
from rung.executors.base import JobResult, JobSpec
from rung.executors.job import execute
from rung.optional import import_optional
from rung.validation import fail_type, fail_value

__all__ = ["DaskExecutor", "is_dask_client"]


def _distributed() -> Any:
    return import_optional("distributed", "dask", "the Dask executor")


def is_dask_client(obj: object) -> bool:
    """True for a ``dask.distributed.Client`` (checked without importing Dask)."""
    return any(c.__module__.startswith("distributed") and c.__name__ == "Client"
               for c in type(obj).__mro__)


_OPEN = ("running", "connecting", "newly-created")  # the states of a client that can submit


def _threads(client: Any) -> int | None:
    """The cluster's threads, or None when the client (or its cluster) is closed."""
    if getattr(client, "status", "running") not in _OPEN:
        return None
    try:
        return int(sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a closed scheduler fails in several ways
        return None


def _closed(exc: BaseException) -> WorkerLostError:
    """The error that ends a search whose Dask client was closed under it."""
    return WorkerLostError(
        f"the Dask client was closed during the search ({exc}); every finished job is saved: "
        "connect a new client and run the same search again to resume (the jobs in flight run "
        "again)")


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
            raise fail_type("client", "a dask.distributed.Client", client,
                            "e.g. Client(LocalCluster(n_workers=2))")
        super().__init__(job_timeout=job_timeout, shared_directory=shared_directory)
        self.client = client
        # a worker lost past Dask's own retries, or the task cancelled by Dask (client.restart())
        self.lost_errors = (distributed.KilledWorker, distributed.client.CancelledError)
        self._distributed = distributed
        chosen = check_slots(slots, name="slots")
        threads = _threads(client)
        if threads is None:
            raise fail_value("executor", "a connected dask.distributed.Client", client,
                             f"its status is {getattr(client, 'status', None)!r}: the client or "
                             "its cluster was closed; connect a new Client")
        if threads == 0:  # an adaptive cluster may add workers later: say why nothing runs
            warnings.warn(
                f"the Dask cluster of {client!r} has no workers yet: the search waits until one "
                "joins (start workers, or scale the cluster: cluster.scale(2))",
                RuntimeWarning, stacklevel=3)
        self.capacity = max(1, threads)
        self.slots = chosen or self.capacity

    def _expire(self, future: Any) -> str:
        """Dask cannot stop a running task; a worker under a nanny can be restarted, which
        stops it (the worker's other tasks are re-run by Dask). Without one (a cluster of
        threads), the task runs on and keeps its thread: one place fewer from now on."""
        key = future.key
        why = "no worker was running it"
        try:
            busy = [w for w, keys in self.client.processing().items() if key in keys]
        except Exception as exc:  # noqa: BLE001 - the scheduler is gone: nothing to restart
            busy, why = [], f"{type(exc).__name__}: {exc}"
        if busy:
            try:
                # a worker stuck in its task closes slowly (the nanny kills it in the end):
                # a generous limit, so that a loaded machine does not count it as failed
                self.client.restart_workers(busy, timeout=120, raise_for_error=True)
                self._cancel(future)
                return f"its worker {busy[0]} was restarted to stop it"
            except Exception as exc:  # noqa: BLE001 - no nanny (processes=False), or it failed
                why = f"restarting {busy[0]} failed: {type(exc).__name__}: {exc}"
        self._cancel(future)
        self.capacity = max(1, (self.capacity or 1) - 1)
        return (f"Dask cannot stop a running task ({why}): its future was released, and it "
                "runs on")

    def _submit(self, spec: JobSpec) -> Any:
        key = f"rung-{spec.trial_id}-{spec.attempt}-{uuid.uuid4().hex[:8]}"
        try:
            return self.client.submit(execute, spec, key=key, pure=False)
        except self._distributed.client.ClosedClientError as exc:
            raise _closed(exc) from None

    def _key(self, future: Any) -> Any:
        return future.key

    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]:
        client = self._distributed.client
        try:
            done, _ = self._distributed.wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        except client.CancelledError:  # Dask cancelled them (client.restart()): lost attempts
            done = [f for f in futures if f.cancelled()]
        except client.ClosedClientError as exc:
            raise _closed(exc) from None
        if self.client.status not in _OPEN and any(
                f.cancelled() for f in done):  # closing the client cancelled them: not failures
            raise _closed(RuntimeError(f"client status {self.client.status!r}"))
        return sorted(done, key=lambda f: f.key)

    def _outcome(self, future: Any) -> JobResult:
        return future.result()

    def _cancel(self, future: Any) -> None:
        with contextlib.suppress(self._distributed.client.ClosedClientError):  # nothing runs
            future.cancel()

    def __repr__(self) -> str:
        return f"DaskExecutor(slots={self.slots}, scheduler={self.client.scheduler.address!r})"
