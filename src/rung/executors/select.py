"""One function turns ``search(workers=..., executor=..., job_timeout=...)`` into an executor."""

from __future__ import annotations

import os
from typing import Any

from rung.errors import ArgumentTypeError, ConfigurationError
from rung.executors._remote import check_slots, check_timeout
from rung.executors.base import Executor
from rung.executors.gpus import check_resources, worker_devices
from rung.executors.inprocess import InProcessExecutor
from rung.executors.processes import ProcessExecutor

__all__ = ["make_executor"]

_DASK_SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")

_CHOICES = (
    "executor must be None, 'processes', 'inprocess', 'ray', a Ray address ('auto', "
    "'ray://host:port'), a dask.distributed.Client or a rung.executors.Executor"
)


def make_executor(workers: Any = None, executor: Any = None, job_timeout: Any = None,
                  resources_per_job: Any = None) -> tuple[Executor, bool]:
    """``(executor, owned)``; ``owned`` executors were made here and are shut down after the search.

    * nothing, or ``workers=1``: jobs run in the driver (``InProcessExecutor``);
    * ``workers=N > 1``, or a ``job_timeout``: ``N`` local worker processes (``ProcessExecutor``);
    * ``workers="gpu"``: one local worker process per visible GPU, each seeing only its own
      (``resources_per_job={"gpu": n}``: ``n`` GPUs per worker; ``rung.executors.gpus``);
    * ``executor="processes"``: local processes, ``workers`` of them (default: the CPU count);
    * ``executor=client`` (``dask.distributed.Client``): Dask, ``workers`` caps the jobs in flight;
    * ``executor="ray"`` or a Ray address: Ray tasks, ``workers`` caps the jobs in flight;
      ``resources_per_job`` is what each task reserves (``{"gpu": 1}``: Ray's ``num_gpus=1``;
      ``workers="gpu"`` alone means that too);
    * ``executor=<Executor>``: used as is (then ``workers`` and ``job_timeout`` are its own).
    """
    on_gpus = workers == "gpu"
    slots = None if on_gpus else check_slots(workers, hint="or 'gpu': one worker per GPU")
    timeout = check_timeout(job_timeout)
    resources = check_resources(resources_per_job)
    if isinstance(executor, Executor):
        given = {"workers": workers, "job_timeout": job_timeout,
                 "resources_per_job": resources_per_job if resources else None}
        if any(value is not None for value in given.values()):
            named = ", ".join(f"{k}={v!r}" for k, v in given.items() if v is not None)
            raise ConfigurationError(
                f"{named} cannot be combined with an executor instance ({executor!r}): set them "
                "on the executor itself (DaskExecutor and RayExecutor take slots= for workers)")
        return executor, False
    ray_like = isinstance(executor, str) and _is_ray(executor.strip())
    if (on_gpus or resources) and not ray_like and executor not in (None, "processes"):
        raise ConfigurationError(
            "workers='gpu' and resources_per_job apply to local workers and to Ray "
            f"(executor='ray'), not to executor={executor!r}; for Dask, start each worker with "
            "its own CUDA_VISIBLE_DEVICES")
    if resources and not on_gpus and not ray_like:
        raise ConfigurationError(
            f"resources_per_job={resources_per_job!r} needs workers='gpu' (local processes, one "
            "per GPU) or executor='ray'")
    if on_gpus and not ray_like:
        return ProcessExecutor(None, job_timeout=timeout, devices=worker_devices(resources)), True
    if executor is None:
        if (slots or 1) == 1 and timeout is None:
            return InProcessExecutor(), True
        return ProcessExecutor(slots or 1, job_timeout=timeout), True
    if isinstance(executor, str):
        name = executor.strip()
        _refuse_keyword_with_count(executor, name)
        if name in ("inprocess", "in-process"):
            if (slots or 1) != 1 or timeout is not None:
                raise ConfigurationError(
                    "executor='inprocess' runs one job at a time in the driver and cannot time it "
                    f"out; got workers={workers!r}, job_timeout={job_timeout!r}. Use "
                    "executor='processes' instead"
                )
            return InProcessExecutor(), True
        if name == "processes":
            return ProcessExecutor(slots or os.cpu_count() or 1, job_timeout=timeout), True
        _refuse_dask_spellings(executor, name)
        if _is_ray(name):
            from rung.executors.ray import RayExecutor

            gpus = resources.pop("gpu", 1.0 if on_gpus else 0.0)
            return RayExecutor(address=None if name == "ray" else name, slots=slots,
                               job_timeout=timeout, num_cpus=resources.pop("cpu", 1.0),
                               num_gpus=gpus, resources=resources or None), True
        if name.startswith(_DASK_SCHEMES):
            raise ConfigurationError(
                f"executor={executor!r} is a Dask scheduler address, and executor takes a "
                f"connected client for Dask: executor=dask.distributed.Client({name!r})")
        raise ConfigurationError(f"{_CHOICES}; got the string {executor!r}")
    from rung.executors.dask import DaskExecutor, is_dask_client

    if is_dask_client(executor):
        return DaskExecutor(executor, slots=slots, job_timeout=timeout), True
    if hasattr(executor, "scheduler_address"):  # a Dask cluster object (LocalCluster, ...)
        raise ArgumentTypeError(
            f"executor={executor!r} is a Dask cluster, and executor takes a client connected to "
            "one: executor=dask.distributed.Client(cluster)")
    raise ArgumentTypeError(f"{_CHOICES}; got {type(executor).__name__} {executor!r}")


_DASK_PORT = "8786"  # a Dask scheduler's default port


def _refuse_dask_spellings(executor: str, name: str) -> None:
    """``"dask"``, and ``"host:8786"`` (Dask's scheduler port without ``tcp://``, which would
    read as a Ray address): say how to give Dask instead."""
    if name.lower() in ("dask", "distributed", "dask.distributed"):
        raise ConfigurationError(
            f"executor={executor!r}: for Dask pass a connected client, "
            "executor=dask.distributed.Client(address) (or Client(LocalCluster()) on this "
            "machine); see docs/scale-out.md")
    if "://" not in name and name.rpartition(":")[2] == _DASK_PORT:
        raise ConfigurationError(
            f"executor={executor!r} reads as a Ray address, but {_DASK_PORT} is a Dask "
            f"scheduler's port: for Dask pass executor=dask.distributed.Client('tcp://{name}'); "
            "for Ray give its head's address ('ray://head:10001', 'head:6379'), or "
            f"executor=rung.executors.RayExecutor(address={name!r}) for a Ray head on that port")


def _refuse_keyword_with_count(executor: str, name: str) -> None:
    """``"processes:4"`` looks like a Ray ``host:port`` address; say what it should be instead."""
    keyword, sep, count = name.partition(":")
    if sep and keyword.strip().lower() in ("processes", "inprocess", "in-process", "ray"):
        hint = (f"executor={keyword.strip()!r}, workers={count.strip()}" if count.strip().isdigit()
                else f"executor={keyword.strip()!r} and the number of workers as workers=N")
        raise ConfigurationError(
            f"executor={executor!r} is not a form rung takes (it would read as the Ray address "
            f"of a host named {keyword.strip()!r}); the number of workers is its own argument: "
            f"{hint}")


def _is_ray(name: str) -> bool:
    """``"ray"`` or a Ray address (``"auto"``, ``"ray://host:port"``, ``"host:port"``); not a
    Dask scheduler's (``"tcp://host:8786"``)."""
    if name.startswith(_DASK_SCHEMES):
        return False
    return name in ("ray", "auto") or name.startswith(("ray://", "http://")) \
        or (":" in name and name.split(":")[-1].isdigit())
