"""The worker process of ``ProcessExecutor``: it runs the jobs its pipe brings, one at a time,
sends each ``trial.report`` back on the same pipe while the job runs, then the job's result.

A worker ends with the driver: a driver killed with SIGKILL cannot stop its workers, and one in a
long epoch (or a hung job) would otherwise run on, holding its GPU and cores, and could write
the checkpoint of a job the resumed search runs again. A thread waits on the parent's sentinel.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait

from rung.executors.base import Outcome
from rung.executors.job import execute

__all__ = ["worker_main"]


class _PipeChannel:
    """The worker's end of the live report line."""

    def __init__(self, conn: Connection, live_decisions: bool) -> None:
        self.conn = conn
        self.live_decisions = live_decisions
        self._lock = threading.Lock()  # a report and its answer, even from another thread

    def report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        with self._lock, _driver_gone_exits():
            self.conn.send(("report", trial_id, epoch, metrics, self.live_decisions))
            return bool(self.conn.recv()) if self.live_decisions else True


_GONE = (BrokenPipeError, ConnectionResetError, EOFError)


@contextlib.contextmanager
def _driver_gone_exits() -> Iterator[None]:
    """Exit quietly (status 1) when the pipe to the driver is broken: the driver was killed, the
    job's result has nowhere to go, and the next driver runs it again. Any message may be the
    first to find the pipe broken, before the thread watching the driver notices."""
    try:
        yield
    except _GONE:
        os._exit(1)


def _exit_with_the_driver() -> None:
    """Exit at once when the process that started this one (the driver) is gone."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch(sentinel: int) -> None:
        wait([sentinel])
        os._exit(1)  # the job's result has nowhere to go: the next driver runs it again

    threading.Thread(target=watch, args=(parent.sentinel,), name="rung-driver-watch",
                     daemon=True).start()


def worker_main(conn: Connection, environment: dict[str, str] | None = None) -> None:
    """A worker: run the jobs that arrive on ``conn`` until an empty message or EOF."""
    # Ctrl-C and SIGTERM are the driver's to act on (it then stops its workers); a spawned
    # worker already ignores them from its first instruction (ProcessExecutor starts it so),
    # this covers other start methods
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _exit_with_the_driver()
    # already in the environment it started with (spawn); forkserver workers get it here,
    # before any job
    os.environ.update(environment or {})
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        try:
            spec = pickle.loads(data)
        except BaseException as exc:
            with _driver_gone_exits():
                conn.send(("unloadable", f"{type(exc).__name__}: {exc}",
                           traceback.format_exc()))
            continue
        with _driver_gone_exits():
            conn.send(("started",))  # the job's job_timeout runs from here, not from the spawn
        result = execute(spec, channel=_PipeChannel(conn, spec.live_decisions))
        try:
            with _driver_gone_exits():
                conn.send(("result", result))
        except Exception as exc:  # something in the result does not pickle
            result.exception = RuntimeError(str(result.exception))
            result.error = (result.error or "") + f"\n(result could not be pickled: {exc})"
            result.metrics, result.checkpoint = None, None
            if result.outcome in (Outcome.COMPLETED, Outcome.PRUNED):
                result.outcome = Outcome.ERROR
            with _driver_gone_exits():
                conn.send(("result", result))
