"""``RayExecutor``: jobs as Ray tasks (``search(executor="ray")`` or a Ray address).

Each attempt of a job is one task, submitted with ``max_retries=0`` so that a failure is rung's to
count: a worker or node lost while running it (``WorkerCrashedError``, ``NodeDiedError``, ...) fails
the attempt with ``WorkerLostError``, and rung re-runs it while ``max_retries_per_trial`` allows.
On ``job_timeout`` the task is force-cancelled (Ray kills the worker process running it).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Mapping
from typing import Any

from rung.errors import ConfigurationError
from rung.executors._remote import FutureExecutor, check_slots
from rung.executors.base import JobResult, JobSpec
from rung.executors.job import execute
from rung.optional import import_optional
from rung.validation import check_number, fail_type

__all__ = ["RayExecutor"]

_LOST = ("WorkerCrashedError", "NodeDiedError", "LocalRayletDiedError", "ObjectLostError",
         "OwnerDiedError", "TaskCancelledError", "ActorDiedError")


def _ray() -> Any:
    return import_optional("ray", "ray", "the Ray executor")


class RayExecutor(FutureExecutor):
    """Runs jobs as Ray tasks.

    Args:
        address: ``None`` to use the running Ray session (``ray.init()`` is called if there is
            none: a local one), or a cluster address (``"auto"``, ``"ray://host:10001"``).
        slots: jobs in flight at once (default: the cluster's CPUs / ``num_cpus``).
        num_cpus, num_gpus: resources each job reserves (``num_gpus=1``: Ray gives each task
            one GPU and sets its ``CUDA_VISIBLE_DEVICES`` to it).
        resources: Ray custom resources each job reserves (``{"TPU": 1}``...).
        job_timeout: seconds after which a job is cancelled and counted as a failed attempt.
        shared_directory: ``True`` when every node sees the project directory at the same path;
            ``False`` (default): checkpoints travel with the job through Ray's object store.
        **init_kwargs: passed to ``ray.init`` when rung starts Ray (``num_cpus=``,
            ``runtime_env=``...). rung shuts down only a Ray session it started.

    Example::

        tuner.search(executor="ray")                          # local Ray
        tuner.search(executor=RayExecutor("ray://head:10001", num_gpus=1))
    """

    def __init__(self, address: str | None = None, slots: int | None = None,
                 num_cpus: float = 1, num_gpus: float = 0, job_timeout: float | None = None,
                 shared_directory: bool = False, resources: dict[str, float] | None = None,
                 **init_kwargs: Any) -> None:
        ray = _ray()
        super().__init__(job_timeout=job_timeout, shared_directory=shared_directory)
        check_number("num_cpus", num_cpus, 0, exclusive_minimum=True)
        check_number("num_gpus", num_gpus, 0)
        chosen = check_slots(slots, name="slots")
        resources = _check_custom(resources)
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            _reach(address)
            try:
                ray.init(address=address, **init_kwargs)
            except ConnectionError as exc:  # Ray's own text names neither the address nor why
                raise _unreachable(address, exc) from exc
        elif address is not None or init_kwargs:
            raise ValueError(
                "Ray is already initialised in this process; pass address/init arguments only "
                "when rung starts Ray, or call ray.init(...) yourself and pass executor='ray'"
            )
        try:
            self.lost_errors = tuple(
                getattr(ray.exceptions, name) for name in _LOST if hasattr(ray.exceptions, name))
            self._remote = ray.remote(execute).options(num_cpus=num_cpus, num_gpus=num_gpus,
                                                       resources=resources or {}, max_retries=0)
            self.capacity = _slots(ray.cluster_resources(), num_cpus, num_gpus, resources)
        except BaseException:
            if self._owns:  # refused: leave no Ray session behind (a later ray.init would fail)
                ray.shutdown()
            raise
        self.slots = chosen or self.capacity

        self.num_gpus = num_gpus

    def _expire(self, future: Any) -> str:
        self._cancel(future)
        return "its Ray task was force-cancelled"

    def _submit(self, spec: JobSpec) -> Any:
        return self._remote.remote(spec)

    def _wait_any(self, futures: list[Any], timeout: float | None) -> list[Any]:
        ready, _ = self._ray.wait(futures, num_returns=1, timeout=timeout)
        if ready:  # whatever else finished meanwhile
            ready, _ = self._ray.wait(futures, num_returns=len(futures), timeout=0)
        return ready

    def _outcome(self, future: Any) -> JobResult:
        return self._ray.get(future)

    def _cancel(self, future: Any) -> None:
        with contextlib.suppress(Exception):  # already finished
            self._ray.cancel(future, force=True)

    def shutdown(self) -> None:
        super().shutdown()
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()


def _unreachable(address: str | None, exc: BaseException) -> ConnectionError:
    return ConnectionError(
        f"RayExecutor could not reach the Ray cluster at address={address!r} ({exc}): check "
        "that its head node is running and that this address (for a Ray client, "
        "ray://<head>:10001) is reachable from here; executor='ray' with no address starts a "
        "local Ray instead")


def _reach(address: str | None, timeout: float = 10.0) -> None:
    """Refuse at once a ``host:port`` (or ``ray://host:port``) where nothing answers: Ray itself
    waits on a GCS address for many minutes (measured: over 6), printing a warning every few
    seconds, before it gives up. ``"auto"`` and ``None`` are Ray's to resolve."""
    if address is None:
        return
    target = address.strip().removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if "://" in target or not sep or not host or not port.isdigit():  # another scheme: Ray's
        return
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise _unreachable(address, exc) from exc


def _check_custom(resources: object) -> dict[str, float] | None:
    """``resources`` checked before Ray starts: None, or custom resource names to amounts."""
    if resources is None:
        return None
    if not isinstance(resources, Mapping) or not all(
            isinstance(name, str) and name for name in resources):
        raise fail_type("resources", 'a dict of Ray custom resources to amounts, e.g. {"TPU": 1}',
                        resources, "CPUs and GPUs are num_cpus= and num_gpus=")
    return {name: float(check_number(f"resources[{name!r}]", amount, 0) or 0.0)
            for name, amount in resources.items()}


_SOURCE = {"CPU": "resources_per_job's 'cpu' / num_cpus",
           "GPU": "resources_per_job's 'gpu' / num_gpus"}


def _slots(cluster: dict[str, float], num_cpus: float, num_gpus: float,
           resources: dict[str, float] | None) -> int:
    """How many jobs the cluster runs at once with these per-job resources; a resource the
    cluster lacks is an error (Ray would wait for it forever)."""
    wanted = {"CPU": num_cpus, "GPU": num_gpus, **(resources or {})}
    counts = []
    for name, amount in wanted.items():
        if amount <= 0:
            continue
        have = cluster.get(name, 0.0)
        if have < amount:
            raise ConfigurationError(
                f"each job asks Ray for {amount:g} {name} ({_SOURCE.get(name, 'resources_per_job')}), and "
                f"the Ray cluster has {have:g}; jobs would wait forever. Connect to a cluster "
                "with that resource, or ask for less")
        counts.append(int(have // amount))
    return max(1, min(counts)) if counts else 1
