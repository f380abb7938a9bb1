"""``ProcessExecutor``: jobs in local worker processes (``tuner.search(workers=4)``).

Each slot has its own worker process (started with ``spawn`` by default) and its own pipe, so the
driver always knows which job runs where. That is what makes failures precise: a worker killed
from outside (SIGKILL, the out-of-memory killer) fails only the job it was running, with the
error ``worker died (signal 9)``; a job past ``job_timeout`` is stopped by killing its worker
alone; the other jobs keep running. A dead worker is replaced on the next job.

The pipe also carries ``trial.report`` to the driver while the job runs, so every epoch is
recorded at once and a stopping scheduler (ASHA ``mode="stopping"``) decides live: the worker
waits for the driver's answer at each report (in a reproducible search it applies the job's
``stop_rule`` instead, and does not wait).

A job's ``job_timeout`` runs from when its worker begins it, not while a new worker imports the
script (which can outlast a short job); starting and loading a job may take ``STARTUP_LIMIT`` s.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import pickle
import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from rung.errors import ConfigurationError, WorkerLostError
from rung.executors._environment import cpu_share, worker_environment
from rung.executors._guard import WORKER_PREFIX, note_file, read_note
from rung.executors._pickling import (
    process_hint,
    refuse_unsendable_arguments,
    refuse_unsendable_function,
)
from rung.executors._remote import check_timeout
from rung.executors._signals import children_ignore_stop_signals
from rung.executors._worker import worker_main
from rung.executors._worker_loss import died, timed_out
from rung.executors.base import Executor, JobResult, JobSpec, Outcome, ReportCallback
from rung.validation import check_choice, check_int, check_optional_int, fail_type

__all__ = ["STARTUP_LIMIT", "ProcessExecutor"]

STARTUP_LIMIT = 300.0


def _shutdown_at_exit(executor: weakref.ReferenceType[ProcessExecutor]) -> None:
    """Stop the workers of an executor the user made and never shut down (``search`` leaves an
    executor it was given running, for the next search): at interpreter exit, before
    ``multiprocessing`` waits for its child processes, which would otherwise wait forever."""
    alive = executor()
    if alive is not None:
        alive.shutdown()


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    spec: JobSpec | None = None
    deadline: float | None = None
    started: bool = False  # the worker has loaded its job and runs it: its clock runs
    jobs: int = 0  # jobs handed to this process (max_jobs_per_worker)


class ProcessExecutor(Executor):
    """Runs jobs in ``workers`` local processes, with per-job timeouts and worker-death recovery.

    Args:
        workers: how many jobs run at once (one process each).
        job_timeout: seconds after which a running job is killed and counted as a failed attempt
            (``JobTimeoutError``); ``None``: no limit.
        start_method: ``"spawn"`` (default, safe with threads, CUDA and every OS) or
            ``"forkserver"``. Scripts must guard their entry point with
            ``if __name__ == "__main__":`` (the standard multiprocessing rule).
        devices: one ``CUDA_VISIBLE_DEVICES`` value per worker (``workers`` is then their
            number): each worker process sees only its own GPU(s) (``rung.executors.gpus``;
            ``search(workers="gpu")`` makes this list from the visible GPUs).
        threads_per_worker: ``OMP_NUM_THREADS`` (and MKL's, OpenBLAS's) of each worker, where
            the driver's environment does not set them: ``"auto"`` (default) the cores shared
            out among the workers (at least 1), so that N workers do not each start a thread
            per core; None leaves the environment as it is (``rung.executors._environment``).
        max_jobs_per_worker: a worker process that ran this many jobs exits, and a fresh one
            takes the next job (as ``multiprocessing.Pool``'s ``maxtasksperchild``): memory a
            framework keeps from job to job (TensorFlow's Keras keeps ~4-5 MB per trial) is
            given back. Each new process imports the script again. None (default): workers
            live for the whole search.

    The training function and the search arguments must pickle (a module-level function); the
    tuner checks this before any work.
    """

    live_reports = True
    shares_filesystem = True

    def __init__(self, workers: int | None = 2, job_timeout: float | None = None,
                 start_method: str = "spawn", devices: list[str] | None = None,
                 threads_per_worker: int | str | None = "auto",
                 max_jobs_per_worker: int | None = None) -> None:
        if devices is not None:
            if not devices or not all(isinstance(d, str) and d for d in devices):
                raise fail_type("devices", "a non-empty list of CUDA_VISIBLE_DEVICES values",
                                devices)
            if workers is not None and workers != len(devices):
                raise ConfigurationError(
                    f"workers={workers!r} differs from the {len(devices)} devices given; "
                    "pass workers=None (one worker per device)")
            workers = len(devices)
        self.devices = None if devices is None else list(devices)
        workers = check_int("workers", workers, 1)
        self.slots = workers
        if threads_per_worker == "auto":
            threads_per_worker = cpu_share(workers)
        self.threads_per_worker = check_optional_int(
            "threads_per_worker", threads_per_worker, 1,
            "'auto' shares the cores out among the workers; None leaves the environment alone")
        check_choice("start_method", start_method, ("spawn", "forkserver"))
        self.max_jobs_per_worker = check_optional_int(
            "max_jobs_per_worker", max_jobs_per_worker, 1,
            "None keeps each worker process for the whole search")
        self.job_timeout = check_timeout(job_timeout)
        self._ctx: Any = multiprocessing.get_context(start_method)
        self._workers: list[_Worker | None] = [None] * workers
        self._report: ReportCallback | None = None
        self._notes: Path | None = None  # where a dying worker leaves why (rung.executors._guard)
        atexit.register(_shutdown_at_exit, weakref.ref(self))  # workers never outlive the driver

    def start(self, report: ReportCallback) -> None:
        self._report = report

    def check_function(self, function: Any) -> None:
        refuse_unsendable_function(function, self._hint("function"))

    def check_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        refuse_unsendable_arguments(args, kwargs, self._hint("arguments"))

    def _hint(self, part: str = "job") -> str:
        return process_hint(self.slots, self.job_timeout, part)

    # --- workers -----------------------------------------------------------------------------
    def _spawn(self, slot: int) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        device = None if self.devices is None else self.devices[slot]
        with note_file(self._note(slot)), worker_environment(
                device, self.threads_per_worker) as environment:
            process = self._ctx.Process(target=worker_main, args=(child, environment),
                                        name=f"{WORKER_PREFIX}{slot}")
            with children_ignore_stop_signals():
                process.start()
        child.close()
        self._workers[slot] = worker = _Worker(process, parent)
        return worker

    def _retire(self, slot: int, kill: bool) -> None:
        worker = self._workers[slot]
        self._workers[slot] = None
        if worker is None:
            return
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=10)
        worker.conn.close()

    def _note(self, slot: int) -> Path:
        if self._notes is None:
            self._notes = Path(tempfile.mkdtemp(prefix="rung-workers-"))
        return self._notes / f"worker-{slot}"

    @property
    def in_flight(self) -> int:
        return sum(1 for w in self._workers if w is not None and w.spec is not None)

    def submit(self, spec: JobSpec) -> None:
        try:
            data = pickle.dumps(spec)
        except Exception as exc:
            raise ConfigurationError(
                f"the job of trial {spec.trial_id} cannot be pickled ({exc}). {self._hint()}"
            ) from None
        slot = next((i for i, w in enumerate(self._workers) if w is None or w.spec is None), None)
        if slot is None:
            raise RuntimeError(f"all {self.slots} worker slots are busy; wait() for a result first")
        for _ in range(2):  # a worker that died while idle is replaced once
            worker = self._workers[slot]
            if worker is None or not worker.process.is_alive():
                self._retire(slot, kill=True)
                worker = self._spawn(slot)
            try:
                worker.conn.send_bytes(data)
                break
            except OSError:
                self._retire(slot, kill=True)
        else:
            raise WorkerLostError(f"could not start a worker process for trial {spec.trial_id}")
        worker.spec, worker.started = spec, False  # its clock starts when the worker says so
        worker.jobs += 1
        worker.deadline = None if self.job_timeout is None else time.monotonic() + max(
            self.job_timeout, STARTUP_LIMIT)

    # --- results -----------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> list[JobResult]:
        end = None if timeout is None else time.monotonic() + timeout
        results: list[JobResult] = []
        while not results:
            busy = [(i, w) for i, w in enumerate(self._workers) if w is not None and w.spec]
            if not busy:
                break
            limits = [w.deadline for _, w in busy if w.deadline is not None]
            if end is not None:
                limits.append(end)
            left = None if not limits else max(0.0, min(limits) - time.monotonic())
            ready = set(wait([w.conn for _, w in busy] + [w.process.sentinel for _, w in busy],
                             timeout=left))
            for slot, worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    result = self._drain(slot, worker)
                    if result is not None:
                        results.append(result)
            now = time.monotonic()
            for slot, worker in busy:
                if worker.spec is not None and worker.deadline is not None and now >= worker.deadline:
                    results.append(self._lost(slot, worker, timed_out(
                        worker.process, worker.spec, worker.started, self.job_timeout,
                        STARTUP_LIMIT)))
            if end is not None and time.monotonic() >= end:
                break
        return results

    def _drain(self, slot: int, worker: _Worker) -> JobResult | None:
        """Handle every message waiting from ``worker``; its result, or a LOST one if it died."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "started":
                    worker.started = True
                    if self.job_timeout is not None:
                        worker.deadline = time.monotonic() + self.job_timeout
                elif message[0] == "report":
                    _, trial_id, epoch, metrics, wants_answer = message
                    keep = self._report(trial_id, epoch, metrics) if self._report else True
                    if wants_answer:
                        worker.conn.send(bool(keep))
                elif message[0] == "result":
                    worker.spec = worker.deadline = None
                    if self.max_jobs_per_worker and worker.jobs >= self.max_jobs_per_worker:
                        self._stop_idle(slot, worker)  # the next job starts a fresh process
                    return message[1]
                else:  # "unloadable"
                    spec, worker.spec, worker.deadline = worker.spec, None, None
                    assert spec is not None
                    error = ConfigurationError(
                        f"a worker process could not load the job of trial {spec.trial_id} "
                        f"({message[1]}). {self._hint()}")
                    return JobResult(spec.trial_id, spec.attempt, Outcome.FATAL,
                                     error=message[2], exception=error)
        except (EOFError, OSError):
            pass
        if worker.process.is_alive():
            return None
        worker.process.join(timeout=10)
        assert worker.spec is not None
        note = read_note(self._note(slot))
        if note is not None:  # the worker refused to run the script's search (no main guard)
            spec = worker.spec
            worker.spec = None
            self._retire(slot, kill=True)
            return JobResult(spec.trial_id, spec.attempt, Outcome.FATAL, error=note,
                             exception=ConfigurationError(note))
        return self._lost(slot, worker, died(worker.process, worker.spec))

    def _lost(self, slot: int, worker: _Worker, error: WorkerLostError) -> JobResult:
        spec = worker.spec
        assert spec is not None
        worker.spec = None
        self._retire(slot, kill=True)
        return JobResult(spec.trial_id, spec.attempt, Outcome.LOST, error=str(error),
                         exception=error)

    def cancel(self, trial_id: str) -> None:
        for slot, worker in enumerate(self._workers):
            if worker is not None and worker.spec is not None and worker.spec.trial_id == trial_id:
                self._retire(slot, kill=True)

    def _stop_idle(self, slot: int, worker: _Worker) -> None:
        """Ask an idle worker to exit (an empty message), and kill it if it has not in 5 s."""
        with contextlib.suppress(OSError):
            worker.conn.send_bytes(b"")
        worker.process.join(timeout=5)
        self._retire(slot, kill=True)

    def shutdown(self) -> None:
        for slot, worker in enumerate(self._workers):
            if worker is None:
                continue
            if worker.spec is None:
                self._stop_idle(slot, worker)
            else:
                self._retire(slot, kill=True)
        if self._notes is not None:
            shutil.rmtree(self._notes, ignore_errors=True)
            self._notes = None

    def __repr__(self) -> str:
        devices = "" if self.devices is None else f", devices={self.devices}"
        recycled = ("" if self.max_jobs_per_worker is None
                    else f", max_jobs_per_worker={self.max_jobs_per_worker}")
        return (f"ProcessExecutor(workers={self.slots}, job_timeout={self.job_timeout}"
                f"{devices}{recycled})")
