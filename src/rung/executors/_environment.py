"""The environment a local worker process starts with: its GPU(s) and its share of the CPU.

A spawned process inherits the driver's environment, and the driver's script, imported again in
the worker, already sees it: what is set while the worker starts is in place before the script
imports torch or NumPy.

**Threads.** torch, NumPy's BLAS and OpenMP each start one thread per core in every process, so
``workers=N`` on N cores runs N x N threads that fight over the cores (measured on 2 cores, a
small torch MLP under Hyperband: 70.7 s with 2 workers against 19.3 s in one process). Each
worker starts with ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` set to
its share of the cores (at least 1), as Ray and Dask do for theirs. Where the driver's
environment sets any of the three, the user has taken control and all three are left as they
are (torch reads ``MKL_NUM_THREADS`` after ``OMP_NUM_THREADS``); a script may also call
``torch.set_num_threads`` at module level or in the training function.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

__all__ = ["THREAD_VARIABLES", "cpu_share", "worker_environment"]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

_LOCK = threading.Lock()


def cpu_share(workers: int) -> int:
    """The cores each of ``workers`` processes gets: those this process may use, shared out
    (at least 1)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def _changes(device: str | None, threads: int | None) -> dict[str, str]:
    changes = {} if device is None else {"CUDA_VISIBLE_DEVICES": device}
    if threads is not None and not any(name in os.environ for name in THREAD_VARIABLES):
        changes.update({name: str(threads) for name in THREAD_VARIABLES})
    return changes


@contextlib.contextmanager
def worker_environment(device: str | None, threads: int | None) -> Iterator[dict[str, str]]:
    """While a worker starts: ``CUDA_VISIBLE_DEVICES=device`` (unless None) and, unless
    ``threads`` is None or the driver's environment sets one of them, the thread variables. Yields
    the variables set (the worker sets them again for ``forkserver``)."""
    changes = _changes(device, threads)
    if not changes:
        yield changes
        return
    with _LOCK:
        before = {name: os.environ.get(name) for name in changes}
        os.environ.update(changes)
        try:
            yield changes
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
