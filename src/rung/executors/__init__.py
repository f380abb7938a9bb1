"""Executors decide WHERE jobs run: in the driver, in local processes, on Dask or on Ray.

``DaskExecutor`` and ``RayExecutor`` import their framework only when constructed
(``rung.executors.dask`` / ``rung.executors.ray``).
"""

from rung.executors.base import Executor, JobResult, JobSpec, Outcome
from rung.executors.inprocess import InProcessExecutor
from rung.executors.job import execute
from rung.executors.processes import ProcessExecutor
from rung.executors.select import make_executor
from rung.executors.simulated import SimulatedExecutor

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "JobResult",
    "JobSpec",
    "Outcome",
    "ProcessExecutor",
    "RayExecutor",
    "SimulatedExecutor",
    "execute",
    "make_executor",
]


def __getattr__(name: str) -> object:
    if name == "DaskExecutor":
        from rung.executors.dask import DaskExecutor

        return DaskExecutor
    if name == "RayExecutor":
        from rung.executors.ray import RayExecutor

        return RayExecutor
    raise AttributeError(f"module 'rung.executors' has no attribute {name!r}")
